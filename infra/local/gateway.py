"""The local API gateway and event pump.

Plays the parts of AWS that call our functions, from the stack description that
`stack.py` derives from template.yaml:
- HTTP API: routes `METHOD /path/{param}` to the function as an API Gateway v2
  (payload format 2.0) event and turns its response back into HTTP.
- SQS event source mappings: long-polls each queue, invokes the worker with a real
  SQS event of up to BatchSize messages, deletes what succeeded, honours partial
  batch responses, and leaves failures to reappear after the visibility timeout;
  the queue's redrive policy moves them to the DLQ after maxReceiveCount receives.
- DynamoDB stream mappings: reads each shard in order, applies the mapping's
  filters, retries from the first failed record (partial batch responses), and
  after MaximumRetryAttempts sends the batch's description to the OnFailure queue.
  Like Lambda's poller it keeps its position as a sequence number, not as an
  iterator, so a changed stream or shard, or an expired iterator, is read on from
  where it was.
- Schedules: fires `rate(...)` schedules; `POST /_local/schedules/<Function>` fires
  one at once.
- CDN: serves `GET /assets/<key>` from the bucket, for the key prefixes the bucket
  policy grants CloudFront, as the distribution does in AWS.

Like API Gateway, it answers every request: a body that is too large, malformed
framing or a failing function gets an HTTP error, never a dropped connection
(bar a body over 64 MB, refused and then cut off rather than read).
`log` gets one line per request, per job batch and per fired schedule.
"""

import base64
import json
import re
import threading
import time
import traceback
import urllib.parse
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.exceptions import ClientError
from runtime import InvokeError
from stack import client

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # HTTP API's limit
# A larger body is read and dropped before the 413, so the client, still sending,
# gets the answer instead of a reset; beyond this the connection is just closed.
DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
# Lambda long-polls SQS for up to 20 s; a message wakes the poll at once.
SQS_WAIT_SECONDS = 20
IDLE_STREAM_POLL_SECONDS = 1

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
        self.key = f"{method} {path}"
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


def _now_ms():
    return int(time.time() * 1000)


