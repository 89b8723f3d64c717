"""Processes the local stack starts, and how it makes sure they stop."""

import ctypes
import os
import signal
import subprocess


# Loaded before any fork: `die_with_parent` runs between fork and exec, where
# loading a library is not safe.
try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None


def die_with_parent(sig=signal.SIGTERM):
    """Asks Linux to send `sig` to this process when its parent dies (prctl
    PR_SET_PDEATHSIG), even of a SIGKILL. It reaches this process only, not its
    children: each process the local stack starts stops its own children when it
    gets the signal. Usable as a Popen `preexec_fn`."""
    PR_SET_PDEATHSIG = 1
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(PR_SET_PDEATHSIG, int(sig))


def stop_process(process, grace=10):
    """Asks a child process to stop, and kills it if it has not within `grace` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ProcessGroup:
    """A command in a process group of its own, ended with everything it started
    (cargo's rustc jobs, cargo lambda's function instances) when the block exits."""

    def __init__(self, argv, output=None, **popen):
        self.argv = argv
        self.output = output
        self.popen = popen
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(self.argv, stdout=self.output, stderr=self.output, start_new_session=True,
                                        preexec_fn=die_with_parent, **self.popen)
        return self.process

    def __exit__(self, *exc):
        self.stop()

    def stop(self, grace=10):
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(grace)
                # The leader is gone; its group may not be.
                os.killpg(self.process.pid, signal.SIGKILL)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                continue
            return
