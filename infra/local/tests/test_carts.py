"""Carts end to end through the gateway and the function binaries: a shopper
builds a cart anonymously, signs in (the cart is merged into theirs), checks out
once however often they click; bad input is refused naming the field; carts race
for stock; an idle cart is reported abandoned once."""

import unittest
import uuid
from datetime import datetime, timedelta, timezone

from tests.test_local_stack import GatewayTestCase, eventually


class CartsThroughTheGatewayTest(GatewayTestCase):
    prefix = "crt"

    def call(self, method, path, body=None, customer=None, cart_token=None, headers=None):
        headers = dict(headers or {})
        if cart_token:
            headers["cart-token"] = cart_token
        return self.api.call(method, path, body, customer, headers)

    def tee(self, s=5, m=5):
        return self.races.sized_product({"S": s, "M": m})

    def test_an_anonymous_cart_is_merged_on_sign_in_and_checked_out_once(self):
        product, sizes = self.tee(s=5, m=5)
        mug = self.races.product(10)

        # Anonymous: the token opens the cart, nothing else does.
        status, headers, cart = self.call("POST", "/carts")
        self.assertEqual(status, 201, cart)
        token, cart_id = cart["token"], cart["id"]
        self.assertTrue(token.startswith("ct_") and headers["location"] == f"/carts/{cart_id}")
        self.assertEqual(self.call("GET", f"/carts/{cart_id}")[0], 404, "without its token a cart does not exist")
        self.assertEqual(self.call("GET", f"/carts/{cart_id}", cart_token="ct_guess")[0], 404)
        self.assertEqual(self.call("GET", f"/carts/{cart_id}", cart_token="guess")[2]["field"], "Cart-Token")

        # Rejected writes first: each names its field and changes nothing.
        path = f"/carts/{cart_id}/lines"
        refusals = [
            ({"product_id": product, "variant_id": str(uuid.uuid4()), "quantity": 1}, 422, "variant_id"),
            ({"product_id": product, "quantity": 1}, 422, "variant_id"),
            ({"product_id": product, "variant_id": sizes["S"], "quantity": 0}, 422, "quantity"),
            ({"product_id": product, "variant_id": sizes["S"], "quantity": 11}, 422, "quantity"),
            ({"product_id": product, "variant_id": sizes["S"], "quantity": 6}, 409, "quantity"),
            ({"product_id": str(uuid.uuid4()), "quantity": 1}, 422, "product_id"),
            ({"product_id": product, "variant_id": "not-a-uuid", "quantity": 1}, 400, "variant_id"),
        ]
        for body, status, field in refusals:
            got, _, problem = self.call("POST", path, body, cart_token=token)
            self.assertEqual((got, problem.get("field")), (status, field), (body, problem))
        self.assertEqual(self.call("GET", f"/carts/{cart_id}", cart_token=token)[2]["lines"], [], "nothing half-written")

        # The same variant twice is one line; a product sold one way by its id.
        self.call("POST", path, {"product_id": product, "variant_id": sizes["S"], "quantity": 2}, cart_token=token)
        self.call("POST", path, {"product_id": product, "variant_id": sizes["S"], "quantity": 1}, cart_token=token)
        status, _, cart = self.call("POST", path, {"product_id": mug, "quantity": 1}, cart_token=token)
        self.assertEqual(status, 200, cart)
        self.assertEqual([(line["sku"].split("-")[-1], line["quantity"]) for line in cart["lines"]][0], ("S", 3))
        self.assertEqual((cart["subtotal"], cart["total"], cart["currency"]), (3 * 2500 + 2500, 10000, "EUR"))
        self.assertTrue(all(line["available"] and not line["price_changed"] for line in cart["lines"]))

        # The price changes in the catalog: the cart says so and charges the new one.
        status, headers, tee = self.api.call("GET", f"/products/{product}")
        status, _, tee = self.api.call(
            "PATCH", f"/products/{product}/variants/{sizes['S']}", {"price": {"amount": 2000, "currency": "EUR"}},
            self.races.staff, {"if-match": headers["etag"]})
        self.assertEqual(status, 200, tee)
        cart = self.call("GET", f"/carts/{cart_id}", cart_token=token)[2]
        self.assertEqual((cart["lines"][0]["price_changed"], cart["subtotal"]), (True, 3 * 2000 + 2500))

        # Signing in: the anonymous cart is merged into the customer's (2 + 3 of S, capped at 10 per order).
        customer = self.races.customers(1)[0]
        status, _, own = self.call("POST", "/carts", customer=customer)
        self.assertEqual((status, own["signed_in"]), (201, True), own)
        self.call("POST", f"/carts/{own['id']}/lines", {"product_id": product, "variant_id": sizes["S"], "quantity": 2},
                  customer=customer)
        status, _, again = self.call("POST", "/carts", customer=customer)
        self.assertEqual((status, again["id"]), (200, own["id"]), "a customer has one open cart")
        self.assertEqual(self.call("GET", f"/carts/{own['id']}", cart_token=token)[0], 404, "not the token's cart")
        self.assertEqual(self.call("POST", f"/carts/{cart_id}/claim", customer=customer)[0], 404, "claiming needs the token")
        status, _, merged = self.call("POST", f"/carts/{cart_id}/claim", customer=customer, cart_token=token)
        self.assertEqual(status, 200, merged)
        self.assertEqual(merged["id"], own["id"])
        self.assertEqual(sorted(line["quantity"] for line in merged["lines"]), [1, 5])
        status, _, old = self.call("GET", f"/carts/{cart_id}", cart_token=token)
        self.assertEqual((old["status"], old["merged_into"]), ("merged", own["id"]))
        self.assertEqual(self.call("POST", path, {"product_id": mug, "quantity": 1}, cart_token=token)[2]["code"],
                         "cart_closed")

        # Check out: a key is required, the anonymous token cannot, and twenty clicks make one order.
        status, _, problem = self.call("POST", f"/carts/{own['id']}/checkout", customer=customer)
        self.assertEqual((status, problem.get("field")), (400, "Idempotency-Key"), problem)
        keys = [str(uuid.uuid4()) for _ in range(20)]
        from tillbox_local.races import at_once
        replies = at_once([lambda k=k: self.races.checkout(customer, own["id"], k) for k in keys])
        placed = [b for s, _, b in replies if s == 201]
        self.assertEqual(len(placed), 1, replies)
        self.assertTrue(all(b["code"] in ("cart_closed", "cart_changed") for s, _, b in replies if s != 201), replies)
        order = placed[0]
        self.assertEqual(sorted((line["quantity"], line["unit_price"]) for line in order["lines"]),
                         [(1, 2500), (5, 2000)])
        self.assertEqual(self.races.stock(product, sizes["S"]), 0, "5 of S taken once")
        status, _, closed = self.call("GET", f"/carts/{own['id']}", customer=customer)
        self.assertEqual((closed["status"], closed["order_id"]), ("checked_out", order["id"]))
        status, _, replay = self.races.checkout(customer, own["id"], keys[replies.index(next(r for r in replies if r[0] == 201))])
        self.assertEqual((status, replay["id"]), (201, order["id"]), "the winning key replays its order")
        status, _, next_cart = self.call("POST", "/carts", customer=customer)
        self.assertEqual(status, 201, "after checkout the customer gets a new cart")
        self.assertNotEqual(next_cart["id"], own["id"])

        # The order is paid as any other.
        status, _, paid = self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=self.races.staff,
                                        headers={"idempotency-key": str(uuid.uuid4())})
        self.assertEqual((status, paid["status"]), (200, "paid"), paid)

    def test_a_discount_code_applies_to_a_cart_with_the_orders_one_refusal(self):
        product, sizes = self.tee(s=5, m=5)
        code = f"CART{uuid.uuid4().hex[:6]}".upper()
        status, _, _ = self.api.call("POST", "/discounts", {"code": code, "kind": "percentage", "percent": 10},
                                     self.races.staff)
        self.assertEqual(status, 201)
        status, _, cart = self.call("POST", "/carts")
        token = cart["token"]
        status, _, problem = self.call("PUT", f"/carts/{cart['id']}/discount", {"code": code}, cart_token=token)
        self.assertEqual((status, problem["field"]), (422, "code"), "nothing to take 10% off yet")
        self.call("POST", f"/carts/{cart['id']}/lines", {"product_id": product, "variant_id": sizes["M"], "quantity": 2},
                  cart_token=token)
        dollars = f"USD{uuid.uuid4().hex[:6]}".upper()
        self.api.call("POST", "/discounts", {"code": dollars, "kind": "fixed", "amount": 500, "currency": "USD"},
                      self.races.staff)
        unknown = self.call("PUT", f"/carts/{cart['id']}/discount", {"code": "NOPE123"}, cart_token=token)[2]
        unusable = self.call("PUT", f"/carts/{cart['id']}/discount", {"code": dollars}, cart_token=token)[2]
        self.assertEqual((unknown["field"], unknown["detail"]), ("code", unusable["detail"]),
                         "unknown and unusable codes get one message")
        status, _, cart = self.call("PUT", f"/carts/{cart['id']}/discount", {"code": code.lower()}, cart_token=token)
        self.assertEqual((status, cart["discount"], cart["total"]), (200, {"code": code, "amount": 500}, 4500), cart)
        status, _, cart = self.call("DELETE", f"/carts/{cart['id']}/discount", cart_token=token)
        self.assertEqual((cart["discount"], cart["total"]), (None, 5000))
        status, _, cart = self.call("PATCH", f"/carts/{cart['id']}/lines/{sizes['M']}", {"quantity": 0}, cart_token=token)
        self.assertEqual((status, cart["lines"]), (200, []))
        status, _, _ = self.call("DELETE", f"/carts/{cart['id']}/lines/{sizes['M']}", cart_token=token)
        self.assertEqual(status, 404, "no such line any more")

    def test_reading_a_fifty_line_cart_reads_the_catalog_in_one_batch(self):
        products = [self.races.product(10) for _ in range(50)]
        status, _, cart = self.call("POST", "/carts")
        token = cart["token"]
        for product in products:
            status, _, body = self.call("POST", f"/carts/{cart['id']}/lines", {"product_id": product, "quantity": 1},
                                        cart_token=token)
            self.assertEqual(status, 200, body)
        status, _, problem = self.call("POST", f"/carts/{cart['id']}/lines", {"product_id": self.races.product(1),
                                                                              "quantity": 1}, cart_token=token)
        self.assertEqual((status, problem["field"]), (422, "variant_id"), "a cart holds at most 50 lines")
        from tillbox_local.races import calls_between
        before = self.races.emulator_calls()
        for _ in range(3):
            status, _, read = self.call("GET", f"/carts/{cart['id']}", cart_token=token)
            self.assertEqual((status, len(read["lines"]), read["subtotal"]), (200, 50, 50 * 2500))
        after = self.races.emulator_calls()
        reading = calls_between(before, after, after, 3, 1.0)["per_order"]["CartsGetFunction"]
        self.assertEqual(reading, {"GetItem": 2, "BatchGetItem": 1},
                         "the cart and the tax settings, then its 50 products in one batch")

    def test_two_hundred_carts_check_out_against_fifty_units(self):
        self.assertEqual(self.races.carts_stock_race(carts=200, stock=50)["orders"], 50)

    def test_an_idle_cart_is_reported_abandoned_once(self):
        product, sizes = self.tee()
        address = f"cart.{uuid.uuid4().hex[:8]}@example.com"
        import os
        import subprocess
        from tests.test_local_stack import BIN_DIR
        subprocess.run([str(BIN_DIR / "tillbox-admin"), "create-admin", "--email", address],
                       input="cart-pass-2026-quartz\n", text=True, capture_output=True, check=True,
                       env={**os.environ, "TABLE_NAME": self.table_name()})
        _, _, tokens = self.api.call("POST", "/auth/login", {"email": address, "password": "cart-pass-2026-quartz"})
        customer = tokens["access_token"]
        cart = self.races.cart_with(customer, product, sizes["M"])
        table = self.client("dynamodb")
        at = (datetime.now(timezone.utc) - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        table.update_item(TableName=self.table_name(), Key={"PK": {"S": f"CART#{cart}"}, "SK": {"S": "CART"}},
                          UpdateExpression="SET updated_at = :at, GSI2SK = :sort",
                          ExpressionAttributeValues={":at": {"S": at}, ":sort": {"S": f"{at}#{cart}"}})
        job = self.runtimes["AbandonCartsFunction"]
        first, second = job.invoke({}), job.invoke({})
        self.assertEqual((first["reported"], second["reported"]), (1, 0), "once per cart")

        def published():
            items = table.scan(TableName=self.table_name(), FilterExpression="begins_with(PK, :p)",
                               ExpressionAttributeValues={":p": {"S": "OUTBOX#"}})["Items"]
            return [i for i in items if '"cart.abandoned"' in i["payload"]["S"] and cart in i["payload"]["S"]]
        self.assertEqual(len(eventually(published)), 1)


if __name__ == "__main__":
    unittest.main()
