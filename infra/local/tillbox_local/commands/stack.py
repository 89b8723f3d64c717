"""Creates every resource template.yaml declares on the local emulator (moto) and
prints the stack description, the functions' environment, HTTP routes and event
sources, as JSON:

    python -m tillbox_local.commands.stack --endpoint http://127.0.0.1:5000 --prefix dev-

The Rust adapter tests run it with a random prefix per test, so each test gets
its own table, queues and bucket.
"""

import argparse
import json
import os
import sys

from ..stack import provision


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default=os.environ.get("AWS_ENDPOINT_URL"), required=not os.environ.get("AWS_ENDPOINT_URL"))
    parser.add_argument("--prefix", default="tillbox-")
    parser.add_argument("--gateway", default="http://127.0.0.1:3000", help="where the local gateway listens")
    args = parser.parse_args()
    json.dump(provision(args.endpoint, args.prefix, args.gateway), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
