"""The local stack end to end: template -> resources, HTTP -> gateway -> function
binaries -> DynamoDB, presigned PUT -> S3 -> notification -> SQS -> pump -> image
job, a poison message -> five receives -> dead-letter queue, and accounts:
sign-up -> outbox -> table stream -> fan-out -> emails queue -> e-mail job -> SES,
then verify, log in, refresh, reuse detection and logout through the gateway."""

import json
import os
import re
import struct
import subprocess
import time
import unittest
import urllib.error
import urllib.request
import uuid
import zlib
from pathlib import Path

from tillbox_local import stack as local_stack
from tillbox_local.emulator import free_port
from tillbox_local.gateway import Gateway
from tillbox_local.races import Api, Races
from tillbox_local.runtime import InvokeError, ProcessPool, binaries_dir

BIN_DIR = Path(os.environ["TILLBOX_BIN_DIR"]) if "TILLBOX_BIN_DIR" in os.environ else binaries_dir()
KEY = Path(__file__).resolve().parents[1] / "dev-signing-key.json"


def png(width, height):
    """A real PNG, made without third-party libraries."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((x * 7 + y) % 256 for x in range(width) for _ in range(3)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def token(role):
    params = json.loads((KEY.parent / "parameters.json").read_text())
    return subprocess.check_output([
        str(BIN_DIR / "tillbox-admin"), "token", "--key", str(KEY), "--role", role,
        "--issuer", params["JwtIssuer"], "--audience", params["JwtAudience"],
    ], text=True).strip()


def emails_to(endpoint, address):
    """What the emulator's SES accepted for `address`: (subject, HTML body)."""
    with urllib.request.urlopen(f"{endpoint}/_local/mail", timeout=30) as r:
        messages = json.load(r)["messages"]
    return [(m["subject"], m["body"]) for m in messages if address in m["destinations"].get("ToAddresses", [])]


def token_in(body):
    return re.search(r"token=([A-Za-z0-9_-]+)", body).group(1)


def eventually(check, timeout=60, interval=0.3):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)


class GatewayTestCase(unittest.TestCase):
    """A stack of its own on the emulator, every function of the template on
    built binaries (scaled out as Lambda does), and the gateway in front."""

    prefix = "e2e"
    # Template parameters this class's stack differs in (infra/local/parameters.json).
    parameters = {}
    # A path: every function's output is appended there (tests that read logs).
    function_log = None

    @classmethod
    def setUpClass(cls):
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        port = free_port()
        cls.stack = local_stack.provision(endpoint, f"{cls.prefix}{uuid.uuid4().hex[:8]}-", f"http://127.0.0.1:{port}",
                                          overrides=cls.parameters)
        if cls.function_log:
            cls.log = open(cls.function_log, "ab")
        else:
            cls.log = open(os.devnull, "wb") if not os.environ.get("TILLBOX_FUNCTION_LOGS") else None
        cls.runtimes = {
            name: ProcessPool(name, str(BIN_DIR / spec["binary"]), spec["env"], spec["timeout"], log=cls.log)
            for name, spec in cls.stack["functions"].items()
        }
        cls.gateway = Gateway(cls.stack, cls.runtimes, port=port, retry_delay=0, log=lambda *_: None).start()
        # A client of the API, the order races' helpers, and tokens of staff and an admin.
        cls.api = Api(cls.gateway.url)
        cls.races = Races(cls.api, BIN_DIR, emulator=endpoint)
        cls.staff = token("staff")
        cls.admin = token("admin")

    @classmethod
    def client(cls, service):
        """A boto3 client of this class's stack on the emulator, one per service."""
        clients = cls.__dict__.get("_clients")
        if clients is None:
            clients = cls._clients = {}
        if service not in clients:
            clients[service] = local_stack.client(service, cls.stack["endpoint"])
        return clients[service]

    @classmethod
    def table_name(cls):
        return cls.stack["resources"]["Table"]["ref"]

    @classmethod
    def tearDownClass(cls):
        cls.gateway.stop()
        for runtime in cls.runtimes.values():
            runtime.stop()


