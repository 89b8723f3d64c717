"""Starts and stops the emulator (moto, see moto_server.py) on loopback."""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

VENV_BIN = Path(sys.executable).parent

AWS_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def die_with_parent(sig=signal.SIGTERM):
    """Asks Linux to send `sig` to this process when its parent dies (prctl
    PR_SET_PDEATHSIG), so nothing started for the local stack outlives whoever
    started it, even one killed with SIGKILL. Usable as a Popen `preexec_fn`."""
    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig))
    except (OSError, AttributeError):
        pass  # not Linux: the parent's own clean-up still stops it


def stop_process(process, grace=10):
    """Asks a child process to stop, and kills it if it has not within `grace` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    def __init__(self, port=None, log=None):
        """`log`: a file the emulator's output is appended to (else it is dropped)."""
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = None

    def __enter__(self):
        with open(self.log, "ab") if self.log else open(os.devnull, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve().parent / "moto_server.py"), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out, stderr=out, preexec_fn=die_with_parent,
            )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.process.returncode} (is port {self.port} free?)")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("moto_server did not start within 30 s")

    def env(self):
        return {**AWS_ENV, "AWS_ENDPOINT_URL": self.endpoint}

    def __exit__(self, *exc):
        if self.process:
            stop_process(self.process)

