"""Stripe's API on loopback for the local stack: localstripe (PyPI), with the
differences from Stripe that Tillbox would notice taken away.

What localstripe 1.15 does differently from Stripe, and what this server changes:

- It refuses `automatic_payment_methods[enabled]` on a PaymentIntent ("Unexpected
  automatic_payment_methods"), which Stripe recommends and Tillbox sends. Here
  it is accepted and dropped: localstripe only has cards anyway.
- It ignores `Idempotency-Key`, so a retried create makes a second intent. Here
  a POST with a key is answered once and replayed after, and the same key with
  other parameters is refused with 400 `idempotency_error`, as Stripe does.
- After a declined card, it refuses to confirm the intent again with another card
  (400 "Bad request": its status stays `requires_payment_method` because the
  failed charge is still the latest), and it answers 500 "Not implemented" to a
  confirm that names the `payment_method`, as Stripe.js sends it. Here a new
  payment method on an intent that needs one makes it `requires_confirmation`,
  as on Stripe, and a confirm may name the payment method.
- It keeps an updated `amount` as the form's string, so the intent's events
  carry `"amount": "100"`. Here it is kept as the integer Stripe sends.
- It refuses a cancel that gives Stripe's optional `cancellation_reason`
  ("Unexpected cancellation_reason"). Here the reason is accepted and dropped.
- It listens on every interface and pickles its whole state to
  /tmp/localstripe.pickle on every write, shared by every copy on the machine.
  Here it listens on 127.0.0.1 only and keeps its state in memory.

It still signs webhooks as Stripe does (`Stripe-Signature`, HMAC-SHA256 of
`t.body`), sends them once, and only `payment_intent.succeeded` and
`payment_intent.payment_failed`. `POST /_config/webhooks/{id}` registers an
endpoint (`url`, `secret`); every endpoint gets every event.

`serve` runs it; `python -m tillbox_local.commands.stripe_emulator --port PORT`
runs it on its own, and `LocalStripe` starts it so for `make dev` and `make test`.
"""

import asyncio
import hashlib
import logging
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from .paths import LOCAL

# The test-mode keys the local stack uses (infra/local/dev-stripe-*.txt).
SECRET_KEY_FILE = LOCAL / "dev-stripe-secret-key.txt"
WEBHOOK_SECRETS_FILE = LOCAL / "dev-stripe-webhook-secrets.txt"


def webhook_secret():
    """The secret the local stack's webhook endpoint verifies (the first listed)."""
    return WEBHOOK_SECRETS_FILE.read_text().strip().split(",")[0].strip()


def secret_key():
    return SECRET_KEY_FILE.read_text().strip()


def _patch_localstripe():
    from aiohttp import web
    from localstripe import resources

    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None

    intent = resources.PaymentIntent
    create = intent.__init__

    def without_automatic_payment_methods(self, *args, automatic_payment_methods=None, **kwargs):
        create(self, *args, **kwargs)

    intent.__init__ = without_automatic_payment_methods

    update = intent._update

    def with_another_payment_method(self, **data):
        if "amount" in data:
            data["amount"] = int(data["amount"])  # a form field, kept as the integer Stripe keeps
        retry = data.get("payment_method") and self.status == "requires_payment_method"
        if retry:
            resources.PaymentMethod._api_retrieve(data["payment_method"])  # 404 for an unknown one
        update(self, **data)
        if retry:
            # The declined charge stays in Stripe's history; the intent awaits confirmation again.
            self.latest_charge = None
            self.next_action = None
            self._authentication_failed = False

    intent._update = with_another_payment_method
    cancel = intent._api_cancel

    def cancel_with_a_reason(id=None, cancellation_reason=None, **kwargs):
        # Stripe's documented (optional) reason; localstripe refuses any parameter.
        return cancel(id=id, **kwargs)

    confirm = intent._api_confirm

    def confirm_naming_the_payment_method(id=None, payment_method=None, **kwargs):
        if payment_method is not None:
            intent._api_update(id, payment_method=payment_method)
        return confirm(id=id, **kwargs)

    # The server registers its routes from `extra_apis` when it is imported.
    resources.extra_apis[:] = [
        (method, url, {confirm: confirm_naming_the_payment_method, cancel: cancel_with_a_reason}.get(func, func))
        for method, url, func in resources.extra_apis
    ]
    from localstripe import server

    answered = {}
    locks = {}

    @web.middleware
    async def idempotency(request, handler):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key:
            return await handler(request)
        body = await request.read()
        fingerprint = hashlib.sha256(request.path.encode() + b"\0" + body).hexdigest()
        lock = locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key in answered:
                seen, status, text = answered[key]
                if seen != fingerprint:
                    return server.json_response({"error": {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                    }}, status=400)
                return web.Response(status=status, text=text, content_type="application/json",
                                    headers={"Idempotent-Replayed": "true"})
            response = await handler(request)
            if response.status < 500:
                answered[key] = (fingerprint, response.status, response.text)
            return response

    server.app.middlewares.append(idempotency)
    return server


def serve(port):
    """Serves the emulator on 127.0.0.1:`port` until the process is stopped."""
    server = _patch_localstripe()
    from aiohttp import web

    # Requests and webhook deliveries, one line each, into the local stack's log.
    logging.basicConfig(level=logging.INFO, format="stripe-emulator %(message)s")
    web.run_app(server.app, host="127.0.0.1", port=port, print=None)


class LocalStripe:
    """Starts the emulator on loopback and stops it; `url` is its API base."""

    def __init__(self, port, log=None, preexec_fn=None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.preexec_fn = preexec_fn
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "tillbox_local.commands.stripe_emulator",
                                         "--port", str(self.port)],
                                        stdout=self.log, stderr=self.log, preexec_fn=self.preexec_fn)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Stripe emulator exited with {self.process.returncode} (is port {self.port} free?)")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the Stripe emulator did not start within 30 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def register_webhook(stripe_url, endpoint_id, url):
    """Points the emulator's webhooks at `url`, signed with the local secret."""
    data = urllib.parse.urlencode({"url": url, "secret": webhook_secret()}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(f"{stripe_url}/_config/webhooks/{endpoint_id}", data=data),
                               timeout=10).close()
    except OSError as e:
        raise RuntimeError(f"the Stripe emulator at {stripe_url} is not running ({e}); `make dev` and "
                           "`make test` start it, or provision with PaymentProvider=manual") from None
