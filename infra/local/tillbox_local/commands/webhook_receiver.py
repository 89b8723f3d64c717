"""A webhook receiver on loopback: prints every delivery, checks its Standard
Webhooks signature with the reference implementation (PyPI `standardwebhooks`),
and can be told to fail, so retries, 410 and rotations can be watched.

    make receiver PORT=9100 SECRET=whsec_... [FAIL=2] [GONE=1]

then register `http://127.0.0.1:9100/hooks` with POST /admin/webhooks (the local
stack allows plain http to 127.0.0.1 only: WebhookInsecureHosts). The tests use
the `Receiver` class the same way."""

import argparse
import json
import threading

from ..webhook_receiver import Receiver


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--secret", help="the endpoint's whsec_… secret, to check signatures")
    parser.add_argument("--fail", type=int, default=0, help="answer 500 to this many requests first")
    parser.add_argument("--gone", action="store_true", help="answer 410 Gone (Tillbox disables the endpoint)")
    args = parser.parse_args()
    script = [410] if args.gone else [500] * args.fail
    receiver = Receiver(args.port, args.secret, script).start()
    print(f"receiving on {receiver.url} (Ctrl-C stops)", flush=True)
    seen = 0
    try:
        while True:
            threading.Event().wait(0.5)
            with receiver.lock:
                new = receiver.received[seen:]
                seen = len(receiver.received)
            for headers, body, verified in new:
                check = {True: "signature valid", False: "SIGNATURE INVALID", None: "signature not checked"}[verified]
                print(f"{headers.get('webhook-id')} {json.loads(body).get('type')}: {check}", flush=True)
    except KeyboardInterrupt:
        receiver.stop()


if __name__ == "__main__":
    main()
