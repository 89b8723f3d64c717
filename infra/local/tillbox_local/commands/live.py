"""`make live TOPIC=… [TOKEN=…] [ORDER_TOKEN=…]`: follows a topic on the local
WebSocket API (`make dev`'s ws://127.0.0.1:3002) and prints each message, one
JSON line, until Ctrl-C: what a storefront or the dashboard receives. With
`TOKEN` exported, `TOKEN=` (empty) on the command line connects as a guest.

    TOPIC=order:<id>  an order: TOKEN its customer's or staff's access token,
                      or ORDER_TOKEN a guest's order link
    TOPIC=feed        the shop's feed: TOKEN staff's or an admin's
"""

import argparse
import json
import os
import sys

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

PROTOCOL = "tillbox-live"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topic", help="order:<id> or feed")
    parser.add_argument("--token", default="", help="an access token (make -s token ROLE=staff)")
    parser.add_argument("--order-token", default="", help="a guest's order link (checkout's Order-Token)")
    parser.add_argument("--url", default=f"ws://127.0.0.1:{os.environ.get('TILLBOX_LIVE_PORT', 3002)}")
    args = parser.parse_args()
    subscribe = {"action": "subscribe", "topic": args.topic}
    if args.order_token:
        subscribe["order_token"] = args.order_token
    try:
        with connect(args.url, subprotocols=[PROTOCOL, *([args.token] if args.token else [])]) as socket:
            socket.send(json.dumps(subscribe))
            try:
                for message in socket:
                    print(message, flush=True)
                    if json.loads(message).get("type") == "error":
                        return 1
            except KeyboardInterrupt:
                return 0  # Ctrl-C: leaving the block closes the connection normally (1000)
    except InvalidStatus as refused:
        why = {400: "the tillbox-live subprotocol was not offered",
               401: "the token is invalid or expired, or its session ended"}
        sys.exit(f"{args.url} refused the connection: {refused.response.status_code} "
                 f"({why.get(refused.response.status_code, 'see target/dev.log')})")
    except ConnectionClosed:
        sys.exit("the connection closed (API Gateway ends them after 2 hours, or 10 idle minutes; "
                 "a session that ended closes it too)")
    except OSError as e:
        sys.exit(f"cannot reach {args.url} ({e}): is make dev running?")
    return 0


if __name__ == "__main__":
    sys.exit(main())
