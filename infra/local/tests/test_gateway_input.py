"""Bad input through the gateway, as API Gateway would take it: every route of
template.yaml gets odd paths, bodies and headers, and raw malformed HTTP. Every
request gets an answer (no dropped connection) and no answer is a 5xx: the
gateway refuses what API Gateway refuses (413, 400) and the functions answer the
rest with problem+json."""

import http.client
import json
import random
import socket
import unittest
import uuid

from tests.test_local_stack import GatewayTestCase, token

PATH_VALUES = [str(uuid.uuid4()), "x", "%FF%FE", "..%2F..%2Fetc", "%00", "%E2%80%AE" * 20, "9" * 300]
BODIES = [
    ("application/json", b"\xff\xfe\x00{\x80"),
    ("application/json", b""),
    ("application/json", b"{"),
    ("application/json", b"[]"),
    ("application/json", b"null"),
    ("application/json", b'{"email":1e999,"price":{"amount":-99999999999999999999999}}'),
    ("application/json", b"[" * 5000 + b"]" * 5000),
    ("application/json", b'{"\\ud800":"\\udfff","sku":"\\u0000"}'),
    ("application/json", '{"name":"\u202e\U0001f600","quantity":18446744073709551616}'.encode()),
    ("text/plain", b"hello"),
    ("application/octet-stream", bytes(range(256))),
    ("application/x-www-form-urlencoded", b"a=%FF&b"),
    ("multipart/form-data; boundary=x", b"--x\r\n\r\n--x--"),
]
QUERIES = ["", "?limit=-1&cursor=%FF", "?cursor=" + "A" * 3000, "?status=%00&from=yesterday&limit=1e3"]


class GatewayInputTest(GatewayTestCase):
    prefix = "fuzz"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = [None, token("customer"), token("staff"), token("admin")]
        cls.host, cls.port = cls.gateway.server.server_address

    def exchange(self, method, target, body=b"", headers=None):
        """(status, content type) of one request on a new connection; fails the
        test if the gateway closes the connection without an answer."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(method, target, body=body, headers=headers or {})
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Content-Type", "")
        except (ConnectionError, http.client.HTTPException) as e:
            self.fail(f"{method} {target}: no answer ({e!r})")
        finally:
            connection.close()

    def raw(self, request):
        """The status line the gateway answers a raw request with."""
        with socket.create_connection((self.host, self.port), timeout=60) as s:
            s.sendall(request)
            s.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        self.assertTrue(answer.startswith(b"HTTP/1.1 "), f"{request[:80]!r}: no answer")
        return int(answer.split(b" ", 2)[1])

    def test_every_route_answers_odd_input_without_a_5xx(self):
        rng = random.Random(7)
        routes = sorted({(r.method, r.path) for r in self.gateway.routes})
        sent = 0
        for method, path in routes:
            for value in PATH_VALUES if "{" in path else PATH_VALUES[:1]:
                target = path.replace("{id}", value).replace("{code}", value)
                for content_type, body in BODIES:
                    for bearer in rng.sample(self.tokens, 2):
                        headers = {"Content-Type": content_type,
                                   "Idempotency-Key": rng.choice(["", "k" * 300, str(uuid.uuid4())]),
                                   "If-Match": rng.choice(['"1"', "*", "\xff", 'W/"x"'])}
                        if bearer:
                            headers["Authorization"] = f"Bearer {bearer}"
                        target_q = target + rng.choice(QUERIES)
                        with self.subTest(method=method, target=target_q, body=body[:40]):
                            status, answered_as = self.exchange(method, target_q, body, headers)
                            sent += 1
                            self.assertLess(status, 500)
                            if status >= 400:
                                self.assertIn(answered_as, ("application/problem+json", "application/json"))
        self.assertGreater(sent, 2000)

    def test_a_body_over_ten_megabytes_gets_413(self):
        huge = b"{" + b" " * (10 * 1024 * 1024) + b"}"
        self.assertEqual(self.exchange("POST", "/products", huge, {"Content-Type": "application/json"})[0], 413)
        chunks = b"".join(b"%x\r\n%s\r\n" % (1 << 20, b" " * (1 << 20)) for _ in range(11)) + b"0\r\n\r\n"
        self.assertEqual(self.raw(b"POST /products HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks), 413)

    def test_malformed_http_is_answered(self):
        cases = {
            b"POST /products HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}": 400,
            b"POST /products HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}": 400,
            b"POST /products HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}": 400,
            b"POST /products HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n": 400,
            b"GARBAGE\r\n\r\n": 400,
            b"GET /products HTTP/9.9\r\n\r\n": 505,
            # A method no route takes reaches the `$default` route: 405 with `Allow`.
            b"BREW /products HTTP/1.1\r\nHost: x\r\n\r\n": 405,
            b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n": 414,
        }
        for request, status in cases.items():
            with self.subTest(request=request[:60]):
                self.assertEqual(self.raw(request), status)

    def test_a_chunked_json_body_reaches_the_function(self):
        body = json.dumps({"email": "chunked@example.com", "password": "plum-harbour-47-kettle"}).encode()
        request = (b"POST /auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        self.assertEqual(self.raw(request), 202)

    def test_a_kept_alive_connection_survives_a_refused_request(self):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.addCleanup(connection.close)
        for _ in range(3):
            connection.request("POST", "/products", body=b"\xff\xfe", headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            self.assertEqual((response.status, json.loads(response.read())["code"]), (401, "unauthorized"))


if __name__ == "__main__":
    unittest.main()
