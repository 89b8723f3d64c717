"""moto_server, with DynamoDB's transaction and stream semantics.

    python -m tillbox_local.commands.moto_server -H 127.0.0.1 -p PORT

runs like moto_server; what it changes is described in tillbox_local/moto_server.py.
`Emulator` (tillbox_local/emulator.py) starts it for `make dev`, `make test` and
`make bench`.
"""

import argparse

from ..moto_server import serve


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
