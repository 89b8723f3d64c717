"""The dashboard and the account pages (dashboard/dist/), served as CloudFront
serves them in AWS: files by path, the app's index.html for any other path
under /admin/ or /account/ (the CloudFront Function's SPA fallback), hashed
assets cached for a year, and the same Content-Security-Policy header.

In AWS the pages have their own origin and the API another; here one port
serves both, and the API has routes under /admin/ too (`GET /admin/stats`). A
page load is a browser navigation (`Sec-Fetch-Mode: navigate`): that gets the
app; every other request goes on to the API's routes."""

import json
import mimetypes
from pathlib import Path

from ..paths import ROOT

DIST = ROOT / "dashboard" / "dist"
APPS = ("admin", "account")


class Site:
    def __init__(self, csp, dist=DIST):
        self.csp = csp
        self.dist = dist
        # What the apps' config.json says besides the API (`live_url`, the WebSocket API).
        self.config = {}

    def answers(self, method, path, headers):
        """Whether this request is for the pages rather than the API."""
        app = path.strip("/").split("/", 1)[0]
        if method not in ("GET", "HEAD") or app not in APPS:
            return False
        return (self._file(path) is not None or path == f"/{app}/config.json"
                or headers.get("Sec-Fetch-Mode") == "navigate" or app == "account")

    def get(self, path):
        """(status, headers, body) for a page, an asset or the SPA fallback."""
        app = path.strip("/").split("/", 1)[0]
        if path == f"/{app}":
            # As the CloudFront Function does: the app's base is its folder.
            return 301, [("Location", f"/{app}/"), ("Content-Type", "text/plain")], b""
        file = self._file(path)
        if file is None and path == f"/{app}/config.json":
            # Publishing writes one naming the API; here the API is the page's own
            # origin, which the apps use when the file names none.
            config = json.dumps(self.config).encode()
            return 200, [("Content-Type", "application/json"), ("Cache-Control", "no-cache")], config
        if file is None and Path(path).suffix:
            return 404, [("Content-Type", "text/plain")], b"Not Found"
        if file is None:
            file = self.dist / app / "index.html"
        if not file.is_file():
            return 503, [("Content-Type", "text/plain")], b"The dashboard is not built yet: make dev builds it (npm run build in dashboard/)."
        immutable = file.parent.name == "assets"
        headers = [
            ("Content-Type", mimetypes.guess_type(file.name)[0] or "application/octet-stream"),
            ("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache"),
            ("Content-Security-Policy", self.csp),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
        ]
        return 200, headers, file.read_bytes()

    def _file(self, path):
        if "\0" in path:
            return None
        candidate = (self.dist / path.lstrip("/")).resolve()
        # Nothing outside dist/ (`/admin/../../etc/passwd`).
        if not candidate.is_relative_to(self.dist.resolve()) or not candidate.is_file():
            return None
        return candidate
