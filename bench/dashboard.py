"""`make bench-dashboard`: what the dashboard costs a merchant's browser, against
a running `make dev` (another terminal). Rewrites docs/benchmarks-dashboard.md.

- The sign-in route's initial JavaScript and CSS, gzipped as CloudFront serves
  them, and the time a clean build of both apps takes.
- The orders list with 1,000 orders in one status: from navigation to the first
  page's rows on screen in headless Chromium (Debian's), 15 loads, beside the
  API call that page makes (`GET /orders?status=…&limit=25`) timed alone from
  Python: the difference is what the page itself adds.

Numbers, not assertions: the machine is shared and noisy (docs/benchmarks.md)."""

import argparse
import gzip
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "infra" / "local"))

from tillbox_local import dashboard  # noqa: E402
from tillbox_local.commands.dev import DEV_ADMIN  # noqa: E402
from tillbox_local.docs_page import chromium  # noqa: E402
from tillbox_local.races import Api  # noqa: E402
from tillbox_local.tokens import token  # noqa: E402

REPORT = ROOT / "docs" / "benchmarks-dashboard.md"
STATUS = "pending_payment"
LOADS = 15


def initial_assets(dist, app="admin"):
    """(name, raw bytes, gzipped bytes) of what index.html loads before the app runs."""
    html = (dist / app / "index.html").read_text()
    out = []
    for path in re.findall(r'(?:src|href)="/' + app + r'/(assets/[^"]+\.(?:js|css))"', html):
        data = (dist / app / path).read_bytes()
        out.append((f"{app}/{path}", len(data), len(gzip.compress(data, 9))))
    return out


def clean_build_seconds(dist):
    """`npm run build`'s steps into `dist`: beside `make dev`'s rebuild-on-change,
    which holds Vite's lock on dashboard/dist/."""
    bin_dir = dashboard.DASHBOARD / "node_modules" / ".bin"
    steps = [[str(bin_dir / "tsc"), "--noEmit"]] + [
        [str(bin_dir / "vite"), "build", "--mode", app, "--outDir", str(dist / app), "--emptyOutDir", "--bypass-lock"]
        for app in ("admin", "account")]
    started = time.perf_counter()
    for step in steps:
        subprocess.run(step, cwd=dashboard.DASHBOARD, env=dashboard.node_env(), check=True,
                       stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def seed_orders(api, wanted):
    """Orders awaiting payment until `wanted` are listed in STATUS, from fresh
    customers (each may hold three unpaid orders)."""
    staff = token("staff", "bench-staff")
    have = 0
    cursor = None
    while True:
        page = api.call("GET", f"/orders?status={STATUS}&limit=100" + (f"&cursor={cursor}" if cursor else ""),
                        token=staff)[2]
        have += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor or have >= wanted:
            break
    missing = max(0, wanted - have)
    if not missing:
        return have
    status, _, product = api.call("POST", "/products", {
        "sku": f"BENCH-{uuid.uuid4().hex[:8]}", "name": "Bench poster", "price": {"amount": 1500, "currency": "EUR"},
        "stock": missing + 10, "status": "active"}, staff)
    assert status == 201, product
    run = uuid.uuid4().hex[:8]

    def place(i):
        customer = token("customer", f"bench-{run}-{i // 3}")
        status, _, body = api.call("POST", "/orders", {"lines": [{"product_id": product["id"], "quantity": 1}]},
                                   customer, {"idempotency-key": f"bench-{run}-{i}"})
        return status

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(place, range(missing)))
    refused = [s for s in statuses if s != 201]
    if refused:
        sys.exit(f"{len(refused)} orders were refused (e.g. {refused[0]}); is `make dev` running?")
    return have + missing


def api_alone(api, access):
    """The page's one API call, timed from Python: the floor under the page."""
    times = []
    for _ in range(LOADS):
        started = time.perf_counter()
        status, _, body = api.call("GET", f"/orders?status={STATUS}&limit=25", token=access)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200 and len(body["items"]) == 25, status
    return times


