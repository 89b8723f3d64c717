"""The WebSocket API (`LiveApi` in template.yaml), as API Gateway runs it:

- `$connect` is invoked during the handshake; an answer other than 200 refuses
  it with that status, and the `Sec-WebSocket-Protocol` the answer names is the
  one chosen.
- Each message goes to the route its `action` names (the template's
  `RouteSelectionExpression`), else to `$default`; a route with a route
  response sends the function's `body` back to the client. A failing function
  answers `{"message": "Internal server error", …}`, as API Gateway does.
- Messages over 32 KB close the connection (1009); `$disconnect` runs when the
  connection ends, from either side.
- The management API, `POST|GET|DELETE /@connections/{id}`, which the functions
  call on the gateway's HTTP port under /_local/live (http_api.py): 410
  `GoneException` for a connection that is not open.

moto has no WebSocket data plane (docs/architecture.md, "Local stack"); this
is it. It runs one asyncio loop on a thread of its own.
"""

import asyncio
import base64
import json
import os
import threading
import time
import uuid
from datetime import datetime, timezone

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response

from ..runtime import InvokeError
from .common import label

# API Gateway takes frames of 32 KB and messages of 128 KB (in several frames);
# here a message is one frame, so the limit is 32 KB: stricter than AWS, never
# looser. A larger one closes the connection with 1009, as in AWS.
MAX_FRAME_BYTES = 32 * 1024
INTERNAL_ERROR = "Internal server error"


def _connection_id():
    """Shaped like API Gateway's: a few random bytes in base64 (`L0SM9cOFvHcCIhw=`)."""
    return base64.b64encode(os.urandom(11)).decode()


