"""`make dev` as a developer runs it: it is ready with a short banner printed last,
answers requests, and SIGTERM (what `kill` and process managers send) or SIGHUP
(a closed terminal) stops every process it started, as Ctrl-C does."""

import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

from tillbox_local.emulator import free_port
from tillbox_local.tokens import token

ROOT = Path(__file__).resolve().parents[3]
READY = "One line per request, job batch and e-mail follows."


def descendants(root):
    """Every live process below `root`, whichever session or group it moved to."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


class MakeDevTest(unittest.TestCase):
    def start(self):
        """`make dev` on free ports with its own log and state folder, once it is ready:
        (make's process, its output lines so far, the API's URL)."""
        state = Path(tempfile.mkdtemp(prefix="tillbox-dev-"))
        port, live_port = free_port(), free_port()
        self.live_url = f"ws://127.0.0.1:{live_port}"
        env = {**os.environ, "TILLBOX_PORT": str(port), "TILLBOX_MOTO_PORT": str(free_port()),
               "TILLBOX_INVOKE_PORT": str(free_port()), "TILLBOX_CDN_PORT": str(free_port()),
               "TILLBOX_LIVE_PORT": str(live_port), "TILLBOX_STRIPE_PORT": str(free_port()), "DEV_ARGS": f"--log {state}/dev.log --state {state}"}
        make = subprocess.Popen(["make", "-s", "dev"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.addCleanup(make.stdout.close)
        lines, ready = [], threading.Event()

        def read():
            for line in make.stdout:
                lines.append(line.rstrip("\n"))
                if READY in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        self.addCleanup(self.kill_if_running, make)
        if not ready.wait(600):
            self.fail(f"make dev was not ready in 10 minutes; see {state}/dev.log:\n" + "\n".join(lines[-30:]))
        return make, lines, f"http://127.0.0.1:{port}"

    @staticmethod
    def kill_if_running(make):
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)
            make.wait(60)

    def assert_stops_everything(self, make, send):
        started = descendants(make.pid)
        names = {pid: Path(f"/proc/{pid}/comm").read_text().strip() for pid in started if alive(pid)}
        self.assertTrue({"cargo-lambda", "products-create"} <= set(names.values()), names)
        send()
        make.wait(60)
        deadline = time.time() + 30
        while time.time() < deadline and any(alive(pid) for pid in started):
            time.sleep(0.5)
        self.assertEqual({names.get(pid, pid) for pid in started if alive(pid)}, set(), "left running")

    def test_ready_with_the_banner_last_and_stopped_by_sigterm(self):
        make, lines, api = self.start()
        shown = [line for line in lines if line.strip()]
        ready_at = next(i for i, line in enumerate(shown) if line.startswith(READY))
        banner_at = next(i for i, line in enumerate(shown) if line.startswith("Tillbox is running on"))
        # What comes first (the build, the demo products and the jobs they set
        # off, a line each) fits on a screen with the banner.
        self.assertLessEqual(banner_at, 20, "\n".join(lines))
        self.assertLessEqual(ready_at - banner_at, 20, "the banner itself is short")
        self.assertFalse([line for line in shown[ready_at:] if line.startswith("POST /products")],
                         "the banner comes after the demo products are created")
        self.assertIn(f"Tillbox is running on {api}", lines)
        with urllib.request.urlopen(f"{api}/products", timeout=60) as r:
            self.assertEqual(r.status, 200)
        # The access line follows the function's own lines (its cold start on a
        # loaded machine can take seconds): wait for the line itself.
        deadline = time.time() + 30
        while time.time() < deadline and not any(line.startswith("GET /products 200 ") for line in lines):
            time.sleep(0.2)
        self.assertTrue(any(line.startswith("GET /products 200 ") and line.endswith(" products-list") for line in lines),
                        lines[-3:])
        # What CloudWatch would count is shown too (EMF lines the functions write).
        deadline = time.time() + 10
        while time.time() < deadline and not any(line.startswith("metric ") for line in lines):
            time.sleep(0.2)
        self.assertTrue(any(line.startswith("metric ColdStarts 1") for line in lines), lines[-5:])
        # The WebSocket API is up too: staff follow the shop's feed.
        self.assertTrue(any(self.live_url in line for line in lines), "the banner names the WebSocket API")
        with connect(self.live_url, subprotocols=["tillbox-live", token("staff", "make-dev-test")], open_timeout=60) as live:
            live.send(json.dumps({"action": "subscribe", "topic": "feed"}))
            self.assertEqual(json.loads(live.recv(timeout=60)), {"type": "subscribed", "topic": "feed"})
        self.assert_stops_everything(make, lambda: os.kill(make.pid, signal.SIGTERM))

    def test_a_closed_terminal_stops_everything(self):
        make, _, _ = self.start()
        self.assert_stops_everything(make, lambda: os.killpg(make.pid, signal.SIGHUP))

    def test_a_taken_port_is_named_in_one_line_not_a_traceback(self):
        with socket.socket() as held:
            held.bind(("127.0.0.1", 0))
            held.listen()
            port = held.getsockname()[1]
            env = {**os.environ, "TILLBOX_PORT": str(free_port()), "TILLBOX_MOTO_PORT": str(port),
                   "TILLBOX_INVOKE_PORT": str(free_port()), "TILLBOX_STRIPE_PORT": str(free_port()),
                   "TILLBOX_CDN_PORT": str(free_port()), "TILLBOX_LIVE_PORT": str(free_port()),
                   "DEV_ARGS": "--port-wait 1"}
            run = subprocess.run(["make", "-s", "dev"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(run.returncode, 0)
        lines = run.stdout.strip().splitlines()
        self.assertTrue(lines[-1].startswith(f"Port {port} (the emulator) is in use by pid {os.getpid()}: "), lines)
        self.assertIn("stop it, or choose other ports", lines[-1])
        self.assertNotIn("Traceback", run.stdout + run.stderr)
        self.assertFalse([line for line in lines if line.startswith("Building")], "refused before building")


if __name__ == "__main__":
    unittest.main()
