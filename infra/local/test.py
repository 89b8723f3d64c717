"""`make test`: starts the emulator, runs every Rust test, then the local-stack
tests (gateway, event pump, end to end) against the built function binaries, and
stops the emulator whatever happened."""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from emulator import Emulator  # noqa: E402
from runtime import binaries_dir  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def run(cmd, env):
    print(f"\n$ {' '.join(cmd)}", flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def main():
    bin_dir = binaries_dir()
    (ROOT / ".local").mkdir(exist_ok=True)
    with Emulator(log=open(ROOT / ".local" / "moto-test.log", "wb")) as emulator:
        env = {**os.environ, **emulator.env(), "TILLBOX_BIN_DIR": str(bin_dir)}
        print(f"moto on {emulator.endpoint}", flush=True)
        if run(["cargo", "build", "--workspace", "--bins"], env):
            return 1
        if run(["cargo", "test", "--workspace"], env):
            return 1
        return run([sys.executable, "-m", "unittest", "discover", "-s", "infra/local/tests", "-t", "infra/local", "-v"], env)


if __name__ == "__main__":
    sys.exit(main())
