"""The three measurements, each on our local Lambda Runtime API (tillbox_local/runtime.py):
init time over repeated cold starts, peak RSS after warm invocations, and warm
durations of several functions given the same requests in turn."""

import math
import subprocess

from tillbox_local.runtime import InvokeError, ProcessRuntime


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def spread(values):
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "min": min(values),
        "max": max(values),
    }


def init_times(name, command, env, runs):
    """Seconds from spawning the function to its first `next` call, `runs` times,
    each in a fresh process."""
    runtime = ProcessRuntime(name, command, env, timeout=30, log=subprocess.DEVNULL)
    try:
        times = []
        for _ in range(runs):
            times.append(runtime.cold_start())
            runtime.kill()
        return times
    finally:
        runtime.stop()


def status_of(response):
    """An HTTP function's status code, or what a job reported."""
    if isinstance(response, dict) and "statusCode" in response:
        return int(response["statusCode"])
    if isinstance(response, dict) and response.get("batchItemFailures"):
        return "partial batch failure"
    return "ok"


def peak_rss(name, command, env, timeout, events, invocations):
    """Peak RSS in bytes after `invocations` warm invocations with `events(i)`, and
    how the function answered them (status → count)."""
    runtime = ProcessRuntime(name, command, env, timeout=timeout, log=subprocess.DEVNULL)
    answers = {}
    try:
        for i in range(invocations):
            try:
                answer = status_of(runtime.invoke(events(i)))
            except InvokeError:
                answer = "function error"
            answers[answer] = answers.get(answer, 0) + 1
        return runtime.peak_rss_bytes, answers
    finally:
        runtime.stop()


def interleaved(runtimes, events, runs, warmup):
    """Warm durations (seconds) of each runtime, given `events(label, i)` in turn:
    invocation i goes to every runtime, in an order rotated by i, so drift in the
    emulator (its table grows) falls on all alike. Any answer but 2xx stops the run:
    a fast error is not a result."""
    labels = list(runtimes)
    durations = {label: [] for label in labels}
    for i in range(warmup + runs):
        shift = i % len(labels)
        for label in labels[shift:] + labels[:shift]:
            response = runtimes[label].invoke(events(label, i))
            status = status_of(response)
            if status != "ok" and not 200 <= status < 300:
                raise RuntimeError(f"{label} answered {status}: {response.get('body')}")
            if i >= warmup:
                durations[label].append(runtimes[label].last_duration)
    return durations
