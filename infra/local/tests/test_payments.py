"""Payments end to end on the local Stripe emulator: POST /orders/{id}/payment ->
PaymentIntent at Stripe -> the customer pays with a test card -> Stripe's signed
webhook -> gateway -> webhook function -> payments queue -> payments job -> the
order is paid; a declined card leaves it payable; a payment landing on an order
the expiry job cancelled is refunded and the customer e-mailed. Signatures are
cross-checked with Stripe's own Python library."""

import hashlib
import hmac
import json
import time
import unittest
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path

import stripe
from tillbox_local import pay, stripe_emulator
from tillbox_local.races import at_once
from tillbox_local.tokens import token

from tests.test_local_stack import GatewayTestCase, emails_to, eventually, token_in

DECLINED_CARD = "4000000000000341"
FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "tests" / "fixtures" / "stripe"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class PaymentsThroughTheGatewayTest(GatewayTestCase):
    prefix = "pay"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stripe_url = cls.stack["functions"]["OrdersPaymentFunction"]["env"]["STRIPE_API_URL"]

    def stripe_get(self, path):
        request = urllib.request.Request(f"{self.stripe_url}{path}",
                                         headers={"authorization": f"Bearer {stripe_emulator.secret_key()}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.load(r)

    def table_item(self, pk, sk):
        item = self.client("dynamodb").get_item(
            TableName=self.table_name(), Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True)
        return item.get("Item")

    def order_status(self, customer, order_id):
        return self.api.call("GET", f"/orders/{order_id}", token=customer)[2]["status"]

    def placed_order(self, customer, quantity=2):
        status, _, order = self.races.order(customer, self.races.product(5), quantity=quantity)
        self.assertEqual(status, 201, order)
        return order

    def post_webhook(self, body, signature):
        headers = {"content-type": "application/json; charset=utf-8"}
        if signature is not None:
            headers["stripe-signature"] = signature
        request = urllib.request.Request(f"{self.gateway.url}/webhooks/stripe", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def test_a_card_payment_marks_the_order_paid_once(self):
        customer, stranger = self.races.customers(2)
        order = self.placed_order(customer)
        path = f"/orders/{order['id']}/payment"

        self.assertEqual(self.api.call("POST", path, token=stranger)[0], 404, "not someone else's order")
        status, _, body = self.api.call("POST", path, token=self.races.staff)
        self.assertEqual((status, body["code"]), (403, "forbidden"), "staff do not pay for customers")
        self.assertEqual(self.api.call("POST", f"/orders/{uuid.uuid4()}/payment", token=customer)[0], 404)
        self.assertEqual(self.api.call("POST", path)[0], 401)

        answers = at_once([lambda: self.api.call("POST", path, token=customer)] * 5)
        self.assertEqual([status for status, _, _ in answers], [200] * 5, answers)
        opened = answers[0][2]
        self.assertEqual({a[2]["provider_payment_id"] for a in answers}, {opened["provider_payment_id"]},
                         "five clicks, one payment")
        self.assertEqual((opened["amount"], opened["currency"]), (order["total"], order["currency"]))
        self.assertEqual(opened["publishable_key"], "pk_test_tillbox_local")
        self.assertTrue(opened["client_secret"].startswith(opened["provider_payment_id"] + "_secret_"))
        intents = self.stripe_get("/v1/payment_intents?limit=100")["data"]
        ours = [i for i in intents if i["metadata"].get("order_id") == order["id"]]
        self.assertEqual(len(ours), 1, "one PaymentIntent at Stripe for the order")
        self.assertEqual((ours[0]["amount"], ours[0]["currency"]), (order["total"], "eur"))

        pay.pay(self.stripe_url, opened["provider_payment_id"], pay.SUCCEEDING_CARD)
        paid = eventually(lambda: self.order_status(customer, order["id"]) == "paid", timeout=30)
        self.assertTrue(paid, "the webhook and the payments job marked the order paid")
        payment = self.table_item(f"ORDER#{order['id']}", "PAYMENT#001")
        self.assertEqual(payment["status"]["S"], "succeeded")

        status, _, body = self.api.call("POST", path, token=customer)
        self.assertEqual((status, body["code"]), (409, "order_not_payable"))

    def test_a_declined_card_leaves_the_order_payable_by_another_card(self):
        customer = self.races.customers(1)[0]
        order = self.placed_order(customer)
        _, _, opened = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)

        pay.pay(self.stripe_url, opened["provider_payment_id"], DECLINED_CARD)

        def recorded():
            payment = self.table_item(f"ORDER#{order['id']}", "PAYMENT#001")
            return payment if payment["status"]["S"] == "failed" else None

        self.assertTrue(eventually(recorded, timeout=30), "the decline was recorded")
        self.assertEqual(self.order_status(customer, order["id"]), "pending_payment")
        status, _, again = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)
        self.assertEqual((status, again["provider_payment_id"]), (200, opened["provider_payment_id"]),
                         "the customer may try again on the same payment")

        # A second card on the same PaymentIntent, as Stripe accepts it after a decline.
        intent = pay.pay(self.stripe_url, opened["provider_payment_id"], pay.SUCCEEDING_CARD)
        self.assertEqual(intent["status"], "succeeded")
        paid = eventually(lambda: self.order_status(customer, order["id"]) == "paid", timeout=30)
        self.assertTrue(paid, "the second card paid the order")
        self.assertEqual(self.table_item(f"ORDER#{order['id']}", "PAYMENT#001")["status"]["S"], "succeeded")

    def test_webhooks_without_a_valid_signature_are_refused_and_change_nothing(self):
        customer = self.races.customers(1)[0]
        order = self.placed_order(customer)
        _, _, opened = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)
        event_id = f"evt_{uuid.uuid4().hex}"
        body = json.dumps({
            "id": event_id, "object": "event", "type": "payment_intent.succeeded",
            "data": {"object": {"id": opened["provider_payment_id"], "object": "payment_intent",
                                "amount": order["total"], "currency": "eur",
                                "metadata": {"order_id": order["id"], "attempt": "1"}}},
        }).encode()
        now = int(time.time())
        secret = stripe_emulator.webhook_secret()

        def signed(at, key=secret, payload=body):
            # Stripe's own library computes the signature, not ours.
            return f"t={at},v1={stripe.WebhookSignature._compute_signature(f'{at}.{payload.decode()}', key)}"

        refusals = {
            "no header": self.post_webhook(body, None),
            "garbage header": self.post_webhook(body, "hello"),
            "other secret": self.post_webhook(body, signed(now, "whsec_not_ours")),
            "ten minutes old": self.post_webhook(body, signed(now - 600)),
            "body changed after signing": self.post_webhook(body.replace(b'"amount": ', b'"amount": 1'), signed(now)),
        }
        for case, (status, problem) in refusals.items():
            self.assertEqual((status, problem["code"]), (400, "invalid_webhook"), case)
        time.sleep(2)
        self.assertEqual(self.order_status(customer, order["id"]), "pending_payment")
        self.assertIsNone(self.table_item(f"WEBHOOK#stripe#{event_id}", "WEBHOOK"), "a refused event is not recorded")

        header = signed(now)
        stripe.Webhook.construct_event(body.decode(), header, secret)  # Stripe's library agrees
        self.assertEqual(self.post_webhook(body, header), (200, {"received": True}))
        self.assertEqual(self.post_webhook(body, header), (200, {"received": True}), "a redelivery is acknowledged")
        self.assertTrue(eventually(lambda: self.order_status(customer, order["id"]) == "paid", timeout=30))

    def paid_by_card(self, customer, quantity=2):
        order = self.placed_order(customer, quantity)
        _, _, opened = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)
        pay.pay(self.stripe_url, opened["provider_payment_id"], pay.SUCCEEDING_CARD)
        self.assertTrue(eventually(lambda: self.order_status(customer, order["id"]) == "paid", timeout=30))
        return order, opened["provider_payment_id"]

    def refund(self, order_id, body, key=None):
        return self.api.call("POST", f"/orders/{order_id}/refunds", body, self.races.staff,
                             headers={"idempotency-key": key or str(uuid.uuid4())})

    def test_concurrent_refunds_never_give_back_more_than_was_paid(self):
        customer = self.races.customers(1)[0]
        order, intent = self.paid_by_card(customer)
        product = order["lines"][0]["product_id"]
        stock = self.races.stock(product)
        path = f"/orders/{order['id']}/refunds"

        self.assertEqual(self.api.call("POST", path, {"amount": 100, "reason": "x"}, customer,
                                       headers={"idempotency-key": str(uuid.uuid4())})[0], 403)
        status, _, problem = self.api.call("POST", path, {"amount": 100, "reason": "x"}, self.races.staff)
        self.assertEqual((status, problem["code"]), (400, "idempotency_key_required"))
        status, _, problem = self.refund(order["id"], {"amount": 0, "reason": " ", "restock": [{"product_id": product, "quantity": -1}]})
        self.assertEqual((status, sorted(e["field"] for e in problem["errors"])),
                         (422, ["amount", "reason", "restock[0].quantity"]), problem)
        status, _, problem = self.refund(order["id"], {"amount": order["total"] + 1, "reason": "too much"})
        self.assertEqual((status, problem["code"], problem["field"]), (409, "exceeds_refundable", "amount"))

        # Three staff refund 60 % of the order at once: one wins, the others find too little left.
        share = order["total"] * 6 // 10
        answers = at_once([lambda: self.refund(order["id"], {"amount": share, "reason": "damaged",
                                                             "restock": [{"product_id": product, "quantity": 1}]})] * 3)
        self.assertEqual(sorted(status for status, _, _ in answers), [201, 409, 409], answers)
        won = next(body for status, _, body in answers if status == 201)
        self.assertEqual((won["status"], won["order"]["status"], won["order"]["refunded"]),
                         ("succeeded", "partially_refunded", share))
        self.assertEqual(self.races.stock(product), stock + 1, "restocked once")

        key = str(uuid.uuid4())
        rest = order["total"] - share
        first = self.refund(order["id"], {"amount": rest, "reason": "goodwill"}, key)
        replay = self.refund(order["id"], {"amount": rest, "reason": "goodwill"}, key)
        self.assertEqual((first[0], replay[0], replay[1].get("idempotent-replayed")), (201, 201, "true"))
        self.assertEqual(first[2]["order"]["status"], "refunded")
        at_stripe = self.stripe_get(f"/v1/refunds?payment_intent={intent}")["data"]
        self.assertEqual(sorted(r["amount"] for r in at_stripe), sorted([share, rest]),
                         "Stripe refunded exactly what Tillbox recorded, once each")
        status, _, problem = self.refund(order["id"], {"amount": 1, "reason": "more"})
        self.assertEqual((status, problem["code"]), (409, "order_not_refundable"))

    def test_a_paid_order_has_a_receipt_for_its_owner_only(self):
        customer, stranger = self.races.customers(2)
        unpaid = self.placed_order(customer)
        status, _, problem = self.api.call("GET", f"/orders/{unpaid['id']}/receipt", token=customer)
        self.assertEqual((status, problem["code"]), (409, "order_not_paid"))

        order, intent = self.paid_by_card(customer)
        path = f"/orders/{order['id']}/receipt"
        self.assertEqual(self.api.call("GET", path, token=stranger)[0], 404)
        self.assertEqual(self.api.call("GET", path)[0], 401)

        def redirect(token=customer):
            request = urllib.request.Request(self.gateway.url + path, headers={"authorization": f"Bearer {token}"})
            opener = urllib.request.build_opener(NoRedirect)
            try:
                with opener.open(request, timeout=30) as r:
                    return None if r.status != 302 else r.headers
            except urllib.error.HTTPError as e:
                with e:
                    return dict(e.headers) if e.code == 302 else None

        headers = eventually(redirect, timeout=30)
        self.assertTrue(headers, "the receipts job printed the receipt")
        self.assertEqual(headers["cache-control"], "no-store")
        self.assertIn("X-Amz-Expires=300", headers["location"], "the link works five minutes")
        with urllib.request.urlopen(headers["location"], timeout=30) as r:
            pdf = r.read()
        self.assertTrue(pdf.startswith(b"%PDF-"), pdf[:20])
        self.assertLess(len(pdf), 100_000, "the embedded font is subset")
        self.assertTrue(redirect(self.races.staff), "staff can fetch any receipt")

    def signed_fixture(self, name, order, intent, **changes):
        """A recorded Stripe event (shared/tests/fixtures/stripe) made about `order`, with
        a fresh id, signed with the local webhook secret by Stripe's library."""
        event = json.loads((FIXTURES / f"{name}.json").read_text())
        event["id"] = f"evt_{uuid.uuid4().hex}"
        obj = event["data"]["object"]
        obj["payment_intent"] = intent
        if "metadata" in obj and obj["metadata"].get("order_id"):
            obj["metadata"]["order_id"] = order["id"]
        obj.update(changes)
        body = json.dumps(event).encode()
        at = int(time.time())
        signature = stripe.WebhookSignature._compute_signature(f"{at}.{body.decode()}", stripe_emulator.webhook_secret())
        return body, f"t={at},v1={signature}"

    def test_a_dashboard_refund_and_a_dispute_reach_the_order_and_staff(self):
        customer = self.races.customers(1)[0]
        order, intent = self.paid_by_card(customer)

        body, signature = self.signed_fixture("charge.refunded", order, intent, amount_refunded=1000)
        self.assertEqual(self.post_webhook(body, signature)[0], 200)
        def order_refunded_1000():
            current = self.api.call("GET", f"/orders/{order['id']}", token=customer)[2]
            return current if current["refunded"] == 1000 else None

        refunded = eventually(order_refunded_1000, timeout=30)
        self.assertEqual(refunded["status"], "partially_refunded", "a refund made in the Dashboard is on the order")

        body, signature = self.signed_fixture("charge.dispute.created", order, intent, amount=order["total"])
        self.assertEqual(self.post_webhook(body, signature)[0], 200)
        self.assertEqual(self.post_webhook(body, signature)[0], 200, "redelivered")
        mails = eventually(lambda: [s for s, b in emails_to(self.stack["endpoint"], "staff@tillbox.local")
                                    if order["id"] in b], timeout=30)
        self.assertEqual(len(mails or []), 1, "staff are told once")
        self.assertIn("disputed", mails[0])

    def test_a_payment_landing_on_an_expired_order_is_refunded_and_the_customer_told(self):
        address = f"late.{uuid.uuid4().hex[:8]}@example.com"
        password = "plum-harbour-47-kettle"
        self.assertEqual(self.api.call("POST", "/auth/signup", {"email": address, "password": password})[0], 202)
        mails = eventually(lambda: emails_to(self.stack["endpoint"], address), timeout=30)
        self.assertEqual(self.api.call("POST", "/auth/verify-email", {"token": token_in(mails[0][1])})[0], 204)
        customer = self.api.call("POST", "/auth/login", {"email": address, "password": password})[2]["access_token"]
        order = self.placed_order(customer)
        _, _, opened = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)

        # The customer pays in the moment between the expiry and the payments job
        # cancelling the PaymentIntent at Stripe. To hold that moment open, the order
        # is expired by a write of its own here (no order.cancelled event): what the
        # expiry job's write looks like before its event reaches the payments job.
        at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.client("dynamodb").update_item(
            TableName=self.table_name(),
            Key={"PK": {"S": f"ORDER#{order['id']}"}, "SK": {"S": "ORDER"}},
            UpdateExpression="SET #s = :cancelled, GSI2PK = :index, cancel_reason = :expired, cancelled_at = :at, "
                             "version = version + :one",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":cancelled": {"S": "cancelled"}, ":index": {"S": "ORDERS#cancelled"},
                                       ":expired": {"S": "expired"}, ":at": {"S": at}, ":one": {"N": "1"}},
        )
        self.assertEqual(self.order_status(customer, order["id"]), "cancelled")

        pay.pay(self.stripe_url, opened["provider_payment_id"], pay.SUCCEEDING_CARD)

        def refunds():
            listed = self.stripe_get(f"/v1/refunds?payment_intent={opened['provider_payment_id']}")["data"]
            return listed or None

        refunded = eventually(refunds, timeout=30)
        self.assertEqual([r["amount"] for r in refunded or []], [order["total"]], "refunded in full, once")
        self.assertEqual(self.order_status(customer, order["id"]), "cancelled", "never both cancelled and paid")
        subjects = eventually(lambda: [s for s, _ in emails_to(self.stack["endpoint"], address) if "refund" in s.lower()],
                              timeout=30)
        self.assertEqual(len(subjects or []), 1, subjects)

    def intent_at_stripe(self, intent):
        return self.stripe_get(f"/v1/payment_intents/{intent}")

    def test_an_order_that_ends_unpaid_can_no_longer_be_paid(self):
        customer = self.races.customers(1)[0]
        order = self.placed_order(customer)
        _, _, opened = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)
        intent = opened["provider_payment_id"]
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/cancel", token=customer)[0], 200)

        cancelled = eventually(lambda: self.intent_at_stripe(intent)["status"] == "canceled", timeout=30)
        self.assertTrue(cancelled, "the payments job cancelled the PaymentIntent at Stripe")
        with self.assertRaises(pay.Refused, msg="a cancelled order's payment cannot be paid"):
            pay.pay(self.stripe_url, intent, pay.SUCCEEDING_CARD)
        self.assertEqual(self.table_item(f"ORDER#{order['id']}", "PAYMENT#001")["status"]["S"], "cancelled")

    def test_a_payment_of_another_amount_goes_back_when_its_order_is_cancelled(self):
        customer = self.races.customers(1)[0]
        order = self.placed_order(customer)
        _, _, opened = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)
        intent = opened["provider_payment_id"]
        # Someone with the Stripe account changes the amount before the customer pays.
        pay.call(self.stripe_url, f"/v1/payment_intents/{intent}", {"amount": "100"})
        pay.pay(self.stripe_url, intent, pay.SUCCEEDING_CARD)

        def flagged():
            payment = self.table_item(f"ORDER#{order['id']}", "PAYMENT#001")
            return payment if payment["status"]["S"] == "amount_mismatch" else None

        self.assertTrue(eventually(flagged, timeout=30), "the mismatch is flagged")
        self.assertEqual(self.order_status(customer, order["id"]), "pending_payment", "100 does not pay the order")

        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/cancel", token=customer)[0], 200)
        refunded = eventually(lambda: self.stripe_get(f"/v1/refunds?payment_intent={intent}")["data"], timeout=30)
        self.assertEqual([r["amount"] for r in refunded or []], [100], "the 100 taken went back, once")
        self.assertEqual(self.order_status(customer, order["id"]), "cancelled")

    def test_a_contradicting_capture_report_changes_nothing(self):
        customer = self.races.customers(1)[0]
        order, intent = self.paid_by_card(customer)
        body, signature = self.signed_fixture("payment_intent.succeeded", order, intent, id=intent, amount=5)
        self.assertEqual(self.post_webhook(body, signature), (200, {"received": True}))

        def audited():
            _, _, page = self.api.call("GET", "/admin/audit?action=payment.report_contradicted&limit=100",
                                       token=self.admin)
            return [r for r in page.get("items", []) if order["id"] in r["target"]] or None

        self.assertTrue(eventually(audited, timeout=30), "the contradicting report is audited")
        self.assertEqual(self.table_item(f"ORDER#{order['id']}", "PAYMENT#001")["status"]["S"], "succeeded")
        self.assertEqual(self.order_status(customer, order["id"]), "paid")

    def test_a_refund_key_answers_only_its_own_caller_and_body(self):
        customer = self.races.customers(1)[0]
        order, intent = self.paid_by_card(customer)
        other_staff = token("staff", f"other-staff-{uuid.uuid4().hex[:8]}", self.races.bin_dir)
        key = str(uuid.uuid4())
        path = f"/orders/{order['id']}/refunds"
        first = self.api.call("POST", path, {"amount": 100, "reason": "scratch"}, self.races.staff,
                              headers={"idempotency-key": key})
        self.assertEqual(first[0], 201, first)
        status, _, problem = self.api.call("POST", path, {"amount": 500, "reason": "scratch"}, other_staff,
                                           headers={"idempotency-key": key})
        self.assertEqual((status, problem["code"], problem["field"]), (422, "idempotency_key_reused", "Idempotency-Key"))
        at_stripe = self.stripe_get(f"/v1/refunds?payment_intent={intent}")["data"]
        self.assertEqual([r["amount"] for r in at_stripe], [100], "only the first refund moved money")
        mine = self.api.call("POST", path, {"amount": 500, "reason": "scratch"}, other_staff,
                             headers={"idempotency-key": str(uuid.uuid4())})
        self.assertEqual((mine[0], mine[2]["amount"], mine[1].get("idempotent-replayed")), (201, 500, None))

    def test_a_hand_paid_order_is_refunded_after_a_duplicate_card_payment_went_back(self):
        customer = self.races.customers(1)[0]
        order = self.placed_order(customer)
        _, _, opened = self.api.call("POST", f"/orders/{order['id']}/payment", token=customer)
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=self.races.staff)[0], 200)
        pay.pay(self.stripe_url, opened["provider_payment_id"], pay.SUCCEEDING_CARD)
        refunds = f"/v1/refunds?payment_intent={opened['provider_payment_id']}"
        self.assertTrue(eventually(lambda: self.stripe_get(refunds)["data"], timeout=30), "the duplicate went back")

        status, _, refund = self.refund(order["id"], {"amount": order["total"], "reason": "returned"})
        self.assertEqual((status, refund.get("status"), refund.get("order", {}).get("status")),
                         (201, "succeeded", "refunded"), refund)
        self.assertEqual(len(self.stripe_get(refunds)["data"]), 1, "staff's refund is by hand, not through Stripe")

    def test_a_disputed_order_is_held_until_the_dispute_closes(self):
        customer = self.races.customers(1)[0]
        order, intent = self.paid_by_card(customer)
        shipment = {"carrier": "DHL", "tracking_number": "JJD000390007654321"}
        body, signature = self.signed_fixture("charge.dispute.created", order, intent, amount=order["total"])
        self.assertEqual(self.post_webhook(body, signature)[0], 200)

        def held():
            status, _, problem = self.api.call("POST", f"/orders/{order['id']}/fulfil", shipment, self.races.staff)
            return problem if status == 409 else None

        problem = eventually(held, timeout=30)
        self.assertEqual((problem or {}).get("code"), "payment_disputed", problem)
        self.assertEqual(self.order_status(customer, order["id"]), "paid")

        body, signature = self.signed_fixture("charge.dispute.closed", order, intent, amount=order["total"],
                                              status="won")
        self.assertEqual(self.post_webhook(body, signature)[0], 200)

        def fulfilled():
            status, _, _ = self.api.call("POST", f"/orders/{order['id']}/fulfil", shipment, self.races.staff)
            return status == 200

        self.assertTrue(eventually(fulfilled, timeout=30), "a won dispute releases the order")

    def test_a_signed_event_tillbox_cannot_read_is_parked_for_an_operator(self):
        sqs = self.client("sqs")
        parked_url = self.stack["resources"]["PaymentsDeadLetterQueue"]["ref"]
        at = int(time.time())
        marker = uuid.uuid4().hex
        unexpected_shape = json.dumps({"id": f"evt_{marker}", "object": "event", "type": "payment_intent.succeeded",
                                       "data": {"object": {"id": 5}}}).encode()
        not_json = f"not an event {marker} ".encode() + b"\xff"
        for body in (unexpected_shape, not_json):
            # Over the exact bytes, as Stripe signs.
            tag = hmac.new(stripe_emulator.webhook_secret().encode(), f"{at}.".encode() + body, hashlib.sha256)
            header = f"t={at},v1={tag.hexdigest()}"
            self.assertEqual(self.post_webhook(body, header), (200, {"received": True}))
            self.assertEqual(self.post_webhook(body, header), (200, {"received": True}), "Stripe's retry")

        def parked():
            found = []
            for _ in range(5):
                messages = sqs.receive_message(QueueUrl=parked_url, MaxNumberOfMessages=10, VisibilityTimeout=60,
                                               WaitTimeSeconds=1).get("Messages", [])
                found += [m["Body"] for m in messages if marker in m["Body"]]
            return found

        bodies = parked()
        self.assertEqual(len(bodies), 2, f"each parked once, however often Stripe sends it: {bodies}")
        shaped = next(b for b in bodies if b.startswith("{"))
        self.assertEqual(json.loads(shaped)["data"]["object"], {"id": 5}, "parked as Stripe sent it")
        self.assertIsNotNone(self.table_item(f"WEBHOOK#stripe#evt_{marker}", "WEBHOOK"), "remembered")

if __name__ == "__main__":
    unittest.main()
