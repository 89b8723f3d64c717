"""Live updates end to end, with a real WebSocket client on the local WebSocket
API: an order's change goes outbox -> stream -> fan-out -> live queue -> push
job -> management API -> the connections following it. Customers follow their
own orders, a guest the order of their link, staff any order and the feed."""

import json
import time
import uuid

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tillbox_local.webhook_receiver import Receiver

from tests.test_local_stack import GatewayTestCase, emails_to, eventually, token as role_token, token_in
from tillbox_local.tokens import token

PROTOCOL = "tillbox-live"


class LiveTest(GatewayTestCase):
    prefix = "live"
    # Webhook deliveries give up after two attempts a second apart (the feed test).
    parameters = {"PaymentProvider": "manual", "WebhookRetrySchedule": "0,1"}

    def open(self, access_token=None, protocols=None):
        offered = protocols if protocols is not None else [PROTOCOL, *([access_token] if access_token else [])]
        socket = connect(self.gateway.live_url, subprotocols=offered or None, open_timeout=30)
        self.addCleanup(socket.close)
        return socket

    def refused(self, **kwargs):
        with self.assertRaises(InvalidStatus) as refusal:
            self.open(**kwargs)
        return refusal.exception.response.status_code

    @staticmethod
    def ask(socket, message):
        """The answer to `message` (pushes arriving meanwhile are passed over)."""
        socket.send(message if isinstance(message, str) else json.dumps(message))
        while True:
            answer = json.loads(socket.recv(timeout=30))
            if answer["type"] in ("subscribed", "error"):
                return answer

    def follow(self, socket, topic, **extra):
        answer = self.ask(socket, {"action": "subscribe", "topic": topic, **extra})
        self.assertEqual(answer, {"type": "subscribed", "topic": topic})

    @staticmethod
    def updates(socket, count, order_id, types=None, timeout=30):
        """The next `count` pushes about `order_id` (of `types`, when given), in
        arrival order. Its `order.placed` is skipped unless asked for: it arrives
        only when the subscription was quicker than the fan-out."""
        found, deadline = [], time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            wanted = message["type"] in types if types else message["type"] != "order.placed"
            if message.get("data", {}).get("order_id") == order_id and wanted:
                found.append(message)
        return found

    def connection_items(self):
        table = self.client("dynamodb")
        items = table.scan(TableName=self.table_name(), ConsistentRead=True)["Items"]
        return [i for i in items if i["PK"]["S"].startswith("LIVE#")]

    def placed_order(self, customer):
        product = self.races.product(5)
        status, _, order = self.races.order(customer, product)
        self.assertEqual(status, 201, order)
        return order

    def test_the_handshake_needs_the_protocol_and_a_valid_token(self):
        self.assertEqual(self.refused(protocols=[]), 400, "no tillbox-live subprotocol offered")
        self.assertEqual(self.refused(protocols=["chat"]), 400)
        self.assertEqual(self.refused(access_token="not.a.token"), 401)
        self.assertEqual(self.refused(protocols=[PROTOCOL, "a", "b"]), 400, "one token at most")
        guest = self.open()
        self.assertEqual(guest.subprotocol, PROTOCOL, "the chosen protocol is echoed")
        # Anything but a subscription is answered with how to subscribe, and the connection stays.
        for odd in ["hello", "[]", '{"action":"subscribe"}', '{"action":"dance"}', "\u0000\u00ff"]:
            answer = self.ask(guest, odd)
            self.assertEqual((answer["type"], answer["status"]), ("error", 400), odd)
            self.assertIn("subscribe", answer["detail"])
        answer = self.ask(guest, {"action": "subscribe", "topic": "orders:everything"})
        self.assertEqual((answer["status"], answer["title"]), (400, "Unknown topic"))
        self.assertEqual(self.ask(guest, {"action": "subscribe", "topic": "feed"})["status"], 401)

    def test_a_customer_sees_their_order_paid_fulfilled_and_refunded_in_order_and_staff_see_it_on_the_feed(self):
        alice, bob = (token("customer", f"{name}-{uuid.uuid4().hex[:8]}") for name in ("alice", "bob"))
        order = self.placed_order(alice)
        topic = f"order:{order['id']}"

        # Refused first: someone else's order, the feed for a customer, a guest without the link.
        intruder = self.open(bob)
        answer = self.ask(intruder, {"action": "subscribe", "topic": topic})
        self.assertEqual((answer["type"], answer["status"]), ("error", 404), "another's order does not exist to bob")
        self.assertEqual(self.ask(intruder, {"action": "subscribe", "topic": "feed"})["status"], 403)
        self.assertEqual(self.ask(intruder, {"action": "subscribe", "topic": f"order:{uuid.uuid4()}"})["status"], 404)
        guest = self.open()
        self.assertEqual(self.ask(guest, {"action": "subscribe", "topic": topic})["status"], 401)
        missing = self.ask(guest, {"action": "subscribe", "topic": f"order:{uuid.uuid4()}"})
        self.assertEqual(missing["status"], 401, "to a guest a missing order reads as any other: no probing ids")
        forged = self.ask(guest, {"action": "subscribe", "topic": topic, "order_token": "x.y.z"})
        self.assertEqual(forged["status"], 401)

        customer = self.open(alice)
        self.follow(customer, topic)
        staff = self.open(role_token("staff"))
        self.follow(staff, "feed")
        self.follow(staff, topic)  # on both: still one message per change

        staff_token = self.races.staff
        started = time.monotonic()
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=staff_token)[0], 200)
        shipment = {"carrier": "DHL", "tracking_number": "JJD000390007654321"}
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/fulfil", shipment, staff_token)[0], 200)
        refund = {"amount": 500, "reason": "Scratched on arrival"}
        status, _, refunded = self.api.call("POST", f"/orders/{order['id']}/refunds", refund, staff_token,
                                            {"idempotency-key": str(uuid.uuid4())})
        self.assertEqual(status, 201, refunded)

        seen = self.updates(customer, 3, order["id"])
        print(f"\n  live: three changes pushed to the customer {time.monotonic() - started:.1f} s after the first")
        self.assertEqual([m["type"] for m in seen], ["order.paid", "order.fulfilled", "order.refunded"])
        self.assertEqual(seen[0]["order"]["id"], order["id"])
        fulfilled = next(m for m in seen if m["type"] == "order.fulfilled")
        self.assertEqual(fulfilled["order"]["shipment"]["tracking_number"], "JJD000390007654321")
        self.assertEqual(seen[2]["data"]["amount"], 500)
        self.assertNotIn("correlation_id", seen[0])

        feed = self.updates(staff, 3, order["id"])
        self.assertEqual([m["type"] for m in feed], ["order.paid", "order.fulfilled", "order.refunded"],
                         "staff see another customer's order, once per change")
        # Nothing reached bob or the guest: their next message is the answer to this one.
        for outsider in (intruder, guest):
            outsider.send("ping")
            self.assertEqual(json.loads(outsider.recv(timeout=30))["type"], "error")

    def test_a_guest_follows_the_order_their_link_opens(self):
        product = self.races.product(5)
        _, _, cart = self.api.call("POST", "/carts")
        headers = {"cart-token": cart["token"]}
        line = {"product_id": product, "quantity": 1}
        self.assertEqual(self.api.call("POST", f"/carts/{cart['id']}/lines", line, headers=headers)[0], 200)
        email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
        status, _, body = self.api.call("PATCH", f"/carts/{cart['id']}", {"email": email}, headers=headers)
        self.assertEqual(status, 200, body)
        status, answer_headers, order = self.api.call("POST", f"/carts/{cart['id']}/checkout",
                                                      headers={**headers, "idempotency-key": str(uuid.uuid4())})
        self.assertEqual(status, 201, order)
        link = answer_headers["order-token"]

        guest = self.open()
        other = self.placed_order(token("customer", f"carol-{uuid.uuid4().hex[:8]}"))
        refused = self.ask(guest, {"action": "subscribe", "topic": f"order:{other['id']}", "order_token": link})
        self.assertEqual(refused["status"], 401, "a link opens its own order only")
        self.follow(guest, f"order:{order['id']}", order_token=link)
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=self.races.staff)[0], 200)
        self.assertEqual([m["type"] for m in self.updates(guest, 1, order["id"])], ["order.paid"])

    def test_connections_are_forgotten_when_they_close_or_are_found_gone(self):
        before = {i["PK"]["S"] for i in self.connection_items()}
        staff = self.open(role_token("staff"))
        self.follow(staff, "feed")
        mine = lambda: [i for i in self.connection_items() if i["PK"]["S"] not in before]
        self.assertEqual(sorted(i["SK"]["S"] for i in mine()), ["CONNECTION", "TOPIC#feed"])
        self.assertTrue(all(int(i["expires_at"]["N"]) > time.time() + 7000 for i in mine()), "kept at most ~2 h")
        staff.close()
        self.assertTrue(eventually(lambda: not mine(), timeout=30), "$disconnect deleted the connection's items")

        # A connection that went without $disconnect (API Gateway does not promise
        # it): the first push to it gets 410 Gone, and its items go.
        ghost = "R2hvc3RDb25uZWN0aW9uPQ="
        self.client("dynamodb").put_item(TableName=self.table_name(), Item={
            "PK": {"S": f"LIVE#{ghost}"}, "SK": {"S": "TOPIC#feed"}, "GSI1PK": {"S": "LIVE#TOPIC#feed"},
            "GSI1SK": {"S": ghost}, "connection_id": {"S": ghost}, "expires_at": {"N": str(int(time.time()) + 600)},
            "connected_at": {"S": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())},
        })
        self.placed_order(token("customer", f"dave-{uuid.uuid4().hex[:8]}"))  # order.placed reaches the feed
        ghost_items = lambda: [i for i in self.connection_items() if i["PK"]["S"] == f"LIVE#{ghost}"]
        self.assertTrue(eventually(lambda: not ghost_items(), timeout=30), "a gone connection is forgotten")

    def signed_in_staff(self):
        """The access and refresh tokens of a new member of staff, signed in with a password."""
        email, password = f"staff-{uuid.uuid4().hex[:8]}@shop.test", "plum-harbour-47-kettle"
        self.assertEqual(self.api.call("POST", "/auth/signup", {"email": email, "password": password})[0], 202)
        mail = eventually(lambda: [m for m in emails_to(self.stack["endpoint"], email) if "verify-email" in m[1]])
        self.assertEqual(self.api.call("POST", "/auth/verify-email", {"token": token_in(mail[0][1])})[0], 204)
        users = self.api.call("GET", "/admin/users?limit=100", token=self.admin)[2]["items"]
        user = next(u for u in users if u["email"] == email)
        self.assertEqual(self.api.call("PATCH", f"/admin/users/{user['id']}", {"role": "staff"}, self.admin)[0], 200)
        _, _, tokens = self.api.call("POST", "/auth/login", {"email": email, "password": password})
        return tokens["access_token"], tokens["refresh_token"]

    def test_staff_who_sign_out_everywhere_stop_getting_the_feed(self):
        access, refresh = self.signed_in_staff()
        staff = self.open(access)
        self.follow(staff, "feed")
        order = self.placed_order(token("customer", f"erin-{uuid.uuid4().hex[:8]}"))
        self.assertEqual([m["type"] for m in self.updates(staff, 1, order["id"], types={"order.placed"})],
                         ["order.placed"], "a live session gets the feed")

        status, _, _ = self.api.call("POST", "/auth/logout", {"refresh_token": refresh, "everywhere": True})
        self.assertEqual(status, 204)
        answer = self.ask(staff, {"action": "subscribe", "topic": f"order:{order['id']}"})
        self.assertEqual((answer["type"], answer["status"]), ("error", 401), "no new subscription either")
        self.placed_order(token("customer", f"frank-{uuid.uuid4().hex[:8]}"))
        # At the next change the push job finds the session ended: the connection is closed, nothing sent.
        with self.assertRaises(ConnectionClosed):
            while True:
                message = json.loads(staff.recv(timeout=30))
                self.assertNotEqual(message.get("type"), "order.placed", "nothing after the session ended")
        self.assertEqual(self.refused(access_token=access), 401, "nor can the old token connect again")

    def test_staff_see_failed_webhook_deliveries_and_a_disabled_endpoint_on_the_feed(self):
        receiver = Receiver(script=[500, 500]).start()
        self.addCleanup(receiver.stop)
        status, _, endpoint = self.api.call("POST", "/admin/webhooks", {"url": receiver.url, "events": ["order.placed"]},
                                            self.admin)
        self.assertEqual(status, 201, endpoint)
        self.addCleanup(self.api.call, "DELETE", f"/admin/webhooks/{endpoint['id']}", token=self.admin)
        staff = self.open(role_token("staff"))
        self.follow(staff, "feed")

        def next_about_the_endpoint():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                message = json.loads(staff.recv(timeout=max(0.1, deadline - time.monotonic())))
                if message["type"].startswith("webhook.") and message["data"]["endpoint_id"] == endpoint["id"]:
                    return message
            self.fail("nothing about the endpoint reached the feed")

        order = self.placed_order(token("customer", f"gina-{uuid.uuid4().hex[:8]}"))
        failed = next_about_the_endpoint()  # 500, then 500 a second later: the schedule ran out
        self.assertEqual((failed["type"], failed["data"]["attempts"]), ("webhook.delivery_failed", 2))
        self.assertEqual([failed["data"]["event_id"]], self.event_ids(endpoint["id"], order["id"]))

        receiver.script = [410]
        self.placed_order(token("customer", f"hal-{uuid.uuid4().hex[:8]}"))
        self.assertEqual(next_about_the_endpoint()["type"], "webhook.endpoint_disabled")

    def event_ids(self, endpoint_id, order_id):
        """The ids of the events delivered to `endpoint_id` about `order_id`."""
        _, _, deliveries = self.api.call("GET", f"/admin/webhooks/{endpoint_id}/deliveries", token=self.admin)
        return [d["id"] for d in deliveries["items"] if order_id in d["payload"]]

