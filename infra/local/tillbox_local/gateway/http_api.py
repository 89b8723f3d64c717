"""The HTTP API: routes `METHOD /path/{param}` to the function as an API Gateway
v2 (payload format 2.0) event and turns its response back into HTTP. Like API
Gateway it answers every request: a body that is too large, malformed framing or
a failing function gets an HTTP error, never a dropped connection (bar a body
over 64 MB, refused and then cut off rather than read). It also serves the CDN's
`/assets/` (assets.py), the dashboard's pages under `/admin/` and `/account/`
(site.py), `POST /_local/schedules/<Function>` (scheduler.py) and the WebSocket
API's management API under `/_local/live/@connections/` (websocket_api.py)."""

import base64
import json
import re
import sys
import time
import traceback
import urllib.parse
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..runtime import InvokeError
from .common import label

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # HTTP API's limit
# A larger body is read and dropped before the 413, so the client, still sending,
# gets the answer instead of a reset; beyond this the connection is just closed.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024

JSON = [("Content-Type", "application/json")]
NOT_FOUND = (404, JSON, b'{"message":"Not Found"}')
BAD_REQUEST = (400, JSON, b'{"message":"Bad Request"}')
TOO_LARGE = (413, JSON, b'{"message":"Request Entity Too Large"}')
INTERNAL_ERROR = (500, JSON, b'{"message":"Internal Server Error"}')


class Route:
    def __init__(self, function, method, path):
        self.function = function
        self.method = method
        self.path = path
        self.key = path if path == "$default" else f"{method} {path}"
        pattern = ""
        for part in re.split(r"(\{[^}]+\})", path):
            if part.startswith("{") and part.endswith("+}"):
                pattern += f"(?P<{part[1:-2]}>.+)"
            elif part.startswith("{"):
                pattern += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                pattern += re.escape(part)
        self.regex = re.compile(f"^{pattern}$")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # API Gateway takes bursts of connections; the default backlog of 5 would reset them.
    request_queue_size = 512

    def handle_error(self, request, client_address):
        # A client that hangs up (the Stripe emulator closes its webhook
        # connections abruptly) is not the gateway's error: no traceback for it.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def _now_ms():
    return int(time.time() * 1000)


