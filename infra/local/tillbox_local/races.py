"""Order races and throughput through an HTTP gateway: `make races`
(tillbox_local/commands/races.py) runs them against a running `make dev`; the
local-stack tests run them in `make test`.

Each race asserts what must not happen, read back through the API:
- 200 buyers for 50 in stock of one variant (size S) while 30 buy another (M)
  of the same product: exactly 50 orders of S, 150 clean 409s, S's stock 0, and
  M's stock down by exactly 30;
- 20 concurrent requests with one Idempotency-Key: one order, the rest replays or 409;
- a discount code limited to 10 uses raced by 50 buyers: exactly 10 uses.
Then orders/s at 1, 8 and 32 concurrent clients.
"""

import json
import threading
import time
import urllib.error
import urllib.request
import uuid

from .tokens import token


class Api:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, method, path, body=None, token=None, headers=None):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=300) as r:
                return r.status, _lower(r.headers), json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, _lower(e.headers), json.loads(e.read() or b"null")


def _lower(headers):
    return {k.lower(): v for k, v in headers.items()}


def at_once(calls):
    """Runs every call on its own thread, released together; returns their results in order."""
    results = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i):
        start.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


class Races:
    def __init__(self, api, bin_dir=None, emulator=None):
        self.api = api
        self.emulator = emulator
        self.bin_dir = bin_dir
        self.run_id = uuid.uuid4().hex[:8]
        self.issued = 0
        self.staff = token("staff", f"races-staff-{self.run_id}", bin_dir)

    def customers(self, count):
        """`count` customers no earlier call returned: each may hold only a few unpaid orders."""
        first = self.issued
        self.issued += count
        return [token("customer", f"buyer-{self.run_id}-{i}", self.bin_dir) for i in range(first, first + count)]

    def product(self, stock):
        status, _, body = self.api.call("POST", "/products", {
            "sku": f"RACE-{uuid.uuid4().hex[:10]}", "name": "Race tee", "price": {"amount": 2500, "currency": "EUR"},
            "stock": stock, "status": "active"}, self.staff)
        assert status == 201, body
        return body["id"]

    def sized_product(self, stocks):
        """A tee with one variant per size in `stocks` ({"S": 50, "M": 100}); returns
        the product id and each size's variant id."""
        run = uuid.uuid4().hex[:8].upper()
        status, _, body = self.api.call("POST", "/products", {
            "name": "Race tee in sizes", "price": {"amount": 2500, "currency": "EUR"}, "status": "active",
            "options": [{"name": "Size", "values": list(stocks)}],
            "variants": [{"sku": f"RACE-{run}-{size}", "options": {"Size": size}, "stock": stock}
                         for size, stock in stocks.items()]}, self.staff)
        assert status == 201, body
        return body["id"], {v["options"]["Size"]: v["id"] for v in body["variants"]}

    def stock(self, product, variant=None):
        body = self.api.call("GET", f"/products/{product}")[2]
        if variant is None:
            return body["stock"]
        return next(v["stock"] for v in body["variants"] if v["id"] == variant)

    def order(self, customer, product, key=None, quantity=1, code=None, variant=None):
        line = {"product_id": product, "quantity": quantity}
        if variant:
            line["variant_id"] = variant
        body = {"lines": [line]}
        if code:
            body["discount_code"] = code
        return self.api.call("POST", "/orders", body, customer, {"idempotency-key": key or str(uuid.uuid4())})

    def orders_of(self, product):
        """Every pending order holding `product`, read through the staff listing."""
        found, cursor = [], None
        while True:
            path = "/orders?status=pending_payment&limit=100" + (f"&cursor={cursor}" if cursor else "")
            _, _, page = self.api.call("GET", path, token=self.staff)
            found += [o for o in page["items"] if any(line["product_id"] == product for line in o["lines"])]
            cursor = page.get("next_cursor")
            if not cursor:
                return found

    def stock_race(self, buyers=200, stock=50, other_buyers=30, other_stock=100):
        """`buyers` race for `stock` units of size S while `other_buyers` buy size M
        of the same product (the same DynamoDB item) at the same moment."""
        product, sizes = self.sized_product({"S": stock, "M": other_stock})
        small, medium = sizes["S"], sizes["M"]
        customers = self.customers(buyers + other_buyers)
        calls = [lambda c=c: self.order(c, product, variant=small) for c in customers[:buyers]]
        calls += [lambda c=c: self.order(c, product, variant=medium) for c in customers[buyers:]]
        replies = at_once(calls)
        small_replies, medium_replies = replies[:buyers], replies[buyers:]
        out_of_stock = [b for s, _, b in small_replies if s == 409 and b["code"] == "out_of_stock" and small in b["detail"]]
        stored = self.orders_of(product)
        result = {"created": [s for s, _, _ in small_replies].count(201), "out_of_stock": len(out_of_stock),
                  "stock_left": self.stock(product, small),
                  "orders_stored": sum(1 for o in stored if o["lines"][0]["variant_id"] == small),
                  "other_created": [s for s, _, _ in medium_replies].count(201),
                  "other_stock_left": self.stock(product, medium)}
        assert result == {"created": stock, "out_of_stock": buyers - stock, "stock_left": 0, "orders_stored": stock,
                          "other_created": other_buyers, "other_stock_left": other_stock - other_buyers}, result
        return result

    def cart_with(self, customer, product, variant, quantity=1):
        """A new cart of `customer` (each customer has one open cart) holding `quantity` of `variant`."""
        status, _, cart = self.api.call("POST", "/carts", token=customer)
        assert status in (200, 201), cart
        status, _, cart = self.api.call("POST", f"/carts/{cart['id']}/lines",
                                        {"product_id": product, "variant_id": variant, "quantity": quantity}, customer)
        assert status == 200, cart
        return cart["id"]

    def checkout(self, customer, cart, key=None):
        return self.api.call("POST", f"/carts/{cart}/checkout", token=customer,
                             headers={"idempotency-key": key or str(uuid.uuid4())})

    def one_cart_checkout_race(self, clicks=20):
        """`clicks` checkouts of one cart at once, each with its own key (two tabs,
        double clicks): one order, the others told the cart became it."""
        product, sizes = self.sized_product({"S": 10, "M": 10})
        customer = self.customers(1)[0]
        cart = self.cart_with(customer, product, sizes["S"], quantity=2)
        replies = at_once([lambda: self.checkout(customer, cart)] * clicks)
        placed = [b for s, _, b in replies if s == 201]
        closed = [b for s, _, b in replies if s == 409 and b["code"] in ("cart_closed", "cart_changed")]
        result = {"placed": len(placed), "refused": len(closed), "orders_stored": len(self.orders_of(product)),
                  "stock_left": self.stock(product, sizes["S"])}
        assert result == {"placed": 1, "refused": clicks - 1, "orders_stored": 1, "stock_left": 8}, (result, replies)
        return result

    def carts_stock_race(self, carts=200, stock=50):
        """`carts` carts of one unit each check out at once against `stock` units."""
        product, sizes = self.sized_product({"S": stock})
        customers = self.customers(carts)
        filled = at_once([lambda c=c: self.cart_with(c, product, sizes["S"]) for c in customers])
        replies = at_once([lambda c=c, cart=cart: self.checkout(c, cart) for c, cart in zip(customers, filled)])
        statuses = [s for s, _, _ in replies]
        result = {"orders": statuses.count(201),
                  "out_of_stock": sum(1 for s, _, b in replies if s == 409 and b["code"] == "out_of_stock"),
                  "stock_left": self.stock(product, sizes["S"]), "orders_stored": len(self.orders_of(product))}
        assert result == {"orders": stock, "out_of_stock": carts - stock, "stock_left": 0, "orders_stored": stock}, result
        return result

    def same_key_race(self, requests=20):
        product = self.product(100)
        customer = self.customers(1)[0]
        key = str(uuid.uuid4())
        replies = at_once([lambda: self.order(customer, product, key, quantity=2)] * requests)
        created = [(h, b) for s, h, b in replies if s == 201]
        replayed = [h for h, _ in created if h.get("idempotent-replayed") == "true"]
        in_progress = [b for s, _, b in replies if s == 409 and b["code"] == "request_in_progress"]
        result = {"first": len(created) - len(replayed), "replays": len(replayed), "in_progress": len(in_progress),
                  "distinct_orders": len({b["id"] for _, b in created}), "orders_stored": len(self.orders_of(product)),
                  "stock_left": self.stock(product)}
        assert result["first"] == 1 and result["replays"] + result["in_progress"] == requests - 1, result
        assert (result["distinct_orders"], result["orders_stored"], result["stock_left"]) == (1, 1, 98), result
        return result

    def discount_race(self, racers=50, limit=10):
        product = self.product(racers)
        code = f"RACE{uuid.uuid4().hex[:8]}".upper()
        status, _, body = self.api.call("POST", "/discounts", {
            "code": code, "kind": "percentage", "percent": 10, "usage_limit": limit}, self.staff)
        assert status == 201, body
        replies = at_once([lambda c=c: self.order(c, product, code=code) for c in self.customers(racers)])
        statuses = [s for s, _, _ in replies]
        refused = [b for s, _, b in replies if s == 422 and b["field"] == "discount_code"]
        _, _, listed = self.api.call("GET", "/discounts?limit=100", token=self.staff)
        uses = next(d["uses"] for d in listed["items"] if d["code"] == code)
        result = {"placed": statuses.count(201), "refused": len(refused), "uses": uses,
                  "stock_left": self.stock(product)}
        assert result == {"placed": limit, "refused": racers - limit, "uses": limit, "stock_left": racers - limit}, result
        return result

    def throughput(self, clients, orders_per_client):
        """Orders/s with `clients` clients each placing orders one after another,
        each order for another customer (one customer may hold only a few unpaid)."""
        product = self.product(clients * orders_per_client)
        customers = self.customers(clients * orders_per_client)

        def client(mine):
            for customer in mine:
                status, _, body = self.order(customer, product)
                assert status == 201, body

        before = self.emulator_calls()
        started = time.perf_counter()
        slices = [customers[i * orders_per_client:(i + 1) * orders_per_client] for i in range(clients)]
        at_once([lambda mine=mine: client(mine) for mine in slices])
        elapsed = time.perf_counter() - started
        at_end = self.emulator_calls()
        # The jobs the orders set off (stats, webhooks, e-mails) run a little after.
        time.sleep(2 if before is not None else 0)
        calls = calls_between(before, at_end, self.emulator_calls(), clients * orders_per_client, elapsed)
        assert self.stock(product) == 0
        return clients * orders_per_client / elapsed, calls

    def emulator_calls(self):
        """The emulator's call counts (moto_server.py), if it was named and answers."""
        if not self.emulator:
            return None
        try:
            with urllib.request.urlopen(self.emulator.rstrip("/") + "/_local/calls", timeout=30) as r:
                return json.loads(r.read())
        except OSError:
            return None


