"""The local stack end to end: template -> resources, HTTP -> gateway -> function
binaries -> DynamoDB, presigned PUT -> S3 -> notification -> SQS -> pump -> image
job, and a poison message -> five receives -> dead-letter queue."""

import json
import os
import struct
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
import uuid
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import stack as local_stack  # noqa: E402
from gateway import Gateway  # noqa: E402
from emulator import free_port  # noqa: E402
from runtime import ProcessRuntime, binaries_dir  # noqa: E402

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


def eventually(check, timeout=60, interval=0.3):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)


class LocalStackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        port = free_port()
        cls.stack = local_stack.provision(endpoint, f"e2e{uuid.uuid4().hex[:8]}-", f"http://127.0.0.1:{port}")
        cls.log = open(os.devnull, "wb") if not os.environ.get("TILLBOX_FUNCTION_LOGS") else None
        cls.runtimes = {
            name: ProcessRuntime(name, str(BIN_DIR / spec["binary"]), spec["env"], spec["timeout"], log=cls.log)
            for name, spec in cls.stack["functions"].items()
        }
        cls.gateway = Gateway(cls.stack, cls.runtimes, port=port, retry_delay=0, log=lambda *_: None).start()
        cls.staff = token("staff")
        cls.sqs = local_stack.client("sqs", endpoint)
        cls.s3 = local_stack.client("s3", endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.gateway.stop()
        for runtime in cls.runtimes.values():
            runtime.stop()

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
        left = self.s3.list_objects_v2(Bucket=bucket, Prefix="quarantine/").get("KeyCount", 0)
        self.assertEqual(left, 0, "nothing left in quarantine")

    def test_a_poison_message_ends_in_the_dead_letter_queue(self):
        queue = self.stack["resources"]["ImagesQueue"]["ref"]
        dlq = self.stack["resources"]["ImagesDeadLetterQueue"]["ref"]
        self.sqs.send_message(QueueUrl=queue, MessageBody="definitely not an S3 event")

        def dead():
            out = self.sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"], WaitTimeSeconds=1)
            return out.get("Messages")

        messages = eventually(dead)
        self.assertTrue(messages, "the message reached the DLQ")
        self.assertEqual(messages[0]["Body"], "definitely not an S3 event")
        self.assertGreaterEqual(int(messages[0]["Attributes"]["ApproximateReceiveCount"]), 5)

    def test_routes_path_parameters_and_problems(self):
        status, _, body = self.call("GET", "/nowhere", auth=False)
        self.assertEqual((status, body), (404, {"message": "Not Found"}))
        status, headers, body = self.call("GET", f"/products/{uuid.uuid4()}", auth=False)
        self.assertEqual((status, headers["Content-Type"], body["code"]), (404, "application/problem+json", "not_found"))
        status, _, body = self.call("POST", "/products", {"sku": "x"}, auth=False)
        self.assertEqual((status, body["code"]), (401, "unauthorized"))
        status, _, body = self.call("GET", "/products?limit=500", auth=False)
        self.assertEqual((status, body["field"]), (400, "limit"))
        status, _, body = self.call("POST", "/products", b"{" + b" " * 70000 + b"}")
        self.assertEqual((status, body["code"]), (413, "body_too_large"))

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

    def test_every_function_accepts_its_sample_event(self):
        events = Path(__file__).resolve().parents[3] / "events"
        for name, spec in self.stack["functions"].items():
            with self.subTest(function=name):
                event = json.loads((events / f"{spec['binary']}.json").read_text())
                result = self.runtimes[name].invoke(event)
                if spec["routes"]:
                    # Parsed and answered: the placeholder token is refused, nothing crashed.
                    self.assertIn(result["statusCode"], (200, 401, 404), result)
                else:
                    self.assertEqual(result, {"batchItemFailures": []})


if __name__ == "__main__":
    unittest.main()
