"""Checkout, part 2, end to end through the gateway and the function binaries:
shipping zones and tax settings (admins), addresses on carts and orders, a
guest in Germany paying tax-inclusive prices with standard shipping, a US
customer paying tax on top with free shipping over a threshold, and addresses
no zone serves refused before anything is reserved. Every total is computed
here again, independently, from the published rates and rounding rule."""

import json
import re
import urllib.error
import urllib.request
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from tillbox_local import pay, stripe_emulator
from tests.test_local_stack import GatewayTestCase, emails_to, eventually

BERLIN = {"name": "Erika Mustermann", "line1": "Unter den Linden 1", "city": "Berlin", "postal_code": "10117",
          "country": "DE"}
NEW_YORK = {"name": "Ada Lovelace", "line1": "350 Fifth Avenue", "city": "New York", "region": "NY",
            "postal_code": "10118", "country": "US"}


def tax_inside(gross, percent):
    """The tax inside a gross amount, per line, half up (docs/architecture.md, "Taxes")."""
    exact = Decimal(gross) * Decimal(percent) / (Decimal(100) + Decimal(percent))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tax_on(net, percent):
    exact = Decimal(net) * Decimal(percent) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class CheckoutThroughTheGatewayTest(GatewayTestCase):
    prefix = "chk"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stripe_url = cls.stack["functions"]["OrdersPaymentFunction"]["env"]["STRIPE_API_URL"]
        status, headers, zones = cls.api.call("PUT", "/shipping-zones", {"zones": [
            {"name": "Germany", "countries": ["DE", "AT"], "methods": [
                {"name": "Standard", "currency": "EUR", "flat_amount": 490, "delivery_days": [2, 4]},
                {"name": "Parcel by weight", "currency": "EUR", "weight_tiers": [
                    {"up_to_grams": 1000, "amount": 590}, {"up_to_grams": 5000, "amount": 990}]},
            ]},
            {"name": "United States", "countries": ["US"], "methods": [
                {"name": "Ground", "currency": "USD", "flat_amount": 899, "free_from": 7500, "delivery_days": [3, 7]},
            ]},
        ]}, cls.admin, {"if-match": '"0"'})
        assert status == 200, zones
        cls.zones = zones

    def method(self, zone, name):
        found = [m for z in self.zones["zones"] if z["name"] == zone for m in z["methods"] if m["name"] == name]
        return found[0]["id"]

    def call(self, method, path, body=None, token=None, cart_token=None, headers=None):
        headers = dict(headers or {})
        if cart_token:
            headers["cart-token"] = cart_token
        return self.api.call(method, path, body, token, headers)

    def stripe_intent(self, order_id):
        request = urllib.request.Request(f"{self.stripe_url}/v1/payment_intents?limit=100",
                                         headers={"authorization": f"Bearer {stripe_emulator.secret_key()}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            intents = json.load(r)["data"]
        return [i for i in intents if i["metadata"].get("order_id") == order_id]

    def sized_tee(self, currency="EUR", m_price=3000, weight=None):
        run = uuid.uuid4().hex[:8].upper()
        variant = {"weight_grams": weight} if weight else {}
        status, _, body = self.api.call("POST", "/products", {
            "name": "Tee", "price": {"amount": 2500, "currency": currency}, "status": "active",
            "options": [{"name": "Size", "values": ["S", "M"]}],
            "variants": [
                {"sku": f"CHK-{run}-S", "options": {"Size": "S"}, "stock": 10, **variant},
                {"sku": f"CHK-{run}-M", "options": {"Size": "M"}, "stock": 10,
                 "price": {"amount": m_price, "currency": currency}, **variant},
            ]}, self.races.staff)
        self.assertEqual(status, 201, body)
        return body["id"], {v["options"]["Size"]: v["id"] for v in body["variants"]}

    def test_settings_refuse_bad_writes_and_non_admins(self):
        status, _, problem = self.api.call("PUT", "/shipping-zones", {"zones": []}, self.races.staff)
        self.assertEqual(status, 403, problem)
        status, _, problem = self.api.call("PUT", "/shipping-zones", {"zones": [
            {"name": "A", "countries": ["DE", "XX"]}, {"name": "B", "countries": ["DE"]}]}, self.admin)
        self.assertEqual(status, 422, problem)
        self.assertEqual([e["field"] for e in problem["errors"]], ["zones[0].countries[1]", "zones[1].countries[0]"])
        status, _, problem = self.api.call("PUT", "/shipping-zones", {"zones": []}, self.admin, {"if-match": '"7"'})
        self.assertEqual((status, problem["code"]), (412, "version_mismatch"), problem)
        status, headers, public = self.api.call("GET", "/shipping-zones")
        self.assertEqual((status, len(public["zones"]), headers["etag"]), (200, 2, '"1"'), "nothing was replaced")

        status, headers, settings = self.api.call("GET", "/tax-settings", token=self.races.staff)
        self.assertEqual((status, settings["prices_include_tax"], headers["etag"]), (200, True, '"0"'), settings)
        self.assertEqual(self.api.call("GET", "/tax-settings")[0], 401)
        status, _, problem = self.api.call("PUT", "/tax-settings", {
            "prices_include_tax": True, "rates": [{"country": "NO", "standard": "25%"}, {"country": "no", "standard": "9"}]},
            self.admin)
        self.assertEqual(status, 422, problem)
        self.assertEqual([e["field"] for e in problem["errors"]], ["rates[0].standard", "rates[1].country"])
        self.assertEqual(self.api.call("PUT", "/tax-settings", {"prices_include_tax": False}, self.races.staff)[0], 403)

    def test_a_guest_in_germany_pays_tax_inclusive_prices_with_standard_shipping(self):
        tee, sizes = self.sized_tee()
        status, _, cart = self.call("POST", "/carts")
        token, cart_id = cart["token"], cart["id"]
        lines = f"/carts/{cart_id}/lines"
        self.call("POST", lines, {"product_id": tee, "variant_id": sizes["S"], "quantity": 1}, cart_token=token)
        self.call("POST", lines, {"product_id": tee, "variant_id": sizes["M"], "quantity": 2}, cart_token=token)

        # Rejected first: a bad postal code, a country no zone serves, an e-mail that is none.
        refusals = [
            ({"shipping_address": {**BERLIN, "postal_code": "1011"}}, "shipping_address.postal_code"),
            ({"shipping_address": {**BERLIN, "country": "FR", "postal_code": "75001"}}, "shipping_address.country"),
            ({"shipping_address": {**BERLIN, "line1": "Unter den\nLinden"}}, "shipping_address.line1"),
            ({"email": "not an address"}, "email"),
            ({"shipping_method_id": str(uuid.uuid4())}, "shipping_address"),
        ]
        for body, field in refusals:
            status, _, problem = self.call("PATCH", f"/carts/{cart_id}", body, cart_token=token)
            self.assertEqual((status, problem.get("field")), (422, field), (body, problem))
        status, _, problem = self.call("POST", f"/carts/{cart_id}/checkout", cart_token=token,
                                       headers={"idempotency-key": str(uuid.uuid4())})
        self.assertEqual((status, problem.get("field")), (422, "email"), "a guest needs an e-mail address")

        email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
        status, _, cart = self.call("PATCH", f"/carts/{cart_id}", {"email": email, "shipping_address": BERLIN},
                                    cart_token=token)
        self.assertEqual(status, 200, cart)
        self.assertEqual([(o["name"], o["amount"]) for o in cart["shipping_options"]],
                         [("Standard", 490), ("Parcel by weight", 590)])
        self.assertIsNone(cart["shipping"])
        status, _, problem = self.call("POST", f"/carts/{cart_id}/checkout", cart_token=token,
                                       headers={"idempotency-key": str(uuid.uuid4())})
        self.assertEqual((status, problem.get("field")), (422, "shipping_method_id"), problem)

        standard = self.method("Germany", "Standard")
        status, _, cart = self.call("PATCH", f"/carts/{cart_id}", {"shipping_method_id": standard}, cart_token=token)
        expected_tax = tax_inside(2500, 19) + tax_inside(2 * 3000, 19) + tax_inside(490, 19)
        self.assertEqual((cart["shipping"]["amount"], cart["tax"], cart["total"], cart["prices_include_tax"]),
                         (490, expected_tax, 2500 + 6000 + 490, True), cart)

        key = str(uuid.uuid4())
        status, headers, order = self.call("POST", f"/carts/{cart_id}/checkout", cart_token=token,
                                           headers={"idempotency-key": key})
        self.assertEqual(status, 201, order)
        link = headers["order-token"]
        self.assertEqual((order["subtotal"], order["shipping"]["amount"], order["tax"], order["total"]),
                         (8500, 490, expected_tax, 8990))
        self.assertEqual([(t["rate"], t["tax"]) for t in order["taxes"]], [("19", expected_tax)])
        self.assertEqual(sum(line["tax"] for line in order["lines"]) + order["shipping"]["tax"], order["tax"])
        self.assertEqual((order["shipping_address"]["postal_code"], order["email"]), ("10117", email))
        self.assertTrue(order["customer"].startswith("guest:") and email not in order["customer"])
        replay = self.call("POST", f"/carts/{cart_id}/checkout", cart_token=token, headers={"idempotency-key": key})
        self.assertEqual((replay[0], replay[2]["id"]), (201, order["id"]))
        self.assertIn("order-token", replay[1], "a replay answers the link too")

        # The link opens this order, nothing else; without it a guest has nothing.
        path = f"/orders/{order['id']}"
        self.assertEqual(self.api.call("GET", path)[0], 401)
        self.assertEqual(self.api.call("GET", path, headers={"order-token": "x.y.z"})[0], 401)
        self.assertEqual(self.api.call("GET", f"/orders/{uuid.uuid4()}", headers={"order-token": link})[0], 404)
        self.assertEqual(self.api.call("GET", path, headers={"order-token": link})[2]["total"], 8990)

        # The PaymentIntent is for exactly the order's total, shipping and tax included.
        status, _, opened = self.api.call("POST", f"{path}/payment", headers={"order-token": link})
        self.assertEqual((status, opened["amount"], opened["currency"]), (200, 8990, "EUR"), opened)
        self.assertEqual([i["amount"] for i in self.stripe_intent(order["id"])], [8990])
        pay.pay(self.stripe_url, opened["provider_payment_id"], pay.SUCCEEDING_CARD)
        paid = eventually(lambda: self.api.call("GET", path, headers={"order-token": link})[2]["status"] == "paid",
                          timeout=30)
        self.assertTrue(paid)

        # The guest's e-mails carry a link that opens the order.
        mails = eventually(lambda: [m for m in emails_to(self.stack["endpoint"], email) if "confirmed" in m[0]])
        self.assertTrue(mails, emails_to(self.stack["endpoint"], email))
        mailed = re.search(r"orders/[0-9a-f-]+#token=([A-Za-z0-9_.-]+)", mails[0][1]).group(1)
        self.assertEqual(self.api.call("GET", path, headers={"order-token": mailed})[0], 200)

        # Signing up with that address later, once verified, makes the order the account's.
        password = "guest-later-2026-quartz"
        self.assertEqual(self.api.call("POST", "/auth/signup", {"email": email, "password": password})[0], 202)
        verify = eventually(lambda: [m for m in emails_to(self.stack["endpoint"], email) if "verify-email" in m[1]])
        token = re.search(r"verify-email\?token=([A-Za-z0-9_-]+)", verify[0][1]).group(1)
        self.assertEqual(self.api.call("POST", "/auth/verify-email", {"token": token})[0], 204)
        _, _, tokens = self.api.call("POST", "/auth/login", {"email": email, "password": password})
        mine = self.api.call("GET", "/orders", token=tokens["access_token"])[2]["items"]
        self.assertEqual([o["id"] for o in mine], [order["id"]], "the guest order is now the account's")

    def test_a_us_customer_pays_tax_on_top_and_ships_free_over_the_threshold(self):
        lamp, sizes = self.sized_tee(currency="USD", m_price=4999)
        customer = self.races.customers(1)[0]
        status, _, cart = self.call("POST", "/carts", token=customer)
        cart_id = cart["id"]
        self.call("POST", f"/carts/{cart_id}/lines", {"product_id": lamp, "variant_id": sizes["M"], "quantity": 2},
                  token=customer)
        status, _, problem = self.call("PATCH", f"/carts/{cart_id}", {"shipping_address": {**NEW_YORK, "region": None}},
                                       token=customer)
        self.assertEqual((status, problem.get("field")), (422, "shipping_address.region"), problem)
        status, _, cart = self.call("PATCH", f"/carts/{cart_id}", {
            "shipping_address": NEW_YORK, "shipping_method_id": self.method("United States", "Ground")}, token=customer)
        self.assertEqual(status, 200, cart)
        self.assertEqual([(o["name"], o["amount"]) for o in cart["shipping_options"]], [("Ground", 0)],
                         "99.98 is over the 75.00 threshold")
        expected_tax = tax_on(9998, 4)  # New York's state rate, on top
        self.assertEqual((cart["tax"], cart["total"], cart["prices_include_tax"]), (expected_tax, 9998 + expected_tax, False))

        status, _, order = self.call("POST", f"/carts/{cart_id}/checkout", token=customer,
                                     headers={"idempotency-key": str(uuid.uuid4())})
        self.assertEqual(status, 201, order)
        self.assertEqual((order["shipping"]["amount"], order["tax"], order["total"], order["prices_include_tax"]),
                         (0, expected_tax, 9998 + expected_tax, False))
        status, _, opened = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)
        self.assertEqual((status, opened["amount"]), (200, order["total"]), opened)
        self.assertEqual([i["amount"] for i in self.stripe_intent(order["id"])], [order["total"]])

        # Below the threshold the same method costs its rate, and tax comes on it too (NY's rule: standard).
        body = {"lines": [{"product_id": lamp, "variant_id": sizes["S"], "quantity": 1}],
                "shipping_address": NEW_YORK, "shipping_method_id": self.method("United States", "Ground")}
        status, _, order = self.api.call("POST", "/orders", body, customer, {"idempotency-key": str(uuid.uuid4())})
        self.assertEqual(status, 201, order)
        self.assertEqual((order["shipping"]["amount"], order["tax"], order["total"]),
                         (899, tax_on(2500, 4) + tax_on(899, 4), 2500 + 899 + tax_on(2500, 4) + tax_on(899, 4)))

    def test_an_address_no_zone_serves_is_refused_before_anything_is_reserved(self):
        tee, sizes = self.sized_tee()
        customer = self.races.customers(1)[0]
        line = {"product_id": tee, "variant_id": sizes["S"], "quantity": 3}
        for address, field in [
            ({**BERLIN, "country": "JP", "postal_code": "100-0001"}, "shipping_address.country"),
            ({**BERLIN, "country": "ZZ"}, "shipping_address.country"),
            (BERLIN, "shipping_method_id"),
        ]:
            body = {"lines": [line], "shipping_address": address}
            status, _, problem = self.api.call("POST", "/orders", body, customer, {"idempotency-key": str(uuid.uuid4())})
            self.assertEqual((status, problem.get("field")), (422, field), problem)
        body = {"lines": [line], "shipping_address": BERLIN, "shipping_method_id": self.method("United States", "Ground")}
        status, _, problem = self.api.call("POST", "/orders", body, customer, {"idempotency-key": str(uuid.uuid4())})
        self.assertEqual((status, problem.get("field")), (422, "shipping_method_id"), "a method of another zone")
        self.assertEqual(self.races.stock(tee, sizes["S"]), 10, "nothing reserved")
        status, _, orders = self.api.call("GET", "/orders", token=customer)
        self.assertEqual(orders["items"], [], "nothing half-written")

        # Heavy parcels: the weight tiers price them, and past the last tier the method is not offered.
        heavy, heavy_sizes = self.sized_tee(weight=2000)
        status, _, cart = self.call("POST", "/carts", token=customer)
        self.call("POST", f"/carts/{cart['id']}/lines", {"product_id": heavy, "variant_id": heavy_sizes["S"],
                                                         "quantity": 2}, token=customer)
        status, _, cart = self.call("PATCH", f"/carts/{cart['id']}", {"shipping_address": BERLIN}, token=customer)
        self.assertEqual([(o["name"], o["amount"]) for o in cart["shipping_options"]],
                         [("Standard", 490), ("Parcel by weight", 990)], "4 kg")
        status, _, cart = self.call("PATCH", f"/carts/{cart['id']}/lines/{heavy_sizes['S']}", {"quantity": 3},
                                    token=customer)
        self.assertEqual([o["name"] for o in cart["shipping_options"]], ["Standard"], "6 kg is past the last tier")

    def test_a_returned_line_is_restocked_and_refunded_with_its_tax(self):
        tee, sizes = self.sized_tee()
        customer = self.races.customers(1)[0]
        body = {"lines": [{"product_id": tee, "variant_id": sizes["S"], "quantity": 2},
                          {"product_id": tee, "variant_id": sizes["M"], "quantity": 1}],
                "shipping_address": BERLIN, "shipping_method_id": self.method("Germany", "Standard")}
        status, _, order = self.api.call("POST", "/orders", body, customer, {"idempotency-key": str(uuid.uuid4())})
        self.assertEqual((status, order["total"]), (201, 5000 + 3000 + 490), order)
        path = f"/orders/{order['id']}"
        returns = f"{path}/returns"
        line = {"product_id": tee, "variant_id": sizes["M"], "quantity": 1}
        status, _, problem = self.api.call("POST", returns, {"lines": [line], "reason": "too big"}, customer)
        self.assertEqual((status, problem["code"]), (409, "order_not_returnable"), "not shipped yet")

        _, _, opened = self.api.call("POST", f"{path}/payment", token=customer)
        self.assertEqual(opened["amount"], order["total"])
        pay.pay(self.stripe_url, opened["provider_payment_id"], pay.SUCCEEDING_CARD)
        self.assertTrue(eventually(lambda: self.api.call("GET", path, token=customer)[2]["status"] == "paid", timeout=30))
        status, _, fulfilled = self.api.call("POST", f"{path}/fulfil", {"carrier": "DHL", "tracking_number": "00340"},
                                             self.races.staff)
        self.assertEqual(status, 200, fulfilled)
        invoice = eventually(lambda: self.document(f"{path}/receipt", customer), timeout=30)
        self.assertTrue(invoice.startswith(b"%PDF-"), "the paid order's invoice")
        self.save("invoice.pdf", invoice)
        slip = eventually(lambda: self.document(f"{path}/packing-slip", self.races.staff), timeout=30)
        self.assertTrue(slip.startswith(b"%PDF-"), "staff get the packing slip")
        self.save("packing-slip.pdf", slip)
        self.assertEqual(self.no_redirect(f"{path}/packing-slip", customer)[0], 403, "a customer does not")
        # A browser app asks for the link as JSON: it cannot read a cross-origin redirect.
        for document, token in [("receipt", customer), ("packing-slip", self.races.staff)]:
            status, headers, link = self.call("GET", f"{path}/{document}", token=token,
                                              headers={"accept": "application/json"})
            self.assertEqual((status, headers["cache-control"], link["expires_in"]), (200, "no-store", 300), link)
            with urllib.request.urlopen(link["url"], timeout=10) as r:
                self.assertTrue(r.read().startswith(b"%PDF-"), f"the {document} behind the JSON link")
        number = self.api.call("GET", path, token=customer)[2]["invoice_number"]
        self.assertIsInstance(number, int)

        # Rejected first: more units than the line has, a line of another order, no reason; a stranger sees nothing.
        stranger = self.races.customers(1)[0]
        self.assertEqual(self.api.call("POST", returns, {"lines": [line], "reason": "x"}, stranger)[0], 404)
        for bad, field in [({**line, "quantity": 2}, "lines[0].quantity"),
                           ({**line, "variant_id": str(uuid.uuid4())}, "lines[0].variant_id")]:
            status, _, problem = self.api.call("POST", returns, {"lines": [bad], "reason": "too big"}, customer)
            self.assertEqual((status, problem.get("field")), (422, field), problem)
        status, _, problem = self.api.call("POST", returns, {"lines": [line], "reason": "  "}, customer)
        self.assertEqual((status, problem.get("field")), (422, "reason"), problem)
        self.assertEqual(self.api.call("GET", returns, token=customer)[2], [], "nothing half-written")

        status, headers, ret = self.api.call("POST", returns, {"lines": [line], "reason": "too big"}, customer)
        self.assertEqual((status, ret["status"]), (201, "requested"), ret)
        status, _, problem = self.api.call("POST", returns, {"lines": [line], "reason": "again"}, customer)
        self.assertEqual((status, problem.get("field")), (422, "lines[0].quantity"), "a unit is returned once")
        update = f"{returns}/{ret['id']}"
        self.assertEqual(self.api.call("PATCH", update, {"status": "approved"}, customer)[0], 403)
        status, _, problem = self.api.call("PATCH", update, {"status": "received"}, self.races.staff)
        self.assertEqual((status, problem["code"]), (409, "illegal_transition"), "approve first")
        status, _, ret = self.api.call("PATCH", update, {"status": "approved"}, self.races.staff)
        self.assertEqual((status, ret["status"]), (200, "approved"), ret)
        stock_before = self.races.stock(tee, sizes["M"])

        status, _, ret = self.api.call("PATCH", update, {"status": "received"}, self.races.staff)
        self.assertEqual((status, ret["status"], ret["refund_amount"]), (200, "received", 3000), ret)
        self.assertEqual(self.races.stock(tee, sizes["M"]), stock_before + 1, "the returned unit is back in stock")
        order = self.api.call("GET", path, token=customer)[2]
        self.assertEqual((order["refunded"], order["status"]), (3000, "partially_refunded"))
        refunds = self.stripe_get(f"/v1/refunds?payment_intent={opened['provider_payment_id']}")["data"]
        self.assertEqual([r["amount"] for r in refunds], [3000])

        # Receiving again refunds nothing more; the tax refunded is the line's own.
        again = self.api.call("PATCH", update, {"status": "received"}, self.races.staff)
        self.assertEqual((again[0], again[2]["refund_amount"]), (200, 3000))
        self.assertEqual(len(self.stripe_get(f"/v1/refunds?payment_intent={opened['provider_payment_id']}")["data"]), 1)
        m_line = next(l for l in order["lines"] if l["variant_id"] == sizes["M"])
        self.assertEqual(m_line["tax"], tax_inside(3000, 19))
        credit = eventually(lambda: self.document(f"{path}/refunds/{ret['refund_id']}/credit-note", customer), timeout=30)
        self.assertTrue(credit.startswith(b"%PDF-"), "the refund's credit note")
        status, _, link = self.call("GET", f"{path}/refunds/{ret['refund_id']}/credit-note", token=customer,
                                    headers={"accept": "application/json"})
        self.assertEqual((status, link["expires_in"]), (200, 300), link)
        with urllib.request.urlopen(link["url"], timeout=10) as r:
            self.assertTrue(r.read().startswith(b"%PDF-"), "the credit note behind the JSON link")
        self.save("credit-note.pdf", credit)
        self.assertEqual(self.api.call("GET", path, token=customer)[2]["invoice_number"], number, "the number stays")

        # The last units and the shipping: refunded once, to the cent of what was paid.
        line_s = {"product_id": tee, "variant_id": sizes["S"], "quantity": 2}
        status, _, last = self.api.call("POST", returns, {"lines": [line_s], "reason": "changed my mind"}, customer)
        self.assertEqual(status, 201, last)
        self.api.call("PATCH", f"{returns}/{last['id']}", {"status": "approved"}, self.races.staff)
        status, _, last = self.api.call("PATCH", f"{returns}/{last['id']}", {"status": "received", "refund_shipping": True},
                                        self.races.staff)
        self.assertEqual((status, last["refund_amount"], last["shipping_refunded"]), (200, 5000 + 490, True), last)
        order = self.api.call("GET", path, token=customer)[2]
        self.assertEqual((order["refunded"], order["status"]), (order["total"], "refunded"))
        listed = self.api.call("GET", returns, token=customer)[2]
        self.assertEqual([r["status"] for r in listed], ["received", "received"])

    def test_a_customer_keeps_an_address_book_and_checks_out_from_it(self):
        customer, stranger = self.races.customers(2)
        status, _, problem = self.api.call("POST", "/me/addresses", {"address": {**BERLIN, "postal_code": "ABC"}}, customer)
        self.assertEqual((status, problem.get("field")), (422, "address.postal_code"), problem)
        status, headers, book = self.api.call("POST", "/me/addresses", {"address": BERLIN, "default_shipping": True},
                                              customer)
        self.assertEqual((status, len(book["items"]), headers["etag"]), (201, 1, '"1"'), book)
        home = headers["location"].rsplit("/", 1)[1]
        status, _, book = self.api.call("POST", "/me/addresses", {"address": NEW_YORK, "default_shipping": True},
                                        customer)
        self.assertEqual([a["default_shipping"] for a in book["items"]], [False, True], "one default")
        status, _, book = self.api.call("PUT", f"/me/addresses/{home}",
                                        {"address": {**BERLIN, "line2": "3. OG"}, "default_billing": True}, customer)
        self.assertEqual((status, book["items"][0]["address"]["line2"], book["items"][0]["default_billing"]),
                         (200, "3. OG", True))
        self.assertEqual(self.api.call("GET", "/me/addresses", token=stranger)[2]["items"], [], "a book is its owner's")
        self.assertEqual(self.api.call("DELETE", f"/me/addresses/{home}", token=stranger)[0], 404)

        tee, sizes = self.sized_tee()
        status, _, cart = self.call("POST", "/carts", token=customer)
        self.call("POST", f"/carts/{cart['id']}/lines", {"product_id": tee, "variant_id": sizes["S"], "quantity": 1},
                  token=customer)
        status, _, problem = self.call("PATCH", f"/carts/{cart['id']}", {"shipping_address_id": str(uuid.uuid4())},
                                       token=customer)
        self.assertEqual((status, problem.get("field")), (422, "shipping_address_id"), problem)
        status, _, cart = self.call("PATCH", f"/carts/{cart['id']}", {
            "shipping_address_id": home, "shipping_method_id": self.method("Germany", "Standard")}, token=customer)
        self.assertEqual((status, cart["shipping_address"]["line2"], cart["total"]), (200, "3. OG", 2500 + 490), cart)
        status, _, order = self.call("POST", f"/carts/{cart['id']}/checkout", token=customer,
                                     headers={"idempotency-key": str(uuid.uuid4())})
        self.assertEqual(status, 201, order)

        # The order keeps its copy: changing or removing the book's address changes no order.
        self.assertEqual(self.api.call("DELETE", f"/me/addresses/{home}", token=customer)[0], 204)
        self.assertEqual(self.api.call("DELETE", f"/me/addresses/{home}", token=customer)[0], 404)
        kept = self.api.call("GET", f"/orders/{order['id']}", token=customer)[2]
        self.assertEqual(kept["shipping_address"]["line2"], "3. OG")

    def document(self, path, token):
        """The PDF behind a document link (302 to the bucket), or None while it is printed."""
        status, headers, _ = self.no_redirect(path, token)
        if status != 302:
            return None
        with urllib.request.urlopen(headers["location"], timeout=10) as r:
            return r.read()

    def no_redirect(self, path, token):
        class Keep(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        opener = urllib.request.build_opener(Keep)
        request = urllib.request.Request(self.gateway.url + path, headers={"authorization": f"Bearer {token}"})
        try:
            with opener.open(request, timeout=30) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, None
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, None

    def save(self, name, pdf):
        """Keeps a printed document under target/documents/ for a reviewer to look at."""
        folder = Path(__file__).resolve().parents[3] / "target" / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(pdf)

    def stripe_get(self, path):
        request = urllib.request.Request(f"{self.stripe_url}{path}",
                                         headers={"authorization": f"Bearer {stripe_emulator.secret_key()}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.load(r)


if __name__ == "__main__":
    import unittest
    unittest.main()