def calls_between(before, at_end, settled, orders, elapsed):
    """Per order, the calls each caller made from `before` until the jobs the
    orders set off had run (`settled`), and the share of `elapsed` the emulator
    spent answering DynamoDB while the orders were placed (`before` to `at_end`;
    it answers one at a time, so near 100 % it is the ceiling). None when the
    emulator was not counted."""
    if None in (before, at_end, settled):
        return None

    def delta(then, now, field):
        return now[field] - then.get(field, 0)

    per_caller = {}
    for caller, operations in settled.items():
        for operation, now in operations.items():
            then = before.get(caller, {}).get(operation, {})
            if delta(then, now, "calls") > 0:
                per_caller.setdefault(caller, {})[operation] = delta(then, now, "calls") / orders
    held = sum(delta(before.get(caller, {}).get(operation, {}), now, "seconds_locked")
               for caller, operations in at_end.items() for operation, now in operations.items())
    return {"per_order": per_caller, "emulator_busy": held / elapsed}


def describe_calls(calls):
    """One line per caller: "orders-create 5.0 (Query 1.0, ...)"."""
    lines = []
    for caller, operations in sorted(calls["per_order"].items(), key=lambda c: -sum(c[1].values())):
        detail = ", ".join(f"{op} {n:.1f}" for op, n in sorted(operations.items(), key=lambda o: -o[1]))
        lines.append(f"    {caller}: {sum(operations.values()):.1f} ({detail})")
    return "\n".join(lines)
