"""`make dashboard-build`, `make dashboard-types` and the dashboard's part of
`make lint`: npm scripts of dashboard/ run with the .venv's Node.js, after
`npm ci` when the lock file changed."""

import sys

from .. import dashboard

SCRIPTS = {
    # Type-check and build both apps into dashboard/dist/.
    "build": "build",
    # Formatting (prettier) and types (tsc), as `cargo fmt --check` and clippy.
    "lint": "lint",
    # The client types from target/openapi.json (the Makefile writes it first).
    "types": "types",
}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in SCRIPTS:
        print(f"usage: python -m tillbox_local.commands.dashboard {{{','.join(SCRIPTS)}}}", file=sys.stderr)
        return 2
    return dashboard.install() or dashboard.npm("run", "--silent", SCRIPTS[sys.argv[1]])


if __name__ == "__main__":
    sys.exit(main())