def in_the_browser(api_url):
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    loads = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=flags)
        page = browser.new_page()
        page.goto(f"{api_url}/admin/")
        page.get_by_label("E-mail").fill(DEV_ADMIN[0])
        page.get_by_label("Password").fill(DEV_ADMIN[1])
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Sign out", exact=True).wait_for()
        access = json.loads(page.evaluate("sessionStorage.getItem('tillbox.dashboard.access')"))["access"]
        for _ in range(LOADS + 1):
            page.goto(f"{api_url}/admin/orders?status={STATUS}", wait_until="commit")
            page.locator("table[aria-label=Orders] tbody tr").nth(24).wait_for()
            timing = page.evaluate("""() => {
                const nav = performance.getEntriesByType("navigation")[0];
                const calls = performance.getEntriesByType("resource");
                const find = (part) => calls.find((c) => c.name.includes(part));
                const orders = find("/orders?");
                const script = calls.find((c) => c.name.endsWith(".js"));
                return {
                    shown: performance.now(),
                    document: nav.responseEnd,
                    script: script ? script.responseEnd : 0,
                    config: (find("config.json") || {}).responseEnd || 0,
                    api_start: orders.startTime,
                    api: orders.duration,
                };
            }""")
            loads.append(timing)
        browser.close()
    return loads[1:], access


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:3000", help="the gateway `make dev` runs")
    parser.add_argument("--orders", type=int, default=1000)
    args = parser.parse_args()
    if dashboard.install():
        sys.exit("npm ci failed")
    with tempfile.TemporaryDirectory() as folder:
        dist = Path(folder)
        build = clean_build_seconds(dist)
        assets = initial_assets(dist)
        account = initial_assets(dist, "account")
    api = Api(args.api)
    listed = seed_orders(api, args.orders)
    loads, access = in_the_browser(args.api)
    alone = api_alone(api, access)

    shown = [t["shown"] for t in loads]
    api_in_page = [t["api"] for t in loads]
    before_api = [t["api_start"] for t in loads]
    after_api = [t["shown"] - t["api_start"] - t["api"] for t in loads]
    parts = {"loading the page before the API call": statistics.median(before_api),
             "the API call": statistics.median(api_in_page),
             "rendering": statistics.median(after_api)}
    dominant = max(parts, key=parts.get)
    share = parts[dominant] / statistics.median(shown)
    js_gz = sum(g for n, _, g in assets if n.endswith(".js"))
    rows = "\n".join(f"| `{n}` | {raw / 1024:.1f} KB | {gz / 1024:.1f} KB |" for n, raw, gz in assets + account)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    REPORT.write_text(f"""# Dashboard benchmarks

Generated by `make bench-dashboard` (bench/dashboard.py) on {now}, commit `{commit}`,
against `make dev` on this machine (2 shared cores; debug function binaries, as
`make dev` runs them). Do not edit by hand.

## What the browser loads

The sign-in route loads `index.html`, then these files (gzip -9, as CloudFront
compresses them; the whole app is one chunk, so every screen is loaded here):

| file | raw | gzipped |
|---|---|---|
{rows}

Initial JavaScript of the sign-in route: **{js_gz / 1024:.1f} KB gzipped** (target ≤ 350 KB).
A clean build of both apps (`npm run build`: tsc, then Vite twice) took **{build:.1f} s**.

## The orders list with {listed:,} orders

{listed:,} orders in `{STATUS}`; {len(loads)} loads of `/admin/orders?status={STATUS}` in headless
Chromium, from navigation to the 25th row on screen (signed in; the page's access
token is reused, as after a reload):

| | p50 | p90 |
|---|---|---|
| first page on screen | **{pct(shown, .5):.0f} ms** | {pct(shown, .9):.0f} ms |
| until the page asks the API (document, script, config.json) | {pct(before_api, .5):.0f} ms | {pct(before_api, .9):.0f} ms |
| the API call, as the page saw it | {pct(api_in_page, .5):.0f} ms | {pct(api_in_page, .9):.0f} ms |
| rendering the rows after the answer | {pct(after_api, .5):.0f} ms | {pct(after_api, .9):.0f} ms |
| the same API call from Python (the floor) | {pct(alone, .5):.0f} ms | {pct(alone, .9):.0f} ms |

What dominates: {dominant} ({share:.0%} of the median load). The list asks for one
page of 25 (`limit=25`, the API's cursor), so the number of orders in the status
changes neither what the page fetches nor what it renders.
""")
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
