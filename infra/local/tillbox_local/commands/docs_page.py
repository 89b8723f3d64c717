"""Checks the documentation page in headless Chromium: it renders, and lists every
operation of the document it is served with. Writes a screenshot.

    make docs-page                    # against `make dev` (http://127.0.0.1:3000)
    python -m tillbox_local.commands.docs_page http://127.0.0.1:3000 target/docs.png

Needs Debian's `chromium` (apt-get install chromium); the page itself loads nothing
but its own files, so no network is needed."""

import sys

from ..docs_page import chromium, missing_operations, render


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3000"
    screenshot = sys.argv[2] if len(sys.argv) > 2 else "target/docs.png"
    if not chromium():
        sys.exit("docs_page: chromium is not installed (apt-get install chromium)")
    missing, total = missing_operations(url)
    if missing:
        sys.exit(f"docs_page: {url}/docs does not show {', '.join(missing)}")
    render(url, "--window-size=1280,2400", f"--screenshot={screenshot}")
    print(f"{url}/docs shows all {total} operations; screenshot: {screenshot}")


if __name__ == "__main__":
    main()
