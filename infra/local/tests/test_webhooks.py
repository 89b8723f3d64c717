"""Outgoing webhooks end to end: an admin registers a receiver on loopback ->
an order is placed and paid -> outbox -> stream -> fan-out -> webhooks queue ->
webhooks job -> signed POSTs the reference Standard Webhooks implementation
accepts; a receiver failing twice gets the event on the third attempt, all three
listed; a rotation signs with both secrets; 410 disables the endpoint and staff
are e-mailed; private, loopback and metadata addresses are refused."""

import json
import socket
import unittest
import uuid

from standardwebhooks.webhooks import Webhook
from tillbox_local.races import at_once
from tillbox_local.webhook_receiver import Receiver

from tests.test_local_stack import GatewayTestCase, emails_to, eventually

STAFF_EMAIL = "staff@tillbox.local"


class WebhooksThroughTheGatewayTest(GatewayTestCase):
    prefix = "hook"

    def setUp(self):
        self.receiver = Receiver().start()
        self.addCleanup(self.receiver.stop)

    def register(self, url, events=("*",), token=None):
        return self.api.call("POST", "/admin/webhooks", {"url": url, "events": list(events)}, token=token or self.admin)

    def registered(self, events=("*",)):
        status, headers, endpoint = self.register(self.receiver.url, events)
        self.assertEqual(status, 201, endpoint)
        self.assertTrue(endpoint["secret"].startswith("whsec_"))
        self.assertEqual(headers["location"], f"/admin/webhooks/{endpoint['id']}")
        self.receiver.secret = endpoint["secret"]
        self.addCleanup(self.api.call, "DELETE", f"/admin/webhooks/{endpoint['id']}", token=self.admin)
        return endpoint

    def received(self, kind, order_id, count=1):
        """The requests carrying `kind` for `order_id`, once `count` arrived."""
        def matching():
            found = [(h, b, v) for h, b, v in list(self.receiver.received)
                     if f'"{kind}"' in b.decode() and order_id in b.decode()]
            return found if len(found) >= count else None
        return eventually(matching, timeout=60) or []

    def placed_order(self):
        customer, = self.races.customers(1)
        status, _, order = self.races.order(customer, self.races.product(5))
        self.assertEqual(status, 201, order)
        return order

    def test_private_loopback_and_metadata_addresses_are_refused(self):
        hostname = socket.gethostname()
        urls = ["http://169.254.169.254/", "http://10.0.0.1/", "http://[::1]/", "https://[::1]/",
                "https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/", "http://localhost:8080/",
                "https://localhost/hooks", "ftp://hooks.example.com/", "not a url"]
        if all(not addr[4][0].startswith(("8.", "1.")) for addr in socket.getaddrinfo(hostname, 443)):
            urls.append(f"https://{hostname}/hooks")  # a name resolving to this machine's private address
        for url in urls:
            status, _, problem = self.register(url)
            self.assertEqual(status, 422, (url, problem))
            self.assertEqual(problem["field"], "url", problem)
        status, _, problem = self.register(self.receiver.url, token=self.staff)
        self.assertEqual((status, problem["code"]), (403, "forbidden"))
        status, _, problem = self.register(self.receiver.url, events=["order.shipped"])
        self.assertEqual((status, problem["field"]), (422, "events"))
        status, _, page = self.api.call("GET", "/admin/webhooks", token=self.admin)
        self.assertNotIn(self.receiver.url, [e["url"] for e in page["items"]] if status == 200 else [], page)

    def test_a_double_click_with_one_idempotency_key_registers_one_endpoint(self):
        url = self.receiver.url + "/double-click"
        key = {"idempotency-key": f"hook-{uuid.uuid4()}"}
        answers = at_once([lambda: self.api.call("POST", "/admin/webhooks", {"url": url, "events": ["*"]},
                                                 self.admin, key) for _ in range(2)])
        created = [body for status, _, body in answers if status == 201]
        self.assertTrue(created, answers)
        for status, headers, body in answers:
            self.assertIn(status, (201, 409), body)
        first = next(body for status, headers, body in answers
                     if status == 201 and headers.get("idempotent-replayed") != "true")
        self.assertTrue(first["secret"].startswith("whsec_"))
        status, headers, replay = self.api.call("POST", "/admin/webhooks", {"url": url, "events": ["*"]},
                                                self.admin, key)
        self.assertEqual((status, headers.get("idempotent-replayed"), replay["id"]), (201, "true", first["id"]))
        self.assertNotIn("secret", replay, "the replay record keeps no secret")
        status, _, page = self.api.call("GET", "/admin/webhooks?limit=100", token=self.admin)
        mine = [e for e in page["items"] if e["url"] == url]
        self.assertEqual(len(mine), 1, mine)
        stored = self.client("dynamodb").scan(TableName=self.table_name())["Items"]
        holding = [i["PK"]["S"] for i in stored if first["secret"] in json.dumps(i)]
        self.assertEqual(holding, [f"HOOK#{first['id']}"], "only the endpoint, which signs with it")
        self.api.call("DELETE", f"/admin/webhooks/{mine[0]['id']}", token=self.admin)

    def test_placed_and_paid_orders_arrive_signed_and_a_receiver_failing_twice_gets_the_third_attempt(self):
        endpoint = self.registered(["order.placed", "order.paid"])
        order = self.placed_order()
        status, _, paid = self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=self.staff)
        self.assertEqual(status, 200, paid)
        for kind in ("order.placed", "order.paid"):
            [(headers, body, verified)] = self.received(kind, order["id"])
            self.assertTrue(verified, (kind, headers))
            payload = Webhook(endpoint["secret"]).verify(body, headers)
            self.assertEqual((payload["type"], payload["version"]), (kind, 1))
            self.assertEqual(payload["data"]["order_id"], order["id"])
            self.assertEqual(payload["data"]["order"]["id"], order["id"])
        self.assertNotIn("user.signed_up", [b["type"] for b in self.receiver.bodies()], "not subscribed")

        self.receiver.script = [500, 503]
        order = self.placed_order()
        attempts = self.received("order.placed", order["id"], count=3)
        self.assertEqual(len(attempts), 3, self.receiver.received)
        self.assertEqual(len({h["webhook-id"] for h, _, _ in attempts}), 1, "one webhook-id across retries")
        self.assertEqual(len({b for _, b, _ in attempts}), 1, "the same bytes on every attempt")
        self.assertTrue(all(v for _, _, v in attempts))

        def delivered():
            status, _, page = self.api.call("GET", f"/admin/webhooks/{endpoint['id']}/deliveries", token=self.admin)
            self.assertEqual(status, 200, page)
            mine = [d for d in page["items"] if order["id"] in d["payload"] and d["event_type"] == "order.placed"]
            return mine if mine and mine[0]["status"] == "delivered" else None
        [delivery] = eventually(delivered, timeout=30) or [None]
        self.assertIsNotNone(delivery)
        self.assertEqual([a["status"] for a in delivery["attempts"]], [500, 503, 200])
        self.assertEqual(delivery["attempts"][0]["response"], "answered 500")

        status, _, again = self.api.call(
            "POST", f"/admin/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/redeliver", token=self.admin)
        self.assertEqual((status, again["status"]), (202, "pending"))
        self.assertEqual(len(self.received("order.placed", order["id"], count=4)), 4)
        status, _, trail = self.api.call("GET", "/admin/audit?action=webhook.redelivered", token=self.admin)
        self.assertEqual(status, 200, trail)
        self.assertIn(f"webhook:{endpoint['id']}", [r["target"] for r in trail["items"]], "the redelivery is audited")

    def test_a_rotated_secret_signs_beside_the_old_one_and_410_disables_the_endpoint(self):
        endpoint = self.registered(["order.placed"])
        old_secret = endpoint["secret"]
        status, _, rotated = self.api.call("POST", f"/admin/webhooks/{endpoint['id']}/rotate-secret", token=self.admin)
        self.assertEqual(status, 200, rotated)
        self.assertNotEqual(rotated["secret"], old_secret)
        status, _, shown = self.api.call("GET", f"/admin/webhooks/{endpoint['id']}", token=self.admin)
        self.assertNotIn("secret", shown, "the secret is shown only on creation and rotation")

        order = self.placed_order()
        [(headers, body, _)] = self.received("order.placed", order["id"])
        self.assertEqual(len(headers["webhook-signature"].split(" ")), 2, headers)
        Webhook(old_secret).verify(body, headers)
        Webhook(rotated["secret"]).verify(body, headers)

        self.receiver.script = [410]
        order = self.placed_order()
        self.received("order.placed", order["id"])

        def disabled():
            status, _, shown = self.api.call("GET", f"/admin/webhooks/{endpoint['id']}", token=self.admin)
            return shown if not shown["enabled"] else None
        shown = eventually(disabled, timeout=30)
        self.assertIsNotNone(shown)
        self.assertIn("410", shown["disabled_reason"])
        mails = eventually(lambda: [s for s, body in emails_to(self.stack["endpoint"], STAFF_EMAIL)
                                    if endpoint["id"] in body], timeout=30)
        self.assertTrue(mails, "staff are told")


if __name__ == "__main__":
    unittest.main()