class Gateway:
    def __init__(self, stack, runtimes, port=0, retry_delay=None, log=print):
        """`runtimes` maps function logical ids to runtimes. `retry_delay`, when set,
        makes failed messages visible again after that many seconds instead of the
        queue's visibility timeout, so tests can watch a redrive in seconds."""
        self.stack = stack
        self.runtimes = runtimes
        self.retry_delay = retry_delay
        self.log = log
        self.stopping = threading.Event()
        self.routes = [
            Route(name, r["method"], r["path"])
            for name, spec in stack["functions"].items()
            for r in spec["routes"]
        ]
        # Literal segments before parameters, as API Gateway prefers them.
        self.routes.sort(key=lambda r: (r.path.count("{"), -len(r.path)))
        self.server = _Server(("127.0.0.1", port), self._handler())
        self.threads = []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.threads.append(threading.Thread(target=self.server.serve_forever, daemon=True))
        for name, spec in self.stack["functions"].items():
            for mapping in spec["queues"]:
                self.threads.append(threading.Thread(target=self._pump_queue, args=(name, mapping), daemon=True, name="sqs"))
            for mapping in spec["streams"]:
                self.threads.append(threading.Thread(target=self._pump_stream, args=(name, mapping), daemon=True))
            for schedule in spec["schedules"]:
                self.threads.append(threading.Thread(target=self._fire_schedule, args=(name, schedule), daemon=True))
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        """Stops serving and polling. A queue's long poll may still be open in the
        emulator; what it receives is not delivered (see _pump_queue)."""
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        for t in self.threads:
            if t.name != "sqs":
                t.join(timeout=5)

    # ------------------------------------------------------------------ HTTP
    def _handler(self):
        gateway = self

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
        self.log(f"{method} {path} {status} {elapsed:.0f} ms {self._label(function) if function else '-'}")

    def _label(self, function):
        """A function as a developer knows it: its binary (src/bin/api/<name>.rs or src/bin/jobs/<name>.rs)."""
        return self.stack["functions"].get(function, {}).get("binary", function)

    def handle_http(self, method, raw_target, headers, body, source_ip):
        """(status, headers, body, the function that answered or None)."""
        try:
            return self._route_http(method, raw_target, headers, body, source_ip)
        except Exception:
            self.log(f"[gateway] {method} {raw_target} failed:\n{traceback.format_exc()}")
            return (*INTERNAL_ERROR, None)

    def _route_http(self, method, raw_target, headers, body, source_ip):
        url = urllib.parse.urlsplit(raw_target)
        path = urllib.parse.unquote(url.path)
        cdn = self.stack.get("cdn")
        if method in ("GET", "HEAD") and cdn and path.startswith("/assets/"):
            return (*self._asset(cdn, path[len("/assets/"):]), None)
        match = re.fullmatch(r"/_local/schedules/(\w+)", path)
        if method == "POST" and match and match.group(1) in self.runtimes:
            result = self._invoke(match.group(1), self._scheduled_event())
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
        return (*self.http_response(response), function)

    def route(self, method, raw_target, headers, body, source_ip):
        """The function a request goes to and the API Gateway event it gets, or
        None when no route matches."""
        url = urllib.parse.urlsplit(raw_target)
        path = urllib.parse.unquote(url.path)
        for route in self.routes:
            m = route.regex.match(path)
            if m and route.method == method:
                return route.function, self._http_event(route, m.groupdict(), method, url, headers, body, source_ip)
        return None

    def _asset(self, cdn, key):
        if not any(key.startswith(p) for p in cdn["prefixes"]):
            return 403, [("Content-Type", "text/plain")], b"Forbidden"
        try:
            obj = client("s3", self.stack["endpoint"]).get_object(Bucket=cdn["bucket"], Key=key)
        except ClientError:
            return 404, [("Content-Type", "text/plain")], b"Not Found"
        headers = [("Content-Type", obj.get("ContentType", "application/octet-stream"))]
        if obj.get("CacheControl"):
            headers.append(("Cache-Control", obj["CacheControl"]))
        return 200, headers, obj["Body"].read()

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

    # ------------------------------------------------------------------ SQS
    def _pump_queue(self, function, mapping):
        sqs = client("sqs", self.stack["endpoint"])
        url, arn = mapping["url"], mapping["arn"]
        while not self.stopping.is_set():
            try:
                received = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=min(mapping["batch_size"], 10),
                    WaitTimeSeconds=SQS_WAIT_SECONDS,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
            except Exception as e:  # the emulator is stopping or restarting
                if not self.stopping.is_set():
                    self.log(f"[pump] receive from {url} failed: {e}")
                    self.stopping.wait(1)
                continue
            # A message received while stopping is left to reappear, as Lambda does
            # when a mapping is disabled.
            if received and not self.stopping.is_set():
                self._deliver(sqs, function, mapping, url, arn, received)

    def _deliver(self, sqs, function, mapping, url, arn, messages):
        event = {"Records": [{
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": {
                k: {"stringValue": v.get("StringValue"), "binaryValue": v.get("BinaryValue"), "dataType": v["DataType"],
                    "stringListValues": [], "binaryListValues": []}
                for k, v in m.get("MessageAttributes", {}).items()
            },
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": "us-east-1",
        } for m in messages]}
        ids = {m["MessageId"] for m in messages}
        started = time.perf_counter()
        try:
            response = self.runtimes[function].invoke(event)
            failed = set()
            if mapping["report_failures"] and isinstance(response, dict):
                failed = {f.get("itemIdentifier") for f in response.get("batchItemFailures") or []}
                if not failed <= ids:
                    self.log(f"[pump] {function}: unknown itemIdentifier, whole batch failed")
                    failed = ids
        except InvokeError as e:
            self.log(f"[pump] {function} failed, batch will be retried: {e}")
            failed = ids
        self._log_batch(function, len(messages), "message", len(failed), started)
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            elif self.retry_delay is not None:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=self.retry_delay)

    def _log_batch(self, function, count, unit, failed, started):
        elapsed = (time.perf_counter() - started) * 1000
        outcome = f", {failed} failed" if failed else ""
        self.log(f"job {self._label(function)}: {count} {unit}{'s' if count != 1 else ''}{outcome} {elapsed:.0f} ms")

    # ------------------------------------------------------------------ streams
    def _pump_stream(self, function, mapping):
        """Lambda's stream semantics: records in order per shard, only those the
        mapping's filters match; a failed invocation or a reported item failure is
        retried from the failed record; after MaximumRetryAttempts retries the
        batch's description goes to the OnFailure destination and the shard moves on."""
        streams = client("dynamodbstreams", self.stack["endpoint"])
        readers, pending, attempts = {}, {}, {}
        while not self.stopping.is_set():
            # Lambda polls a shard again at once while it has records; only an idle
            # stream waits.
            busy = False
            try:
                stream = streams.describe_stream(StreamArn=mapping["arn"])["StreamDescription"]
                for shard in stream.get("Shards", []):
                    sid = (stream.get("StreamLabel"), shard["ShardId"])
                    if sid not in readers:
                        if readers:
                            self.log(f"[pump] {function}: reading new shard {sid[1]} of stream {sid[0]}")
                        readers[sid] = _ShardReader(streams, mapping["arn"], shard["ShardId"], function, self.log)
                    batch = pending.get(sid)
                    if not batch:
                        records = readers[sid].read(mapping["batch_size"])
                        busy = busy or bool(records)
                        batch = [r for r in records if _matches_any(mapping["filters"], r)]
                    if not batch:
                        continue
                    failed_from = self._deliver_stream(function, mapping, batch)
                    if failed_from is None:
                        pending[sid] = None
                        continue
                    failed = batch[failed_from:]
                    key = (sid, failed[0]["dynamodb"]["SequenceNumber"])
                    attempts[key] = attempts.get(key, 0) + 1
                    if 0 <= mapping["max_retries"] < attempts[key]:
                        self._stream_gave_up(function, mapping, sid[1], failed, attempts.pop(key))
                        pending[sid] = None
                    else:
                        pending[sid] = failed
            except Exception as e:
                if not self.stopping.is_set():
                    self.log(f"[pump] stream for {function} failed: {e}")
            if any(pending.values()):
                self.stopping.wait(self.retry_delay if self.retry_delay is not None else 1)
            elif not busy:
                self.stopping.wait(IDLE_STREAM_POLL_SECONDS)

    def _deliver_stream(self, function, mapping, records):
        """Invokes the function; returns the index of the first failed record, or None."""
        for r in records:
            r["eventSourceARN"] = mapping["arn"]
            if "ApproximateCreationDateTime" in r.get("dynamodb", {}):
                value = r["dynamodb"]["ApproximateCreationDateTime"]
                r["dynamodb"]["ApproximateCreationDateTime"] = value.timestamp() if hasattr(value, "timestamp") else value
        started = time.perf_counter()
        failed_from = self._invoke_stream(function, mapping, records)
        self._log_batch(function, len(records), "stream record",
                        0 if failed_from is None else len(records) - failed_from, started)
        return failed_from

    def _invoke_stream(self, function, mapping, records):
        try:
            response = self.runtimes[function].invoke(json.loads(json.dumps({"Records": records}, default=str)))
        except InvokeError as e:
            self.log(f"[pump] {function} failed on stream records, retrying: {e}")
            return 0
        if not mapping["report_failures"] or not isinstance(response, dict):
            return None
        failures = [f.get("itemIdentifier") for f in response.get("batchItemFailures") or []]
        if not failures:
            return None
        sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
        indexes = [sequences.index(f) for f in failures if f in sequences]
        if len(indexes) != len(failures):
            self.log(f"[pump] {function}: unknown itemIdentifier, whole batch failed")
            return 0
        return min(indexes)

    def _stream_gave_up(self, function, mapping, shard, records, attempts):
        self.log(f"[pump] {function}: {len(records)} stream records failed {attempts} times; sent to on-failure")
        if not mapping["on_failure"]:
            return
        now = datetime.now(timezone.utc)
        record = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(records),
                "streamArn": mapping["arn"],
            },
        }
        client("sqs", self.stack["endpoint"]).send_message(QueueUrl=mapping["on_failure"], MessageBody=json.dumps(record))

    # ------------------------------------------------------------------ schedules
    @staticmethod
    def _scheduled_event():
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": {},
        }

    def _invoke(self, function, event):
        started = time.perf_counter()
        try:
            result = self.runtimes[function].invoke(event)
        except InvokeError as e:
            self.log(f"[schedule] {function} failed: {e}")
            return {"error": str(e)}
        elapsed = (time.perf_counter() - started) * 1000
        self.log(f"job {self._label(function)}: scheduled {json.dumps(result)} {elapsed:.0f} ms")
        return result

    def _fire_schedule(self, function, schedule):
        m = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", schedule["expression"])
        if not m:
            self.log(f"[schedule] {function}: {schedule['expression']} is not run locally; POST /_local/schedules/{function}")
            return
        seconds = int(m.group(1)) * {"minute": 60, "hour": 3600, "day": 86400}[m.group(2).rstrip("s")]
        while not self.stopping.wait(seconds):
            self._invoke(function, self._scheduled_event())