class WebSocketApi:
    def __init__(self, stack, runtimes, port, log):
        self.spec = stack["live"]
        self.stack = stack
        self.runtimes = runtimes
        self.log = log
        self.connections = {}
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.stopped = None
        self.port = port
        self.thread = threading.Thread(target=self._run, daemon=True, name="websocket")

    @property
    def url(self):
        """What clients connect to (`LiveUrl` in AWS)."""
        return f"ws://127.0.0.1:{self.port}"

    def start(self):
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the local WebSocket API did not start")
        return self

    def stop(self):
        if self.stopped is not None:
            self.loop.call_soon_threadsafe(self.stopped.set_result, None)
        self.thread.join(timeout=10)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self):
        self.stopped = self.loop.create_future()
        async with serve(self._handle, "127.0.0.1", self.port, process_request=self._connect,
                         select_subprotocol=self._subprotocol, max_size=MAX_FRAME_BYTES) as server:
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            await self.stopped
        # Every connection closed with the server: each one's $disconnect ran.

    # ------------------------------------------------------------- lambda events
    def _event(self, connection, route, event_type, body=None, headers=None, extra=None):
        now = datetime.now(timezone.utc)
        context = {
            "routeKey": route,
            "eventType": event_type,
            "messageDirection": "IN",
            "stage": self.spec["stage"],
            "connectedAt": connection.connected_at,
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "identity": {"sourceIp": connection.remote_address[0]},
            "requestId": str(uuid.uuid4()),
            "extendedRequestId": str(uuid.uuid4()),
            "domainName": f"127.0.0.1:{self.port}",
            "connectionId": connection.live_id,
            "apiId": self.stack["resources"][self.spec["api"]]["ref"],
            **(extra or {}),
        }
        event = {"requestContext": context, "isBase64Encoded": False}
        if headers is not None:
            event["headers"] = headers
            event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
        if body is not None:
            event["body"] = body
        return event

    async def _invoke(self, route, event):
        """The function's answer to `event`, or None when it failed."""
        function = self.spec["routes"][route]["function"]
        started = time.perf_counter()
        try:
            reply = await asyncio.to_thread(self.runtimes[function].invoke, event)
        except InvokeError as e:
            self.log(f"[live] {label(self.stack, function)} failed: {e}")
            return None
        status = reply.get("statusCode", 200) if isinstance(reply, dict) else 200
        self.log(f"WS   {route:<12} {status} {(time.perf_counter() - started) * 1000:6.0f} ms  "
                 f"{label(self.stack, function)}")
        return reply if isinstance(reply, dict) else {"statusCode": 200}

    # ------------------------------------------------------------- connections
    async def _connect(self, connection, request):
        """Runs `$connect` before the handshake is answered."""
        connection.live_id = _connection_id()
        connection.connected_at = int(time.time() * 1000)
        connection.chosen = None
        connection.accepted = False
        headers = {k: v for k, v in request.headers.raw_items()}
        route = "$connect"
        if route not in self.spec["routes"]:
            connection.accepted = True
            return None
        reply = await self._invoke(route, self._event(connection, route, "CONNECT", headers=headers))
        status = reply.get("statusCode", 200) if reply else 500
        if status != 200:
            reason = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}.get(status, "Internal Server Error")
            return Response(status, reason, Headers([("Content-Type", "text/plain"), ("Content-Length", "0")]), b"")
        connection.chosen = {k.lower(): v for k, v in (reply.get("headers") or {}).items()}.get("sec-websocket-protocol")
        connection.accepted = True
        return None

    def _subprotocol(self, connection, offered):
        return connection.chosen if connection.chosen in offered else None

    async def _handle(self, connection):
        self.connections[connection.live_id] = connection
        try:
            async for message in connection:
                await self._message(connection, message)
        except ConnectionClosed:
            # Gone without a closing handshake (a killed client), or closed for a
            # message over the limit (1009): $disconnect runs all the same.
            pass
        finally:
            self.connections.pop(connection.live_id, None)
            if "$disconnect" in self.spec["routes"]:
                code = connection.close_code if connection.close_code is not None else 1006
                extra = {"disconnectStatusCode": code, "disconnectReason": connection.close_reason or ""}
                await self._invoke("$disconnect", self._event(connection, "$disconnect", "DISCONNECT", extra=extra))

    async def _message(self, connection, message):
        body = message if isinstance(message, str) else message.decode("utf-8", "replace")
        try:
            parsed = json.loads(body)
            action = parsed.get(self.spec["selection"]) if isinstance(parsed, dict) else None
        except ValueError:
            action = None
        route = action if isinstance(action, str) and action in self.spec["routes"] and not action.startswith("$") \
            else "$default"
        if route not in self.spec["routes"]:
            return
        request_id = str(uuid.uuid4())
        extra = {"messageId": base64.b64encode(os.urandom(9)).decode(), "requestId": request_id}
        reply = await self._invoke(route, self._event(connection, route, "MESSAGE", body=body, extra=extra))
        if reply is None:
            answer = json.dumps({"message": INTERNAL_ERROR, "connectionId": connection.live_id, "requestId": request_id})
        elif self.spec["routes"][route]["responds"] and reply.get("body") is not None:
            answer = reply["body"]
        else:
            return
        try:
            await connection.send(answer)
        except ConnectionClosed:
            pass  # the client left while its message was handled (a page navigating away)

    # ------------------------------------------------------------- management API
    def _on_loop(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def manage(self, method, connection_id, body):
        """(status, headers, body) of `METHOD /@connections/{id}` (from another thread)."""
        connection = self.connections.get(connection_id)
        if connection is None:
            gone = json.dumps({"message": f"Connection {connection_id} is gone"}).encode()
            return 410, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "GoneException")], gone
        if method == "POST":
            if len(body) > 128 * 1024:
                too_large = json.dumps({"message": "Message too long"}).encode()
                return 413, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "PayloadTooLargeException")], too_large
            try:
                self._on_loop(connection.send(body.decode("utf-8", "replace")))
            except ConnectionClosed:  # closed while sending: gone, as API Gateway says then
                return 410, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "GoneException")], b"{}"
            return 200, [("Content-Type", "application/json")], b""
        if method == "DELETE":
            self._on_loop(connection.close())
            return 204, [], b""
        if method == "GET":
            info = {"connectedAt": datetime.fromtimestamp(connection.connected_at / 1000, timezone.utc).isoformat(),
                    "identity": {"sourceIp": connection.remote_address[0]}}
            return 200, [("Content-Type", "application/json")], json.dumps(info).encode()
        return 404, [("Content-Type", "application/json")], b'{"message":"Not Found"}'
