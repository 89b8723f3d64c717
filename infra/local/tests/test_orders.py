"""Orders end to end through the gateway and the function binaries, each function
scaled to several concurrent processes as Lambda would: the races of
`infra/local/tillbox_local/races.py`, the expiry job fired twice at once by the scheduler, and
the order e-mails (outbox -> stream -> fan-out -> emails queue -> e-mail job -> SES)."""

import sys
import unittest
import uuid
from datetime import datetime, timedelta, timezone

from tillbox_local.races import at_once

from tests.test_local_stack import GatewayTestCase, emails_to, eventually, token_in


class OrdersThroughTheGatewayTest(GatewayTestCase):
    prefix = "ord"

    def test_two_hundred_buyers_for_fifty_in_stock(self):
        result = self.races.stock_race(buyers=200, stock=50)
        self.assertEqual(result["created"], 50)
        self.assertGreater(self.runtimes["OrdersCreateFunction"].cold_starts, 1, "the function scaled out")

    def test_twenty_concurrent_requests_with_one_key(self):
        self.assertEqual(self.races.same_key_race(requests=20)["orders_stored"], 1)

    def test_a_code_limited_to_ten_uses_raced_by_fifty(self):
        self.assertEqual(self.races.discount_race(racers=50, limit=10)["uses"], 10)

    def test_orders_per_second_at_1_8_and_32_clients(self):
        runs = {clients: self.races.throughput(clients, max(1, 32 // clients)) for clients in (1, 8, 32)}
        print(f"\n  orders/s through the test gateway: { {c: round(rate, 1) for c, (rate, _) in runs.items()} }",
              file=sys.stderr)
        self.assertTrue(all(rate > 0 for rate, _ in runs.values()))
        # What placing an order costs the table, counted by the emulator: the
        # idempotency record (begin, complete), the hourly limit, the products, the
        # tax settings, and the one transaction. No Query or Scan: reading the
        # customer's orders for the open-order limit made every order slower as
        # the table grew.
        for clients, (_, calls) in runs.items():
            placing = calls["per_order"]["OrdersCreateFunction"]
            self.assertEqual(sum(placing.values()), 6, (clients, placing))
            self.assertEqual(placing.get("TransactWriteItems"), 1, (clients, placing))
            self.assertFalse({"Query", "Scan"} & placing.keys(), (clients, placing))

    def backdate(self, order_id, hours):
        """Makes an order look placed `hours` ago: the job's cutoff is an hour."""
        at = (datetime.now(timezone.utc) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.client("dynamodb").update_item(
            TableName=self.table_name(),
            Key={"PK": {"S": f"ORDER#{order_id}"}, "SK": {"S": "ORDER"}},
            UpdateExpression="SET created_at = :at, GSI1SK = :sort, GSI2SK = :sort",
            ExpressionAttributeValues={":at": {"S": at}, ":sort": {"S": f"{at}#{order_id}"}},
        )

    def test_the_expiry_job_fired_twice_at_once_releases_stock_once(self):
        product = self.races.product(5)
        customer = self.races.customers(1)[0]
        status, _, stale = self.races.order(customer, product, quantity=2)
        self.assertEqual(status, 201, stale)
        status, _, fresh = self.races.order(customer, product, quantity=1)
        self.assertEqual(status, 201, fresh)
        self.backdate(stale["id"], hours=2)

        fire = lambda: self.api.call("POST", "/_local/schedules/ExpireOrdersFunction")  # noqa: E731
        reports = [body["result"] for _, _, body in at_once([fire, fire]) + [fire()]]
        self.assertEqual(sum(r["cancelled"] for r in reports), 1, reports)
        self.assertEqual(self.races.stock(product), 4, "the stale order's 2 came back once; the fresh one keeps 1")
        _, _, order = self.api.call("GET", f"/orders/{stale['id']}", token=customer)
        self.assertEqual((order["status"], order["cancel_reason"]), ("cancelled", "expired"))
        _, _, kept = self.api.call("GET", f"/orders/{fresh['id']}", token=customer)
        self.assertEqual(kept["status"], "pending_payment")

    def test_rejected_writes_do_not_silence_the_event_stream(self):
        """Each refusal below cancels a transaction in the table; the events of
        every later write still flow: a sign-up's e-mail arrives within seconds."""
        staff = self.races.staff
        product = {"sku": f"DUP-{uuid.uuid4().hex[:8]}", "name": "Mug", "price": {"amount": 900, "currency": "EUR"},
                   "stock": 1, "status": "active"}
        status, _, created = self.api.call("POST", "/products", product, staff)
        self.assertEqual(status, 201, created)
        status, _, body = self.api.call("POST", "/products", product, staff)
        self.assertEqual((status, body["code"]), (409, "sku_taken"))

        first, second = self.races.customers(2)
        status, _, body = self.races.order(first, created["id"], quantity=2)
        self.assertEqual((status, body["code"]), (409, "out_of_stock"))
        code = f"ONCE{uuid.uuid4().hex[:8]}".upper()
        self.assertEqual(self.api.call("POST", "/discounts", {
            "code": code, "kind": "percentage", "percent": 10, "usage_limit": 1}, staff)[0], 201)
        roomy = self.races.product(5)
        self.assertEqual(self.races.order(first, roomy, code=code)[0], 201)
        status, _, body = self.races.order(second, roomy, code=code)
        self.assertEqual((status, body["field"]), (422, "discount_code"))

        address = f"after.{uuid.uuid4().hex[:8]}@example.com"
        signup = {"email": address, "password": "plum-harbour-47-kettle"}
        self.assertEqual(self.api.call("POST", "/auth/signup", signup)[0], 202)
        mails = eventually(lambda: emails_to(self.stack["endpoint"], address), timeout=10)
        self.assertTrue(mails, "the verification e-mail arrived within 10 s")

    def test_a_buyer_is_emailed_when_the_order_is_paid_and_shipped(self):
        address = f"buyer.{uuid.uuid4().hex[:8]}@example.com"
        password = "plum-harbour-47-kettle"
        self.assertEqual(self.api.call("POST", "/auth/signup", {"email": address, "password": password})[0], 202)
        mails = eventually(lambda: emails_to(self.stack["endpoint"], address), timeout=30)
        self.assertEqual(self.api.call("POST", "/auth/verify-email", {"token": token_in(mails[0][1])})[0], 204)
        _, _, tokens = self.api.call("POST", "/auth/login", {"email": address, "password": password})
        customer = tokens["access_token"]

        product = self.races.product(3)
        status, _, order = self.races.order(customer, product, quantity=2)
        self.assertEqual(status, 201, order)
        staff = self.races.staff
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=staff)[0], 200)
        shipment = {"carrier": "DHL", "tracking_number": "JJD000390007654321"}
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/fulfil", shipment, staff)[0], 200)

        def order_mails():
            subjects = [s for s, _ in emails_to(self.stack["endpoint"], address)]
            return subjects if any("shipped" in s for s in subjects) else None

        subjects = eventually(order_mails, timeout=30)
        self.assertTrue(subjects, "the shipping e-mail arrived")
        self.assertEqual(sum("order confirmed" in s for s in subjects), 1, subjects)
        self.assertEqual(sum("shipped" in s for s in subjects), 1, subjects)
        shipped = next(b for s, b in emails_to(self.stack["endpoint"], address) if "shipped" in s)
        self.assertIn("JJD000390007654321", shipped)
        self.assertIn("50.00 EUR", shipped)


if __name__ == "__main__":
    unittest.main()