class HttpApi:
    def __init__(self, stack, runtimes, port, log, assets, scheduler, site=None):
        self.stack = stack
        self.runtimes = runtimes
        self.log = log
        self.assets = assets
        self.site = site
        self.scheduler = scheduler
        # The WebSocket API whose management API (`@connections`) is served here.
        self.live = None
        self.cors = stack.get("cors")
        routes = [Route(name, r["method"], r["path"]) for name, spec in stack["functions"].items() for r in spec["routes"]]
        # The `$default` route takes whatever no other route does, any method.
        self.fallback = next((r for r in routes if r.path == "$default"), None)
        self.routes = [r for r in routes if r is not self.fallback]
        # Literal segments before parameters, as API Gateway prefers them.
        self.routes.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
        self.server = _Server(("127.0.0.1", port), self._handler())

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self, front=None):
        """The request handler of a server in front of `front` (this API, or the
        CDN in front of it: anything with handle_http, log_request and log)."""
        gateway = front or self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # An unreadable request line is answered with a status line too (the
            # default, HTTP/0.9, answers with a bare body).
            default_request_version = "HTTP/1.1"
            # As in runtime.py: no 40 ms wait for a delayed ACK before the body.
            disable_nagle_algorithm = True
            # A client that stops sending mid-request does not hold a thread forever.
            timeout = 60

            def log_message(self, *args):
                pass

            def __getattr__(self, name):
                # Every method goes to the router, which answers 404 for a method no
                # route has, as API Gateway does (http.server would answer 501).
                if name.startswith("do_"):
                    return self._handle
                raise AttributeError(name)

            def _send(self, status, headers, body):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _handle(self):
                started = time.perf_counter()
                try:
                    body = self._body()
                except _Refused as refused:
                    # What is left of the request cannot be told from the next one.
                    self.close_connection = True
                    status, headers, out = refused.answer
                    function = None
                else:
                    status, headers, out, function = gateway.handle_http(
                        self.command, self.path, self.headers, body, self.client_address[0])
                # Logged before the answer goes out, so a line never follows what the
                # caller prints once it has the answer (make dev's banner after seeding).
                gateway.log_request(self.command, self.path, status, started, function)
                try:
                    self._send(status, headers, out)
                except (UnicodeEncodeError, ValueError) as e:
                    # A header HTTP cannot carry (not Latin-1): nothing has been sent yet.
                    self._headers_buffer = []
                    gateway.log(f"[gateway] {self.command} {self.path}: unsendable response header: {e}")
                    self._send(*INTERNAL_ERROR)

            def _body(self):
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    return self._chunked_body()
                declared = self.headers.get("Content-Length")
                if declared is None:
                    return b""
                try:
                    length = int(declared)
                except ValueError:
                    raise _Refused(BAD_REQUEST) from None
                if length < 0:
                    raise _Refused(BAD_REQUEST)
                if length > MAX_PAYLOAD_BYTES:
                    if length <= DRAIN_LIMIT_BYTES:
                        self._discard(length)
                    raise _Refused(TOO_LARGE)
                body = self.rfile.read(length)
                if len(body) < length:
                    raise _Refused(BAD_REQUEST)
                return body

            def _chunked_body(self):
                body, total = bytearray(), 0
                while True:
                    try:
                        size = int(self.rfile.readline(1024).split(b";")[0].strip(), 16)
                    except ValueError:
                        raise _Refused(BAD_REQUEST) from None
                    if size < 0:
                        raise _Refused(BAD_REQUEST)
                    if size == 0:
                        while self.rfile.readline(65537).strip():
                            pass  # trailers
                        break
                    total += size
                    if total > DRAIN_LIMIT_BYTES:
                        raise _Refused(TOO_LARGE)
                    chunk = self.rfile.read(size)
                    if len(chunk) < size:
                        raise _Refused(BAD_REQUEST)
                    if total <= MAX_PAYLOAD_BYTES:
                        body += chunk
                    self.rfile.readline(3)
                if total > MAX_PAYLOAD_BYTES:
                    raise _Refused(TOO_LARGE)
                return bytes(body)

            def _discard(self, length):
                while length > 0:
                    chunk = self.rfile.read(min(length, 1 << 16))
                    if not chunk:
                        return
                    length -= len(chunk)

        return Handler

    def log_request(self, method, target, status, started, function):
        elapsed = (time.perf_counter() - started) * 1000
        path = urllib.parse.urlsplit(target).path
        self.log(f"{method} {path} {status} {elapsed:.0f} ms {label(self.stack, function) if function else '-'}")

    def handle_http(self, method, raw_target, headers, body, source_ip):
        """(status, headers, body, the function that answered or None)."""
        origin = headers.get("Origin")
        if self.cors and origin and method == "OPTIONS" and headers.get("Access-Control-Request-Method"):
            return (*self._preflight(origin, headers), None)
        try:
            status, out_headers, out, function = self._route_http(method, raw_target, headers, body, source_ip)
        except Exception:
            self.log(f"[gateway] {method} {raw_target} failed:\n{traceback.format_exc()}")
            return (*INTERNAL_ERROR, None)
        if self.cors and origin and self._origin_allowed(origin):
            out_headers = [*out_headers, ("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
            if self.cors.get("ExposeHeaders"):
                out_headers.append(("Access-Control-Expose-Headers", ",".join(self.cors["ExposeHeaders"])))
        return status, out_headers, out, function

    def _origin_allowed(self, origin):
        allowed = self.cors.get("AllowOrigins", [])
        return "*" in allowed or origin in allowed

    def _preflight(self, origin, headers):
        """API Gateway answers a CORS preflight itself, without invoking a function:
        204, with the CORS headers only when the origin, method and headers are
        allowed (the browser then refuses the real request)."""
        method = headers.get("Access-Control-Request-Method", "").upper()
        asked = [h.strip().lower() for h in headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()]
        allowed_headers = [h.lower() for h in self.cors.get("AllowHeaders", [])]
        if (not self._origin_allowed(origin) or method not in self.cors.get("AllowMethods", [])
                or any(h not in allowed_headers for h in asked)):
            return 204, [], b""
        return 204, [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", ",".join(self.cors["AllowMethods"])),
            ("Access-Control-Allow-Headers", ",".join(allowed_headers)),
            ("Access-Control-Max-Age", str(self.cors.get("MaxAge", 0))),
            ("Vary", "Origin"),
        ], b""

    def _route_http(self, method, raw_target, headers, body, source_ip):
        url = urllib.parse.urlsplit(raw_target)
        path = urllib.parse.unquote(url.path)
        if self.site and self.site.answers(method, path, headers):
            return (*self.site.get(path), None)
        if method in ("GET", "HEAD") and self.assets and path.startswith("/assets/"):
            return (*self.assets.get(path[len("/assets/"):]), None)
        match = re.fullmatch(r"/_local/live/@connections/(.+)", path)
        if match and self.live:
            return (*self.live.manage(method, match.group(1), body), None)
        match = re.fullmatch(r"/_local/schedules/(\w+)", path)
        if method == "POST" and match and match.group(1) in self.runtimes:
            result = self.scheduler.invoke(match.group(1), self.scheduler.event())
            return 200, JSON, json.dumps({"result": result}).encode(), match.group(1)
        routed = self.route(method, raw_target, headers, body, source_ip)
        if not routed:
            return (*NOT_FOUND, None)
        function, event = routed
        try:
            response = self.runtimes[function].invoke(event)
        except InvokeError as e:
            self.log(f"[gateway] {event['routeKey']} failed: {e}")
            return (*INTERNAL_ERROR, function)
        status, out_headers, out = self.http_response(response)
        # API Gateway names every request; Tillbox logs it as the correlation id.
        return status, [*out_headers, ("apigw-requestid", event["requestContext"]["requestId"])], out, function

    def route(self, method, raw_target, headers, body, source_ip):
        """The function a request goes to and the API Gateway event it gets, or
        None when no route matches."""
        url = urllib.parse.urlsplit(raw_target)
        path = urllib.parse.unquote(url.path)
        for route in self.routes:
            m = route.regex.match(path)
            if m and route.method == method:
                return route.function, self._http_event(route, m.groupdict(), method, url, headers, body, source_ip)
        if self.fallback:
            return self.fallback.function, self._http_event(self.fallback, {}, method, url, headers, body, source_ip)
        return None

    def _http_event(self, route, params, method, url, headers, body, source_ip):
        merged = {}
        for k, v in headers.items():
            k = k.lower()
            merged[k] = f"{merged[k]},{v}" if k in merged else v
        query = {}
        for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            query[k] = f"{query[k]},{v}" if k in query else v
        # A text body goes as a string, as API Gateway passes it; bytes that are not
        # UTF-8 go base64-encoded, so the function sees exactly what was sent.
        text = _as_text(body, merged.get("content-type", ""))
        now = datetime.now(timezone.utc)
        request_id = str(uuid.uuid4())
        return {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": url.path,
            "rawQueryString": url.query,
            "cookies": [c.strip() for c in merged.get("cookie", "").split(";") if c.strip()] or None,
            "headers": merged,
            "queryStringParameters": query or None,
            "pathParameters": params or None,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "local",
                "domainName": merged.get("host", "127.0.0.1"),
                "domainPrefix": "local",
                "http": {
                    "method": method,
                    "path": url.path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": source_ip,
                    "userAgent": merged.get("user-agent", ""),
                },
                "requestId": request_id,
                "routeKey": route.key,
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": _now_ms(),
            },
            "body": (text if text is not None else base64.b64encode(body).decode()) if body else None,
            "isBase64Encoded": bool(body) and text is None,
        }

    @staticmethod
    def http_response(response):
        """(status, headers, body) of a function's API Gateway v2 response."""
        if not isinstance(response, dict) or "statusCode" not in response:
            body = json.dumps(response).encode()
            return 200, [("Content-Type", "application/json")], body
        headers = list((response.get("headers") or {}).items())
        for k, values in (response.get("multiValueHeaders") or {}).items():
            headers.extend((k, v) for v in values)
        headers.extend(("Set-Cookie", c) for c in response.get("cookies") or [])
        body = response.get("body") or ""
        body = base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
        return int(response["statusCode"]), headers, body


def _as_text(body, content_type):
    """The body as a string when its type is text and it is UTF-8, else None."""
    ct = content_type.split(";")[0].strip().lower()
    textual = ct.startswith("text/") or ct.endswith("+json") or ct in (
        "application/json", "application/x-www-form-urlencoded")
    if not textual:
        return None
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None


class _Refused(Exception):
    """A request the gateway answers itself, with `answer` (status, headers, body)."""

    def __init__(self, answer):
        super().__init__(answer[0])
        self.answer = answer