class _ShardReader:
    """One shard, read in order from a position kept as the last sequence number
    read, the way Lambda's poller checkpoints. An iterator is followed only while
    it returns records; an idle shard is asked again from the position, so a
    reader never waits on an iterator that has expired or reads a shard the
    stream no longer writes to. An iterator that fails is re-opened from the
    position, and that is logged."""

    def __init__(self, streams, arn, shard_id, function, log):
        self.streams = streams
        self.arn = arn
        self.shard_id = shard_id
        self.function = function
        self.log = log
        self.last_sequence = None
        self.iterator = None

    def read(self, limit):
        if self.iterator is None:
            self.iterator = self._open()
        try:
            page = self.streams.get_records(ShardIterator=self.iterator, Limit=limit)
        except ClientError as e:
            self.log(f"[pump] {self.function}: {e.response['Error']['Code']} on shard {self.shard_id}; "
                     f"re-opening after sequence number {self.last_sequence}")
            self.iterator = self._open()
            page = self.streams.get_records(ShardIterator=self.iterator, Limit=limit)
        records = page.get("Records", [])
        if records:
            self.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
            self.iterator = page.get("NextShardIterator")
        else:
            self.iterator = None
        return records

    def _open(self):
        position = {"ShardIteratorType": "TRIM_HORIZON"}
        if self.last_sequence is not None:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self.last_sequence}
        return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=self.shard_id, **position)["ShardIterator"]


def _matches_any(patterns, record):
    """Lambda event filtering, for the pattern forms the template uses: exact
    values, `{"prefix": ...}` and nesting. No patterns means every record."""
    return not patterns or any(_matches(p, record) for p in patterns)


def _matches(pattern, value):
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(k in value and _matches(v, value[k]) for k, v in pattern.items())
    if isinstance(pattern, list):
        return any(_matches_rule(rule, value) for rule in pattern)
    return pattern == value


def _matches_rule(rule, value):
    if isinstance(rule, dict) and "prefix" in rule:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    return rule == value


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
