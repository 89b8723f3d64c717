"""Starts and stops the emulator (moto, see moto_server.py) on loopback."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .processes import die_with_parent, stop_process

VENV_BIN = Path(sys.executable).parent

AWS_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    def __init__(self, port=None, log=None):
        """`log`: a file the emulator's output is appended to (else it is shown)."""
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = None

    def __enter__(self):
        with open(self.log, "ab") if self.log else contextlib.nullcontext() as out:
            # The emulator's region is the one the stack's clients use, whatever the shell says.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tillbox_local.commands.moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out, stderr=out, preexec_fn=die_with_parent, env={**os.environ, **AWS_ENV},
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

    def memory(self):
        """The emulator process's resident and peak memory, for the test log."""
        status = dict(line.split(":", 1) for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines())
        return f"RSS {int(status['VmRSS'].split()[0]) // 1024} MB, peak {int(status['VmHWM'].split()[0]) // 1024} MB"

    def env(self):
        return {**AWS_ENV, "AWS_ENDPOINT_URL": self.endpoint}

    def __exit__(self, *exc):
        if self.process:
            stop_process(self.process)

