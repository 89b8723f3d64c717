"""A webhook receiver on loopback (`Receiver`): records every delivery, checks its
Standard Webhooks signature with the reference implementation (PyPI
`standardwebhooks`), and can be told to fail, so retries, 410 and rotations can be
watched. `make receiver` (tillbox_local/commands/webhook_receiver.py) prints what
it receives; the tests and the benchmark use the class."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    """Records each request as (headers, body, verified) and answers with the
    next scripted status (200 once the script is used up)."""

    def __init__(self, port=0, secret=None, script=()):
        self.secret = secret
        self.script = list(script)
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    verified = receiver.verify(body, headers)
                    receiver.received.append((headers, body, verified))
                    status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answered {status}".encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def verify(self, body, headers):
        """Whether the reference implementation accepts the signature for the
        current secret (it checks each signature in the header)."""
        if not self.secret:
            return None
        try:
            Webhook(self.secret).verify(body, headers)
            return True
        except WebhookVerificationError:
            return False

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def bodies(self):
        with self.lock:
            return [json.loads(body) for _, body, _ in self.received]
