"""The local API gateway and event pump: plays the parts of AWS that call our
functions, from the stack description that `stack.py` derives from template.yaml.
One module per part:

- http_api.py: the HTTP API (routes, API Gateway v2 events, request framing).
- event_sources.py: the SQS and DynamoDB stream event source mappings.
- scheduler.py: `rate(...)` schedules.
- assets.py: the CDN in front of the bucket.
- site.py: the dashboard and account pages the CDN serves from dashboard/dist/.
- cdn.py: the CDN in front of the API (the public catalog cached), on a port of its own.
- websocket_api.py: the WebSocket API (live updates), on a port of its own.

`Gateway` starts and stops them together. `log` gets one line per request, per
job batch and per fired schedule.
"""

import threading

from .assets import Assets
from .cdn import ApiCdn
from .event_sources import EventSources
from .http_api import HttpApi
from .scheduler import Scheduler
from .site import Site
from .websocket_api import WebSocketApi


class Gateway:
    def __init__(self, stack, runtimes, port=0, retry_delay=None, log=print, cdn_port=0, live_port=0):
        """`runtimes` maps function logical ids to runtimes. `retry_delay`, when set,
        makes failed messages visible again after that many seconds instead of the
        queue's visibility timeout, so tests can watch a redrive in seconds."""
        self.stack = stack
        self.stopping = threading.Event()
        self.scheduler = Scheduler(stack, runtimes, self.stopping, log)
        self.events = EventSources(stack, runtimes, self.stopping, log, retry_delay)
        assets = Assets(stack) if stack.get("cdn") else None
        site = Site(stack["site"]["csp"]) if stack.get("site") else None
        self.http = HttpApi(stack, runtimes, port, log, assets, self.scheduler, site)
        self.api_cdn = ApiCdn(stack["api_cdn"], self.http, cdn_port, log) if stack.get("api_cdn") else None
        self.live = WebSocketApi(stack, runtimes, live_port, log) if stack.get("live") else None
        self.http.live = self.live
        self.threads = []

    @property
    def url(self):
        return self.http.url

    @property
    def cdn_url(self):
        """The API as the CDN in front of it serves it (`ApiCdnUrl` in AWS)."""
        return self.api_cdn.url if self.api_cdn else None

    @property
    def live_url(self):
        """The WebSocket API (`LiveUrl` in AWS), once started."""
        return self.live.url if self.live else None

    @property
    def server(self):
        return self.http.server

    @property
    def routes(self):
        return self.http.routes

    def route(self, method, raw_target, headers, body, source_ip):
        """The function a request goes to and the API Gateway event it gets, or
        None when no route matches."""
        return self.http.route(method, raw_target, headers, body, source_ip)

    def start(self):
        if self.live:
            self.live.start()
            if self.http.site:
                # The pages connect to it: config.json names it, and the CSP allows it.
                self.http.site.config["live_url"] = self.live.url
                self.http.site.csp = self.http.site.csp.replace("connect-src 'self'", f"connect-src 'self' {self.live.url}")
        self.threads.append(threading.Thread(target=self.http.server.serve_forever, daemon=True))
        if self.api_cdn:
            self.threads.append(threading.Thread(target=self.api_cdn.server.serve_forever, daemon=True))
        for name, spec in self.stack["functions"].items():
            for mapping in spec["queues"]:
                self.threads.append(
                    threading.Thread(target=self.events.pump_queue, args=(name, mapping), daemon=True, name="sqs"))
            for mapping in spec["streams"]:
                self.threads.append(threading.Thread(target=self.events.pump_stream, args=(name, mapping), daemon=True))
            for schedule in spec["schedules"]:
                self.threads.append(threading.Thread(target=self.scheduler.run, args=(name, schedule), daemon=True))
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        """Stops serving and polling. A queue's long poll may still be open in the
        emulator; what it receives is not delivered (see EventSources.pump_queue)."""
        self.stopping.set()
        self.http.server.shutdown()
        self.http.server.server_close()
        if self.api_cdn:
            self.api_cdn.server.shutdown()
            self.api_cdn.server.server_close()
        if self.live:
            self.live.stop()
        for t in self.threads:
            if t.name != "sqs":
                t.join(timeout=5)
