"""What the gateway's parts share: how a function is named in log lines, and the
one log line per job batch."""

import time


def label(stack, function):
    """A function as a developer knows it: its binary (functions/api/<name>.rs or
    functions/jobs/<name>.rs)."""
    return stack["functions"].get(function, {}).get("binary", function)


def log_batch(log, name, count, unit, failed, started):
    elapsed = (time.perf_counter() - started) * 1000
    outcome = f", {failed} failed" if failed else ""
    log(f"job {name}: {count} {unit}{'s' if count != 1 else ''}{outcome} {elapsed:.0f} ms")