class LocalStackTest(GatewayTestCase):
    def call(self, method, path, body=None, headers=None, auth=True):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        if auth:
            headers["authorization"] = f"Bearer {self.staff}"
        request = urllib.request.Request(self.gateway.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as r:
                return r.status, r.headers, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, json.loads(e.read() or b"null")

    def create_product(self, sku):
        status, _, body = self.call("POST", "/products", {
            "sku": sku, "name": "Print", "price": {"amount": 4200, "currency": "EUR"}, "stock": 5, "status": "active",
        })
        self.assertEqual(status, 201, body)
        return body["id"]

    def test_catalog_with_an_image_upload_end_to_end(self):
        product = self.create_product(f"print-{uuid.uuid4().hex[:6]}")
        image = png(640, 480)
        status, _, upload = self.call("POST", f"/products/{product}/images", {"content_type": "image/png", "content_length": len(image)})
        self.assertEqual(status, 201, upload)

        put = urllib.request.Request(upload["url"], data=image, method="PUT", headers=upload["headers"])
        try:
            with urllib.request.urlopen(put, timeout=30) as r:
                self.assertEqual(r.status, 200)
        except urllib.error.HTTPError as e:
            self.fail(f"PUT to the signed URL failed: {e.code} {e.read()[:500]}")

        def attached():
            _, _, body = self.call("GET", f"/products/{product}", auth=False)
            return body if body["images"] else None

        shown = eventually(attached)
        self.assertIsNotNone(shown, "the image job attached the image")
        thumbs = shown["images"][0]["thumbnails"]
        self.assertEqual([(t["edge"], t["width"], t["height"]) for t in thumbs], [(256, 256, 192), (1024, 640, 480)])
        self.assertTrue(thumbs[0]["url"].startswith(self.gateway.url + "/assets/images/"))
        with urllib.request.urlopen(thumbs[0]["url"], timeout=30) as r:
            self.assertEqual(r.read(3), b"\xff\xd8\xff", "the thumbnail URL serves a JPEG")
        quarantined = self.gateway.url + "/assets/quarantine/anything"
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(quarantined, timeout=30)
        self.assertEqual(refused.exception.code, 403, "the CDN serves checked images only")
        bucket = self.stack["resources"]["Bucket"]["ref"]
        left = self.client("s3").list_objects_v2(Bucket=bucket, Prefix="quarantine/").get("KeyCount", 0)
        self.assertEqual(left, 0, "nothing left in quarantine")

    def test_a_poison_message_ends_in_the_dead_letter_queue(self):
        queue = self.stack["resources"]["ImagesQueue"]["ref"]
        dlq = self.stack["resources"]["ImagesDeadLetterQueue"]["ref"]
        self.client("sqs").send_message(QueueUrl=queue, MessageBody="definitely not an S3 event")

        def dead():
            out = self.client("sqs").receive_message(QueueUrl=dlq, AttributeNames=["All"], WaitTimeSeconds=1)
            return out.get("Messages")

        messages = eventually(dead)
        self.assertTrue(messages, "the message reached the DLQ")
        self.assertEqual(messages[0]["Body"], "definitely not an S3 event")
        self.assertGreaterEqual(int(messages[0]["Attributes"]["ApproximateReceiveCount"]), 5)

    def test_routes_path_parameters_and_problems(self):
        status, headers, body = self.call("GET", "/nowhere", auth=False)
        self.assertEqual((status, headers["Content-Type"], body["code"]), (404, "application/problem+json", "no_route"))
        for method in ("TRACE", "PUT", "HEAD"):
            with self.subTest(method=method):
                status, headers, _ = self.call(method, "/products", auth=False)
                self.assertEqual((status, headers["Allow"]), (405, "GET, POST"))
        status, headers, body = self.call("DELETE", "/orders", auth=False)
        self.assertEqual((status, headers["Allow"], body["code"]), (405, "GET, POST", "method_not_allowed"))
        status, headers, body = self.call("GET", f"/products/{uuid.uuid4()}", auth=False)
        self.assertEqual((status, headers["Content-Type"], body["code"]), (404, "application/problem+json", "not_found"))
        status, _, body = self.call("POST", "/products", {"sku": "x"}, auth=False)
        self.assertEqual((status, body["code"]), (401, "unauthorized"))
        status, _, body = self.call("GET", "/products?limit=500", auth=False)
        self.assertEqual((status, body["field"]), (400, "limit"))
        status, _, body = self.call("POST", "/products", b"{" + b" " * 70000 + b"}")
        self.assertEqual((status, body["code"]), (413, "body_too_large"))

    def test_sign_up_to_logout_through_the_gateway(self):
        address = f"ann.{uuid.uuid4().hex[:8]}@example.com"
        password = "plum-harbour-47-kettle"
        status, _, body = self.call("POST", "/auth/signup", {"email": address, "password": password}, auth=False)
        self.assertEqual(status, 202, body)

        mails = eventually(lambda: emails_to(self.stack["endpoint"], address))
        self.assertTrue(mails, "the stream, the fan-out and the e-mail job delivered the verification e-mail")
        subject, body = mails[0]
        self.assertIn("confirm your e-mail address", subject)
        # No StorefrontUrl: the links open the stack's own account pages.
        self.assertIn(f"{self.gateway.url}/account/verify-email?token=", body)
        status, _, _ = self.call("POST", "/auth/verify-email", {"token": token_in(body)}, auth=False)
        self.assertEqual(status, 204)

        status, headers, tokens = self.call("POST", "/auth/login", {"email": address, "password": password}, auth=False)
        self.assertEqual((status, headers["Cache-Control"]), (200, "no-store"), tokens)
        status, _, me = self.call("GET", "/me", headers={"authorization": f"Bearer {tokens['access_token']}"}, auth=False)
        self.assertEqual((status, me["email"], me["role"]), (200, address, "customer"))

        status, _, rotated = self.call("POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]}, auth=False)
        self.assertEqual(status, 200, rotated)
        status, _, reused = self.call("POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]}, auth=False)
        self.assertEqual((status, reused["code"]), (401, "refresh_token_reused"))
        status, _, revoked = self.call("POST", "/auth/refresh", {"refresh_token": rotated["refresh_token"]}, auth=False)
        self.assertEqual((status, revoked["code"]), (401, "invalid_refresh_token"), "reuse revoked the whole session")

        status, _, again = self.call("POST", "/auth/login", {"email": address, "password": password}, auth=False)
        status, _, _ = self.call("POST", "/auth/logout", {"refresh_token": again["refresh_token"]}, auth=False)
        self.assertEqual(status, 204)
        status, _, out = self.call("POST", "/auth/refresh", {"refresh_token": again["refresh_token"]}, auth=False)
        self.assertEqual((status, out["code"]), (401, "invalid_refresh_token"))

        # Sign out everywhere: one device's token ends the other device's session too.
        here, there = [self.call("POST", "/auth/login", {"email": address, "password": password}, auth=False)[2]
                       for _ in range(2)]
        status, _, _ = self.call("POST", "/auth/logout", {"refresh_token": here["refresh_token"], "everywhere": True},
                                 auth=False)
        self.assertEqual(status, 204)
        status, _, out = self.call("POST", "/auth/refresh", {"refresh_token": there["refresh_token"]}, auth=False)
        self.assertEqual((status, out["code"]), (401, "invalid_refresh_token"), "the other device is signed out")
        status, _, out = self.call("GET", "/me", headers={"authorization": f"Bearer {there['access_token']}"}, auth=False)
        self.assertEqual((status, out["code"]), (401, "session_ended"))

    def test_the_first_admin_signs_in_and_runs_the_catalog(self):
        address = f"owner.{uuid.uuid4().hex[:8]}@example.com"
        env = {**os.environ, "TABLE_NAME": self.table_name()}
        out = subprocess.run(
            [str(BIN_DIR / "tillbox-admin"), "create-admin", "--email", address],
            input="owner-pass-2026-quartz\n", text=True, capture_output=True, env=env, check=True,
        ).stdout
        self.assertIn("created admin", out)
        status, _, tokens = self.call(
            "POST", "/auth/login", {"email": address, "password": "owner-pass-2026-quartz"}, auth=False)
        self.assertEqual(status, 200, tokens)
        status, _, product = self.call(
            "POST", "/products",
            {"sku": f"own-{uuid.uuid4().hex[:6]}", "name": "Mug", "price": {"amount": 900, "currency": "EUR"}, "stock": 3},
            headers={"authorization": f"Bearer {tokens['access_token']}"}, auth=False)
        self.assertEqual(status, 201, product)

    def test_optimistic_concurrency_through_etags(self):
        product = self.create_product(f"etag-{uuid.uuid4().hex[:6]}")
        status, headers, _ = self.call("GET", f"/products/{product}", auth=False)
        etag = headers["ETag"]
        status, _, body = self.call("PATCH", f"/products/{product}", {"stock": 9}, {"if-match": etag})
        self.assertEqual((status, body["stock"]), (200, 9))
        status, _, body = self.call("PATCH", f"/products/{product}", {"stock": 1}, {"if-match": etag})
        self.assertEqual((status, body["code"]), (412, "version_mismatch"))
        status, _, body = self.call("DELETE", f"/products/{product}")
        self.assertEqual((status, body["status"]), (200, "archived"))

    def test_a_repeated_catalog_read_with_its_etag_is_304_and_only_public_reads_are_shared(self):
        product = self.create_product(f"cache-{uuid.uuid4().hex[:6]}")
        status, headers, _ = self.call("GET", f"/products/{product}", auth=False)
        etag = headers["ETag"]
        self.assertEqual((status, headers["Cache-Control"]), (200, "public, max-age=15, stale-while-revalidate=45"))
        status, headers, body = self.call("GET", f"/products/{product}", headers={"if-none-match": etag}, auth=False)
        self.assertEqual((status, body, headers["ETag"]), (304, None, etag), "no body, the same tag")
        status, _, _ = self.call("PATCH", f"/products/{product}", {"stock": 4}, {"if-match": etag})
        self.assertEqual(status, 200)
        status, headers, body = self.call("GET", f"/products/{product}", headers={"if-none-match": etag}, auth=False)
        self.assertEqual((status, body["stock"]), (200, 4), "a changed product is sent again")
        self.assertNotEqual(headers["ETag"], etag)

        status, headers, page = self.call("GET", "/products?limit=5", auth=False)
        self.assertEqual((status, headers["Cache-Control"]), (200, "public, max-age=15, stale-while-revalidate=45"))
        status, again, body = self.call("GET", "/products?limit=5", headers={"if-none-match": headers["ETag"]}, auth=False)
        self.assertEqual((status, body), (304, None))
        status, other, _ = self.call("GET", "/products?limit=5&category=none-such", auth=False)
        self.assertNotEqual(other["ETag"], headers["ETag"], "another page, another tag")
        status, signed_in, _ = self.call("GET", "/products?limit=5")
        self.assertEqual((status, signed_in["Cache-Control"]), (200, "no-store"), "a signed-in read is never shared")

    def test_the_cdn_keeps_public_catalog_reads_by_query_and_never_a_signed_in_one(self):
        product = self.create_product(f"cdn-{uuid.uuid4().hex[:6]}")
        cdn = self.gateway.cdn_url

        def read(path, headers=None):
            request = urllib.request.Request(cdn + path, headers=headers or {})
            try:
                with urllib.request.urlopen(request, timeout=60) as r:
                    return r.status, r.headers, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.headers, e.read()

        status, first, body = read(f"/products/{product}")
        self.assertEqual((status, first["X-Cache"]), (200, "Miss from cloudfront"))
        status, again, cached = read(f"/products/{product}")
        self.assertEqual((status, again["X-Cache"], cached), (200, "Hit from cloudfront", body))
        status, conditional, empty = read(f"/products/{product}", {"If-None-Match": first["ETag"]})
        self.assertEqual((status, empty, conditional["ETag"]), (304, b"", first["ETag"]))
        # Another query string is another key.
        self.assertEqual(read("/products?limit=3")[1]["X-Cache"], "Miss from cloudfront")
        self.assertEqual(read("/products?limit=3")[1]["X-Cache"], "Hit from cloudfront")
        self.assertEqual(read("/products?limit=2")[1]["X-Cache"], "Miss from cloudfront")
        # A change shows at the API at once and through the CDN once the kept copy ages out.
        status, _, _ = self.call("PATCH", f"/products/{product}", {"stock": 2}, {"if-match": first["ETag"]})
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(read(f"/products/{product}")[2])["stock"], 5, "kept for max-age")
        self.assertEqual(self.call("GET", f"/products/{product}", auth=False)[2]["stock"], 2)
        # With a token: its own key, through to the API every time, never kept.
        staff = {"Authorization": f"Bearer {self.staff}"}
        for _ in range(2):
            status, headers, body = read(f"/products/{product}", staff)
            self.assertEqual((status, headers["X-Cache"], headers["Cache-Control"]), (200, "Miss from cloudfront", "no-store"))
            self.assertEqual(json.loads(body)["stock"], 2)
        # What needs a token is refused without one, not served from a copy.
        status, _, _ = read("/products?status=draft")
        self.assertEqual(status, 401, "a staff-only read without a token is refused, not served from a cache")

    def test_answers_are_nosniff_and_personal_ones_are_not_stored(self):
        status, headers, _ = self.call("GET", "/products", auth=False)
        self.assertEqual((status, headers["x-content-type-options"]), (200, "nosniff"))
        self.assertNotEqual(headers.get("cache-control"), "no-store", "the public catalog stays cacheable")
        status, headers, _ = self.call("GET", "/orders?status=paid")
        self.assertEqual((status, headers["cache-control"], headers["x-content-type-options"]), (200, "no-store", "nosniff"))
        status, headers, problem = self.call("GET", "/orders/not-an-id")
        self.assertEqual((status, headers["cache-control"]), (404, "no-store"), problem)

    def test_browsers_may_call_from_the_shops_own_origin_only(self):
        # With no StorefrontUrl, the distribution serving the dashboard and the
        # account pages (the gateway, here) is the one origin allowed.
        storefront = self.gateway.url

        def preflight(origin):
            request = urllib.request.Request(self.gateway.url + "/orders", method="OPTIONS", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"})
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, r.headers

        status, headers = preflight(storefront)
        self.assertEqual((status, headers["Access-Control-Allow-Origin"]), (204, storefront))
        self.assertIn("POST", headers["Access-Control-Allow-Methods"])
        self.assertIn("idempotency-key", headers["Access-Control-Allow-Headers"])
        status, headers = preflight("https://evil.example")
        self.assertEqual(status, 204)
        self.assertIsNone(headers.get("Access-Control-Allow-Origin"), "another origin gets no CORS headers")

        _, headers, _ = self.call("GET", "/products", headers={"Origin": storefront}, auth=False)
        self.assertEqual(headers["Access-Control-Allow-Origin"], storefront)
        self.assertIn("etag", headers["Access-Control-Expose-Headers"])
        _, headers, _ = self.call("GET", "/products", headers={"Origin": "https://evil.example"}, auth=False)
        self.assertIsNone(headers.get("Access-Control-Allow-Origin"))

    def test_every_function_accepts_its_sample_event(self):
        events = Path(__file__).resolve().parents[3] / "events"
        sockets = {route["function"] for route in (self.stack.get("live") or {}).get("routes", {}).values()}
        for name, spec in self.stack["functions"].items():
            with self.subTest(function=name):
                event = json.loads((events / f"{spec['binary']}.json").read_text())
                result = self.runtimes[name].invoke(event)
                if spec["routes"] or name in sockets:
                    # Parsed and answered (placeholder tokens are refused): nothing crashed.
                    self.assertLess(result["statusCode"], 500, result)
                elif spec["schedules"]:
                    # The run's report: counts of what it did.
                    self.assertTrue(result and all(isinstance(v, int) for v in result.values()), result)
                else:
                    self.assertEqual(result, {"batchItemFailures": []})


class FlakyRuntime:
    """A function that crashes on its first `failures` invocations, then runs."""

    def __init__(self, runtime, failures):
        self.runtime = runtime
        self.failures = failures
        self.invocations = 0

    def invoke(self, payload):
        self.invocations += 1
        if self.invocations <= self.failures:
            raise InvokeError("injected crash")
        return self.runtime.invoke(payload)


class OutboxFaultTest(unittest.TestCase):
    """No event is lost when the fan-out fails: retried from the failed record, and
    after 5 attempts described in the outbox dead-letter queue."""

    def start(self, failures):
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        port = free_port()
        stack = local_stack.provision(endpoint, f"out{uuid.uuid4().hex[:8]}-", f"http://127.0.0.1:{port}")
        log = open(os.devnull, "wb")
        runtimes = {
            name: ProcessPool(name, str(BIN_DIR / spec["binary"]), spec["env"], spec["timeout"], log=log)
            for name, spec in stack["functions"].items()
        }
        flaky = FlakyRuntime(runtimes["FanOutEventsFunction"], failures)
        gateway = Gateway(stack, {**runtimes, "FanOutEventsFunction": flaky}, port=port, retry_delay=0, log=lambda *_: None)
        gateway.start()
        self.addCleanup(lambda: [gateway.stop(), *[r.stop() for r in runtimes.values()]])
        return stack, gateway, flaky

    def sign_up(self, gateway, address):
        request = urllib.request.Request(
            gateway.url + "/auth/signup", method="POST", headers={"content-type": "application/json"},
            data=json.dumps({"email": address, "password": "plum-harbour-47-kettle"}).encode())
        with urllib.request.urlopen(request, timeout=120) as r:
            self.assertEqual(r.status, 202)

    def test_a_crash_is_retried_and_the_email_still_goes_out(self):
        stack, gateway, flaky = self.start(failures=1)
        address = f"retry.{uuid.uuid4().hex[:8]}@example.com"
        self.sign_up(gateway, address)
        self.assertTrue(eventually(lambda: emails_to(stack["endpoint"], address)), "delivered after the retry")
        self.assertGreaterEqual(flaky.invocations, 2)

    def test_after_five_attempts_the_batch_is_described_in_the_dead_letter_queue(self):
        stack, gateway, flaky = self.start(failures=10**6)
        self.sign_up(gateway, f"dead.{uuid.uuid4().hex[:8]}@example.com")
        sqs = local_stack.client("sqs", stack["endpoint"])
        dlq = stack["resources"]["OutboxDeadLetterQueue"]["ref"]
        messages = eventually(lambda: sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages"))
        self.assertTrue(messages, "the on-failure destination got the batch")
        record = json.loads(messages[0]["Body"])
        self.assertEqual(record["requestContext"]["condition"], "RetryAttemptsExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 5)
        self.assertEqual(record["DDBStreamBatchInfo"]["batchSize"], 1, "only the outbox record passed the filter")
        self.assertEqual(flaky.invocations, 5)
        outbox = local_stack.client("dynamodb", stack["endpoint"]).scan(
            TableName=stack["resources"]["Table"]["ref"],
            FilterExpression="begins_with(PK, :p)", ExpressionAttributeValues={":p": {"S": "OUTBOX#"}})["Items"]
        self.assertEqual(len(outbox), 1, "the event itself is still in the outbox, ready to re-publish")


if __name__ == "__main__":
    unittest.main()
