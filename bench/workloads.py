"""What the benchmark sends: each function's sample event (events/<function>.json)
made real, and the requests of the four measured endpoints."""

import json
import uuid
from pathlib import Path

from tillbox_local.tokens import token

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PRODUCT = "01a1ff39-7dc4-701d-b0ab-a12fd8784a16"
SAMPLE_ORDER = "019a8f3c-5e2b-7c41-9d3e-2f6a7b8c9d01"
SAMPLE_CART = "01a1ff39-7dc4-701d-b0ab-a12fd8786c01"
SAMPLE_VARIANT = "01a1ff39-7dc4-701d-b0ab-a12fd8785b01"
SAMPLE_CART_TOKEN = "ct_<the token POST /carts returned>"
ROLES = ("customer", "staff", "admin")
# Orders are placed as one of these in turn: a customer may hold at most 1,000
# unpaid orders (the template's MaxValue), and the bench places thousands.
CUSTOMERS = 64


def new_product(sku, stock=1_000_000):
    return {
        "sku": sku,
        "name": "Black tee (M)",
        "description": "Organic cotton, relaxed fit.",
        "price": {"amount": 2500, "currency": "EUR"},
        "stock": stock,
        # The cart benchmark adds to one line hundreds of times.
        "max_per_order": 1000,
        "status": "active",
        "category": "t-shirts",
    }


class Requests:
    """API Gateway events for requests, routed as the local gateway routes them."""

    def __init__(self, gateway, bin_dir):
        self.gateway = gateway
        self.bin_dir = bin_dir
        self.tokens = {}
        self.customers = []
        self.placed = 0

    def token(self, role, sub=None):
        """A fresh access token (they live 15 minutes; a phase can run longer)."""
        return token(role, sub or f"bench-{role}", self.bin_dir)

    def refresh_tokens(self):
        self.tokens = {role: self.token(role) for role in ROLES}
        self.customers = [self.token("customer", f"bench-customer-{i}") for i in range(CUSTOMERS)]

    def buyer(self):
        """The next of the customers orders are placed as, in turn."""
        self.placed += 1
        return self.customers[self.placed % CUSTOMERS]

    def event(self, method, target, role=None, body=None, headers=None):
        """(function, event) for one request; `role` "buyer" is each time the next
        of the customers orders are placed as."""
        headers = {"content-type": "application/json", **(headers or {})}
        if role:
            headers["authorization"] = f"Bearer {self.buyer() if role == 'buyer' else self.tokens[role]}"
        raw = json.dumps(body).encode() if body is not None else b""
        return self.gateway.route(method, target, headers, raw, "203.0.113.10")


def sample_events(binary, requests, product_id, order_id, cart=None):
    """events(i) for the function's sample event: tokens minted, the sample product,
    order and cart (id, token, variant) replaced by real ones, and what must differ per call (idempotency key, SKU,
    address) made unique, so the invocations do the work a user's would."""
    text = (ROOT / "events" / f"{binary}.json").read_text()
    for role in ROLES:
        text = text.replace(f"<run: make -s token ROLE={role}>", requests.tokens[role])
    text = text.replace(SAMPLE_PRODUCT, product_id).replace(SAMPLE_ORDER, order_id)
    if cart:
        cart_id, token, variant = cart
        text = text.replace(SAMPLE_CART, cart_id).replace(SAMPLE_CART_TOKEN, token).replace(SAMPLE_VARIANT, variant)
    template = json.loads(text)

    # Per call: a new SKU, a new address, and no discount code (the sample's does not exist).
    body_edits = {
        "products-create": lambda body, i: body.update(sku=f"TEE-BLK-M-{i}"),
        "auth-signup": lambda body, i: body.update(email=f"ann{i}@example.com"),
        "orders-create": lambda body, i: body.pop("discount_code"),
    }

    def events(i):
        event = json.loads(json.dumps(template))
        headers = event.get("headers") or {}
        if "idempotency-key" in headers:
            headers["idempotency-key"] = str(uuid.uuid4())
        if binary == "orders-create":
            headers["authorization"] = f"Bearer {requests.buyer()}"
        if binary in body_edits:
            body = json.loads(event["body"])
            body_edits[binary](body, i)
            event["body"] = json.dumps(body)
        return event

    return events
