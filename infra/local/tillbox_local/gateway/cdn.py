"""The CloudFront distribution in front of the HTTP API (`ApiDistribution` in
template.yaml), on a port of its own as it has a domain of its own in AWS: the
behaviours whose cache policy the template names (the public catalog) are
cached as CloudFront caches them, every other request passes straight to the
API.

- The cache key is the method, path and query string and the cache policy's
  headers (`authorization`, `origin`): a request with a token is its own key.
- An answer is kept only when its `Cache-Control` says `public` and `max-age`
  (capped by the policy's MaxTTL), never when it says `no-store` or `private`,
  and only a 200.
- A kept answer is served with `Age` and `X-Cache: Hit from cloudfront`; a
  repeat whose `If-None-Match` names its `ETag` gets 304 from the cache.
  `stale-while-revalidate` is not played: an expired answer is fetched again."""

import fnmatch
import re
import threading
import time
import urllib.parse

from .http_api import _Server


class ApiCdn:
    def __init__(self, description, api, port, log):
        self.behaviors = description["behaviors"]
        self.api = api
        self.log = log
        self.cache = {}
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", port), api._handler(self))

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def log_request(self, method, target, status, started, function):
        self.api.log_request(method, target, status, started, function)

    def _behavior(self, path):
        return next((b for b in self.behaviors if fnmatch.fnmatchcase(path, b["pattern"])), None)

    def handle_http(self, method, raw_target, headers, body, source_ip):
        path = urllib.parse.urlsplit(raw_target).path
        behavior = self._behavior(path)
        if behavior is None or method not in ("GET", "HEAD"):
            return self.api.handle_http(method, raw_target, headers, body, source_ip)
        key = (method, raw_target, *(headers.get(h) for h in behavior["headers"]))
        now = time.monotonic()
        with self.lock:
            kept = self.cache.get(key)
        if kept and kept["expires"] > now:
            status, out_headers, out = kept["answer"]
            age = [("Age", str(int(now - kept["stored"]))), ("X-Cache", "Hit from cloudfront")]
            etag = dict((k.lower(), v) for k, v in out_headers).get("etag")
            asked = headers.get("If-None-Match")
            if etag and asked and etag in [t.strip() for t in asked.split(",")]:
                kept_headers = [(k, v) for k, v in out_headers if k.lower() in ("etag", "cache-control")]
                return 304, kept_headers + age, b"", None
            return status, out_headers + age, out, None
        status, out_headers, out, function = self.api.handle_http(method, raw_target, headers, body, source_ip)
        ttl = self._ttl(status, out_headers, behavior["max_ttl"])
        if ttl:
            with self.lock:
                self.cache[key] = {"answer": (status, out_headers, out), "stored": now, "expires": now + ttl}
        return status, [*out_headers, ("X-Cache", "Miss from cloudfront")], out, function

    @staticmethod
    def _ttl(status, headers, max_ttl):
        if status != 200:
            return 0
        control = dict((k.lower(), v) for k, v in headers).get("cache-control", "").lower()
        if "no-store" in control or "private" in control or "public" not in control:
            return 0
        found = re.search(r"(?:^|,)\s*max-age=(\d+)", control)
        return min(int(found.group(1)), max_ttl) if found else 0
