"""Whether the loopback ports `make dev` listens on are free, and who holds one
that is not. A run stopped a moment ago may still be letting go of its ports: a
new one waits for them a little, then says in one line which port is taken and
by whom, instead of provisioning against the old emulator."""

import os
import socket
import time
from pathlib import Path


def is_free(port):
    with socket.socket() as s:
        # The same option the servers use, so a closed socket's TIME_WAIT does not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def holder(port):
    """`pid command` of the process listening on `port`, if /proc tells (Linux)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(fields[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in {f"socket:[{i}]" for i in inodes}:
                    command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                    return f"pid {proc.name}: {command[:120]}"
        except OSError:
            continue
    return None


def wait_until_free(ports, timeout=20, say=print):
    """Waits up to `timeout` s for every port in `ports` ({what: port}) to be free.
    Returns None when they are, else the one line that says which is not."""
    deadline = time.time() + timeout
    waiting = False
    while True:
        taken = {what: port for what, port in ports.items() if not is_free(port)}
        if not taken:
            return None
        if time.time() >= deadline:
            what, port = next(iter(taken.items()))
            by = holder(port)
            return (f"Port {port} ({what}) is in use" + (f" by {by}" if by else "")
                    + ": stop it, or choose other ports (TILLBOX_PORT, TILLBOX_MOTO_PORT, TILLBOX_STRIPE_PORT, "
                    "TILLBOX_INVOKE_PORT, TILLBOX_LIVE_PORT, TILLBOX_CDN_PORT).")
        if not waiting:
            say(f"Waiting for port{'s' if len(taken) > 1 else ''} {', '.join(map(str, taken.values()))} "
                "to be free (a previous run may still be stopping)...")
            waiting = True
        time.sleep(0.5)
