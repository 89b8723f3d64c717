"""Stripe's API on loopback for the local stack: localstripe (PyPI), with the
differences from Stripe that Tillbox would notice taken away (listed in
tillbox_local/stripe_emulator.py).

    python -m tillbox_local.commands.stripe_emulator --port PORT

`LocalStripe` starts it for `make dev` and `make test`.
"""

import argparse

from ..stripe_emulator import serve


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    serve(args.port)


if __name__ == "__main__":
    main()
