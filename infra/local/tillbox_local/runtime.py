"""Ways to invoke a function locally.

`ProcessRuntime` runs a built binary against our own minimal Lambda Runtime API
(https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), the way Lambda's
execution environment does: one event at a time per process, a deadline per event,
and a fresh process after a crash or a timeout. `ProcessPool` scales a function
the way Lambda does: another environment (process) when every one is busy, up to
a concurrency limit. Tests and benchmarks use them.

`CargoLambdaRuntime` sends the event to `cargo lambda watch`, which builds,
hot-reloads and runs the function; `make dev` uses it.
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .paths import ROOT
from .processes import stop_process


def binaries_dir(profile="debug"):
    """Where cargo puts the function binaries (honours CARGO_TARGET_DIR)."""
    meta = subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT)
    return Path(json.loads(meta)["target_directory"]) / profile


class InvokeError(Exception):
    """The function failed: it reported an error, crashed or timed out."""


class _Invocation:
    def __init__(self, payload, deadline):
        self.id = str(uuid.uuid4())
        self.payload = payload
        self.deadline = deadline
        self.done = threading.Event()
        self.result = None
        self.error = None
        # Lambda's "Duration": from handing the event out to the answer arriving.
        self.handed_at = None
        self.answered_at = None


class _RuntimeServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A function killed mid-call (a timeout, a cold-start measurement) drops its
        # connection; that is expected, not an error of the runtime.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ProcessRuntime:
    def __init__(self, name, command, env, timeout, log=None):
        """`command` is the function's argv: its `bootstrap` binary, or an
        interpreter and script (the benchmark's Python and Node.js peers)."""
        self.name = name
        self.command = command
        self.env = env
        self.timeout = timeout
        self.log = log
        self.lock = threading.Lock()
        self.pending = queue.Queue()
        self.inflight = {}
        self.process = None
        self.cold_starts = 0
        self.spawned_at = None
        self.ready = threading.Event()
        self.ready_at = None
        self.last_duration = None
        runtime = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are separate writes on a kept-alive connection: with
            # Nagle's algorithm the body would wait for the client's delayed ACK.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if not self.path.endswith("/runtime/invocation/next"):
                    return self._reply(404)
                pending = runtime.pending
                if not runtime.ready.is_set():
                    runtime.ready_at = time.perf_counter()
                    runtime.ready.set()
                inv = pending.get()
                if inv is None:  # the runtime stopped; the process is gone
                    return
                runtime.inflight[inv.id] = inv
                self._reply(200, json.dumps(inv.payload).encode(), {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": inv.id,
                    "Lambda-Runtime-Deadline-Ms": str(int(inv.deadline * 1000)),
                    "Lambda-Runtime-Invoked-Function-Arn": f"arn:aws:lambda:us-east-1:123456789012:function:{runtime.name}",
                    "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
                })
                inv.handed_at = time.perf_counter()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.strip("/").split("/")
                if parts[-1] in ("response", "error") and len(parts) >= 4:
                    answered_at = time.perf_counter()
                    inv = runtime.inflight.pop(parts[-2], None)
                    if inv:
                        inv.answered_at = answered_at
                        if parts[-1] == "response":
                            inv.result = body
                        else:
                            inv.error = body.decode(errors="replace")
                        inv.done.set()
                    return self._reply(202)
                if parts[-1] == "error":  # init error
                    runtime.init_error = body.decode(errors="replace")
                    return self._reply(202)
                self._reply(404)

        self.server = _RuntimeServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.init_error = None

    @property
    def address(self):
        return f"127.0.0.1:{self.server.server_address[1]}"

    def _ensure_process(self):
        if self.process and self.process.poll() is None:
            return
        if self.process:
            self.pending.put(None)  # frees the dead process's waiting `next` call
        env = {
            **os.environ,
            **self.env,
            "AWS_LAMBDA_RUNTIME_API": self.address,
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "local",
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
        }
        # A fresh queue per process: a dead process's pending `next` call keeps the
        # old one and can never take an event meant for its successor.
        self.pending = queue.Queue()
        self.ready.clear()
        self.spawned_at = time.perf_counter()
        self.process = subprocess.Popen(self.command, env=env, stdout=self.log, stderr=self.log)
        self.cold_starts += 1

    def cold_start(self):
        """Starts a process and returns its init time in seconds: from spawning it
        to its first request for an event, as Lambda's Init Duration counts it."""
        self._ensure_process()
        deadline = time.time() + self.timeout
        while not self.ready.wait(0.05):
            if self.process.poll() is not None or time.time() > deadline:
                raise InvokeError(f"{self.name} did not start: {self.init_error or self.process.returncode}")
        return self.ready_at - self.spawned_at

    def kill(self):
        """Ends the process (the next invocation is a cold start)."""
        if self.process:
            self.process.kill()
            self.process.wait()
            self.pending.put(None)

    @property
    def peak_rss_bytes(self):
        """The process's peak resident set (VmHWM) so far."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(kib) * 1024

    def invoke(self, payload):
        """Runs one event; returns the decoded response or raises InvokeError."""
        with self.lock:
            self._ensure_process()
            inv = _Invocation(payload, time.time() + self.timeout)
            self.pending.put(inv)
            while not inv.done.wait(0.05):
                if self.process.poll() is not None:
                    self._drop(inv)
                    raise InvokeError(f"{self.name} exited with {self.process.returncode}: {self.init_error or 'crashed'}")
                if time.time() > inv.deadline:
                    self._drop(inv)
                    self.process.kill()
                    self.process.wait()
                    raise InvokeError(f"{self.name}: task timed out after {self.timeout} s")
            self.last_duration = inv.answered_at - inv.handed_at
            if inv.error is not None:
                raise InvokeError(inv.error)
            return json.loads(inv.result) if inv.result else None

    def _drop(self, inv):
        self.inflight.pop(inv.id, None)

    def stop(self):
        if self.process:
            stop_process(self.process, grace=5)
            self.pending.put(None)
        self.server.shutdown()


class ProcessPool:
    """Concurrent invocations of one function: an idle `ProcessRuntime` takes the
    event; when all are busy a new one starts (a cold start), up to `limit`, after
    which callers wait, as they would for reserved concurrency."""

    def __init__(self, name, binary, env, timeout, log=None, limit=8):
        self.name = name
        self.start = lambda: ProcessRuntime(name, [binary], env, timeout, log=log)
        self.limit = limit
        self.idle = []
        self.started = []
        self.available = threading.Condition()

    @property
    def cold_starts(self):
        return sum(r.cold_starts for r in self.started)

    def invoke(self, payload):
        with self.available:
            while not self.idle and len(self.started) >= self.limit:
                self.available.wait()
            if self.idle:
                runtime = self.idle.pop()
            else:
                runtime = self.start()
                self.started.append(runtime)
        try:
            return runtime.invoke(payload)
        finally:
            with self.available:
                self.idle.append(runtime)
                self.available.notify()

    def stop(self):
        for runtime in self.started:
            runtime.stop()


class CargoLambdaRuntime:
    """Invokes through `cargo lambda watch`'s Invoke API, at most `limit` events at
    once (its `--concurrency`): more callers wait here, as for reserved concurrency,
    instead of piling up inside cargo lambda, which stalls under a burst of hundreds."""

    def __init__(self, name, binary, address, timeout, limit=8):
        self.name = name
        self.url = f"http://{address}/2015-03-31/functions/{binary}/invocations"
        # The first call compiles the function.
        self.timeout = max(timeout, 900)
        self.slots = threading.BoundedSemaphore(limit)

    def invoke(self, payload):
        with self.slots:
            return self._invoke(payload)

    def _invoke(self, payload):
        request = urllib.request.Request(self.url, data=json.dumps(payload).encode(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
                if response.headers.get("X-Amz-Function-Error"):
                    raise InvokeError(body.decode(errors="replace"))
        except urllib.error.HTTPError as e:
            raise InvokeError(e.read().decode(errors="replace")) from e
        except OSError as e:
            raise InvokeError(f"{self.name}: {e}") from e
        try:
            return json.loads(body) if body else None
        except json.JSONDecodeError as e:
            raise InvokeError(body.decode(errors="replace")) from e

    def stop(self):
        pass
