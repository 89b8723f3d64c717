"""Renders the documentation page in headless Chromium, to check that it lists
every operation of the document it is served with (`make docs-page`, in
tillbox_local/commands/docs_page.py, and the contract tests).

Needs Debian's `chromium` (apt-get install chromium); the page itself loads nothing
but its own files, so no network is needed."""

import json
import re
import shutil
import subprocess
import tempfile
import urllib.request

# Without the background-networking flags Chromium keeps dialling out, which a
# closed network refuses; a fresh profile keeps runs independent.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Long enough for the bundle to fetch the document and render it.
    "--virtual-time-budget=15000",
]


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(url, *outputs):
    with tempfile.TemporaryDirectory() as profile:
        command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *outputs, f"{url}/docs"]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout


def missing_operations(url):
    """The operation ids of `url`'s document the rendered page does not show."""
    with urllib.request.urlopen(f"{url}/openapi.json", timeout=30) as r:
        document = json.load(r)
    expected = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    shown = set(re.findall(r'opblock-summary-operation-id">([a-z_]+)<', render(url, "--dump-dom")))
    return sorted(expected - shown), len(expected)
