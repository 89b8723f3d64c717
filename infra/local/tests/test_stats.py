"""Admin stats end to end: orders placed, paid, cancelled and refunded through the
gateway -> outbox -> stream -> fan-out -> stats queue -> stats job -> exact
counters in GET /admin/stats; then `tillbox-admin republish` puts every event
through the stream again, and the numbers do not move."""

import os
import subprocess
import time
import unittest
import uuid

from tests.test_local_stack import BIN_DIR, GatewayTestCase, eventually


class StatsThroughTheGatewayTest(GatewayTestCase):
    prefix = "stats"

    def stats(self, query="", token=None):
        return self.api.call("GET", f"/admin/stats{query}", token=token or self.admin)

    def today(self):
        day = time.strftime("%Y-%m-%d", time.gmtime())
        status, _, body = self.stats(f"?from={day}&to={day}&granularity=day")
        self.assertEqual(status, 200, body)
        return body

    def settled(self, **counted):
        """Today's stats once each counter named reached its value (the events can
        arrive in any order, each through the stream, the fan-out and the queue)
        and the stats queue is empty; a counter past its value shows in the
        caller's exact comparison."""
        queue = self.stack["resources"]["StatsQueue"]["ref"]

        def drained():
            attributes = self.client("sqs").get_queue_attributes(
                QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
            return all(int(v) == 0 for v in attributes["Attributes"].values())

        def done():
            body = self.today()
            reached = all(body["totals"][name] >= value for name, value in counted.items())
            return body if reached and drained() else None
        body = eventually(done, timeout=90)
        self.assertTrue(body, f"counted {counted}: {self.today()['totals']}")
        return body

    def call(self, method, path, body=None, token=None, key=None):
        status, _, answer = self.api.call(method, path, body, token or self.staff,
                                          {"idempotency-key": key} if key else None)
        self.assertLess(status, 300, (method, path, answer))
        return answer

    def republish(self, *args):
        """Runs `tillbox-admin republish` on this stack's table; returns how many events it re-published."""
        env = {**os.environ, "TABLE_NAME": self.table_name()}
        run = subprocess.run([str(BIN_DIR / "tillbox-admin"), "republish", *args],
                             env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        last = run.stdout.strip().splitlines()[-1]
        self.assertTrue(last.startswith("re-published "), run.stdout)
        return int(last.split()[1])

    def test_a_days_numbers_are_exact_and_a_replay_does_not_move_them(self):
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 5))
        mugs, tees = self.races.product(100), self.races.product(100)
        ann, bob = self.races.customers(2)
        orders = []
        for customer, product, quantity in [(ann, mugs, 2), (ann, tees, 1), (bob, mugs, 1), (bob, tees, 3),
                                            (ann, mugs, 1)]:
            status, _, order = self.races.order(customer, product, quantity=quantity)
            self.assertEqual(status, 201, order)
            orders.append(order)
        for order in orders[:3]:
            self.call("POST", f"/orders/{order['id']}/mark-paid")
        self.call("POST", f"/orders/{orders[3]['id']}/cancel")
        self.call("POST", f"/orders/{orders[0]['id']}/refunds", {"amount": 700, "reason": "chipped"},
                  key=str(uuid.uuid4()))

        before = self.settled(orders_placed=5, orders_paid=3, orders_cancelled=1, refunds=1)
        totals = before["totals"]
        self.assertEqual((totals["orders_placed"], totals["orders_paid"], totals["orders_cancelled"], totals["refunds"]),
                         (5, 3, 1, 1), totals)
        # Orders with no address and no origin set: nothing taxed, nothing shipped.
        gross = sum(o["total"] for o in orders[:3])
        self.assertEqual(totals["currencies"]["EUR"], {
            "gross": gross, "revenue": gross, "tax": 0, "shipping": 0, "refunded": 700, "net": gross - 700,
            "orders_paid": 3, "average_order_value": round(gross / 3)})
        top, = before["top_products"]
        self.assertEqual([(p["product_id"], p["units"]) for p in top["by_units"]], [(mugs, 3), (tees, 1)],
                         "paid orders only: the cancelled order sold nothing")
        self.assertEqual([d["date"] for d in before["days"]], [before["from"]])

        # Both ways an operator starts: from an event, and from the dead-letter
        # message's arrival time (which can be later than the events' own times).
        self.assertGreaterEqual(self.republish("--from", self.outbox_event_of(orders[0]["id"])), 5 + 3 + 1 + 1)
        self.assertGreaterEqual(self.republish("--since", started), 5 + 3 + 1 + 1)

        # A new order after the replay: once it is counted, so is everything the
        # stream carried before it.
        sentinel, = self.races.customers(1)
        self.assertEqual(self.races.order(sentinel, mugs)[0], 201)
        after = self.settled(orders_placed=6, orders_paid=3, orders_cancelled=1, refunds=1)
        after["totals"]["orders_placed"] -= 1
        after["days"][0]["orders_placed"] -= 1
        self.assertEqual(after, before, "re-published events were not counted again")

    def outbox_event_of(self, order_id):
        """The id of the `order.placed` event of `order_id`, read from the outbox."""
        items = self.client("dynamodb").scan(
            TableName=self.table_name(),
            FilterExpression="begins_with(PK, :p) AND contains(payload, :order) AND event_type = :type",
            ExpressionAttributeValues={":p": {"S": "OUTBOX#"}, ":order": {"S": order_id},
                                       ":type": {"S": "order.placed"}})["Items"]
        self.assertEqual(len(items), 1, items)
        return items[0]["PK"]["S"].removeprefix("OUTBOX#")

    def test_only_admins_read_stats_and_bad_ranges_name_the_parameter(self):
        status, _, problem = self.stats(token=self.staff)
        self.assertEqual((status, problem["code"]), (403, "forbidden"))
        status, _, body = self.stats()
        self.assertEqual((status, len(body["days"])), (200, 30), "the last 30 days by default")
        for query, field in [("?from=2026-13-01", "from"), ("?to=yesterday", "to"), ("?granularity=week", "granularity"),
                             ("?from=2024-01-01&to=2026-01-01", "from"), ("?from=2026-11-22&to=2026-11-21", "from")]:
            status, headers, problem = self.stats(query)
            self.assertEqual((status, problem["code"]), (400, "invalid_query"), (query, problem))
            self.assertEqual(headers["content-type"], "application/problem+json")
            self.assertIn(field, [e["field"] for e in problem["errors"]], (query, problem))


if __name__ == "__main__":
    unittest.main()
