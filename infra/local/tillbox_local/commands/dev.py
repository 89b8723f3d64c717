"""`make dev`: the whole API on loopback.

Builds every function and the dashboard, starts moto and the Stripe emulator,
creates everything template.yaml declares, starts `cargo lambda watch` (runs and
hot-reloads the functions) and the dashboard's rebuild-on-change, and runs the
local gateway and event pump in front of it. Creates the development admin and a
few demo products, then prints the banner. From then on it prints one line per
HTTP request, job batch and e-mail; the build's, the emulator's and the
functions' own output go to target/dev.log (`--verbose`, `make dev VERBOSE=1`,
shows them here). Ctrl-C, SIGTERM and SIGHUP stop everything it started.
"""

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .. import dashboard
from .. import stack as local_stack
from ..emulator import Emulator
from ..gateway import Gateway
from ..paths import ROOT
from ..ports import wait_until_free
from ..processes import ProcessGroup, die_with_parent
from ..runtime import CargoLambdaRuntime, binaries_dir
from ..stripe_emulator import LocalStripe
from ..tokens import token

DEV_ADMIN = ("admin@tillbox.local", "tillbox-dev-admin-2026")

DEMO_PRODUCTS = [
    {"name": "Black tee", "description": "Organic cotton, relaxed fit.",
     "price": {"amount": 2500, "currency": "EUR"}, "status": "active", "category": "t-shirts",
     "options": [{"name": "Size", "values": ["S", "M", "L", "XL"]}],
     "variants": [{"sku": "TEE-BLK-S", "options": {"Size": "S"}, "stock": 12},
                  {"sku": "TEE-BLK-M", "options": {"Size": "M"}, "stock": 40},
                  {"sku": "TEE-BLK-L", "options": {"Size": "L"}, "stock": 3},
                  {"sku": "TEE-BLK-XL", "options": {"Size": "XL"}, "stock": 8,
                   "price": {"amount": 2700, "currency": "EUR"}}]},
    {"sku": "MUG-WHT", "name": "White mug", "description": "Stoneware, 330 ml.",
     "price": {"amount": 1200, "currency": "EUR"}, "stock": 25, "status": "active", "category": "mugs"},
    {"sku": "POSTER-A2", "name": "City poster (A2)", "description": "Giclée print on matte paper.",
     "price": {"amount": 3900, "currency": "EUR"}, "stock": 10, "status": "active", "category": "prints"},
    {"sku": "CAP-NEW", "name": "Cap (coming soon)", "description": "Still a draft: staff only.",
     "price": {"amount": 1900, "currency": "EUR"}, "stock": 0, "status": "draft", "category": "hats"},
]


class Stopped(Exception):
    """Ctrl-C, SIGTERM or SIGHUP: unwind, stopping what was started."""


def stop_on_signals():
    def stop(signum, _frame):
        # Clean-up runs once: a second signal does not cut it short.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    # `make` does not pass every signal on to its recipe (SIGHUP, say, or a
    # SIGKILL): when it goes, so does this process.
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:
        raise Stopped("parent gone")


_say_lock = threading.Lock()


def say(message):
    """One whole line per message: print() writes the text and its newline
    separately, so two threads' lines could run together."""
    with _say_lock:
        sys.stdout.write(f"{message}\n")
        sys.stdout.flush()


def tillbox_admin(*args, **run):
    return subprocess.run([str(binaries_dir() / "tillbox-admin"), *args], text=True, capture_output=True, **run)


def seed(api):
    """The demo products, through the API as a staff member would create them."""
    staff = token("staff", "demo-staff")
    for product in DEMO_PRODUCTS:
        request = urllib.request.Request(
            f"{api}/products", data=json.dumps(product).encode(), method="POST",
            headers={"content-type": "application/json", "authorization": f"Bearer {staff}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=900):
                pass
        except urllib.error.HTTPError as e:
            with e:
                say(f"demo product {product['name']} was refused: {e.code} {e.read()[:200]!r}")


def create_admin(table):
    """The first admin, through the same command an operator runs after deploying."""
    email, password = DEV_ADMIN
    out = tillbox_admin("create-admin", "--email", email, input=password + "\n", env={**os.environ, "TABLE_NAME": table})
    if out.returncode:
        say(f"creating the admin failed: {(out.stderr or out.stdout).strip()}")


def print_emails(endpoint, stop):
    """SES in the emulator delivers nowhere: show each e-mail's recipient, subject and link."""
    since = 0
    while not stop.wait(1):
        try:
            with urllib.request.urlopen(f"{endpoint}/_local/mail?since={since}", timeout=10) as r:
                listing = json.load(r)
        except OSError:
            continue
        for m in listing["messages"]:
            to = ", ".join(m["destinations"].get("ToAddresses", []))
            link = _first_link(m["body"])
            say(f"email to {to}: {m['subject']}" + (f"\n      {link}" if link else ""))
        since = listing["next"]


METRICS = ROOT / "target" / "metrics.jsonl"


def print_metrics(stop):
    """What the functions count (CloudWatch Embedded Metric Format, written to
    target/metrics.jsonl locally): one line per data point, e.g. an order placed."""
    # target/ need not exist: cargo may build elsewhere (CARGO_TARGET_DIR).
    METRICS.parent.mkdir(parents=True, exist_ok=True)
    METRICS.write_bytes(b"")
    with open(METRICS, "r") as lines:
        while not stop.wait(1):
            for line in lines.readlines():
                try:
                    point = json.loads(line)
                    metric = point["_aws"]["CloudWatchMetrics"][0]
                    name = metric["Metrics"][0]["Name"]
                except (ValueError, KeyError, IndexError):
                    continue
                dimensions = ", ".join(f"{k}={point[k]}" for k in metric["Dimensions"][0] if k != "service")
                say(f"metric {name} {point[name]:g}" + (f" ({dimensions})" if dimensions else ""))


def _first_link(html):
    start = html.find('href="')
    return html[start + 6:html.index('"', start + 6)] if start >= 0 else None


def wait_for_port(port, process, timeout=120):
    """Until `cargo lambda watch` accepts invocations (or has died)."""
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.3)
    return False


def write_env_file(functions, aws_env, state):
    """`cargo lambda watch` takes one environment for all functions: the union of
    what the template gives each one."""
    merged = {**aws_env, "TILLBOX_METRICS_FILE": str(METRICS)}
    for name, spec in functions.items():
        for key, value in spec["env"].items():
            if merged.get(key, value) != value:
                say(f"warning: {key} differs between functions; {name} gets the first value")
            merged.setdefault(key, value)
    state.mkdir(parents=True, exist_ok=True)
    path = state / "functions.env"
    path.write_text("".join(f"{k}='{v}'\n" for k, v in merged.items()))
    return path


def build(output, log):
    """Every function binary and tillbox-admin, before anything runs: the first
    request to a function then starts it instead of compiling it."""
    say(f"Building the functions (the first build takes a few minutes; output in {log})...")
    started = time.time()
    with ProcessGroup(["cargo", "build", "--workspace", "--bins"], output, cwd=ROOT) as cargo:
        if cargo.wait():
            say(f"The build failed; the errors are in {log}" if output else "The build failed.")
            return False
    say(f"Built in {time.time() - started:.0f} s.")
    started = time.time()
    if dashboard.build(output):
        say(f"The dashboard's build failed; the errors are in {log}" if output else "The dashboard's build failed.")
        return False
    say(f"Built the dashboard in {time.time() - started:.0f} s.")
    return True


def banner(api, cdn, live, emulator, stripe, table, invoke_port, log):
    return f"""
Tillbox is running on {api}

  Dashboard  {api}/admin/   (rebuilt when dashboard/src changes; reload the page)
  Admin      {DEV_ADMIN[0]} / {DEV_ADMIN[1]}   (sign in there, or POST {api}/auth/login)
  Token      export TOKEN=$(make -s token ROLE=staff)   (staff, 15 minutes, no sign-in)
  Try        curl -s {api}/products
  CDN        {cdn}/products   (the API as CloudFront serves it: public catalog reads cached up to a minute)
  Live       {live}   (WebSocket live updates: subprotocol tillbox-live and a token; see README)
  API docs   {api}/docs   (the OpenAPI 3.1 document: {api}/openapi.json)
  E-mails    go to the emulator's SES; each is shown below with its link
  Emulator   {emulator}   (DynamoDB table {table}, SQS, S3, SES, SSM)
  Stripe     {stripe}   (test mode; pay an order: make pay PAYMENT=pi_…, see README)
  Webhooks   make receiver PORT=9100, then register http://127.0.0.1:9100/hooks
             (POST {api}/admin/webhooks as an admin; plain http only to 127.0.0.1; see README)
  Functions  cargo lambda watch on 127.0.0.1:{invoke_port}; edit the code and they reload
  Logs       {log}   (build, emulator and function output; make dev VERBOSE=1 shows it here)
  Metrics    target/metrics.jsonl   (what CloudWatch would count; each data point is shown below)

One line per request, job batch and e-mail follows. Ctrl-C stops everything.
"""


def main():
    parser = argparse.ArgumentParser(description="Run Tillbox locally")
    parser.add_argument("--port", type=int, default=int(os.environ.get("TILLBOX_PORT", 3000)))
    parser.add_argument("--cdn-port", type=int, default=int(os.environ.get("TILLBOX_CDN_PORT", 3001)),
                        help="the CDN in front of the API (ApiCdnUrl in AWS): the public catalog cached")
    parser.add_argument("--live-port", type=int, default=int(os.environ.get("TILLBOX_LIVE_PORT", 3002)),
                        help="the WebSocket API for live updates (LiveUrl in AWS)")
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("TILLBOX_MOTO_PORT", 4566)))
    parser.add_argument("--stripe-port", type=int, default=int(os.environ.get("TILLBOX_STRIPE_PORT", 8420)))
    parser.add_argument("--invoke-port", type=int, default=int(os.environ.get("TILLBOX_INVOKE_PORT", 9000)))
    # cargo lambda watch starts another instance of a function whenever a request
    # waits at one of its 100 ms checks, even while the first instance boots: 2
    # keeps that to one spare per function and still lets `make races` race
    # (docs/architecture.md, "Local stack").
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("TILLBOX_CONCURRENCY", 2)),
                        help="most instances per function, as Lambda scales out under concurrent requests")
    parser.add_argument("--verbose", action="store_true", help="show build, emulator and function output too")
    parser.add_argument("--log", type=Path, default=binaries_dir().parent / "dev.log",
                        help="where the build, emulator and function output goes")
    parser.add_argument("--state", type=Path, default=ROOT / ".local", help="a folder for the generated files")
    parser.add_argument("--port-wait", type=float, default=20,
                        help="seconds to wait for a taken port (a previous run stopping) before giving up")
    args = parser.parse_args()
    stop_on_signals()
    api = f"http://127.0.0.1:{args.port}"
    log = args.log.resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    shown = log.relative_to(ROOT) if log.is_relative_to(ROOT) else log
    try:
        ports = {"the API": args.port, "the API's CDN": args.cdn_port, "the WebSocket API": args.live_port,
                 "the emulator": args.moto_port,
                 "the Stripe emulator": args.stripe_port, "the functions": args.invoke_port}
        taken = wait_until_free(ports, args.port_wait, say)
        if taken:
            say(taken)
            return 1
        with contextlib.ExitStack() as running:
            output = None
            if not args.verbose:
                log.write_bytes(b"")
                output = running.enter_context(open(log, "ab"))
            if not build(output, shown):
                return 1
            # Again: something may have taken a port while the build ran.
            taken = wait_until_free(ports, args.port_wait, say)
            if taken:
                say(taken)
                return 1
            emulator = running.enter_context(Emulator(port=args.moto_port, log=None if args.verbose else log))
            os.environ.update(emulator.env())
            stripe = running.enter_context(LocalStripe(args.stripe_port, log=output, preexec_fn=die_with_parent))
            description = local_stack.provision(emulator.endpoint, "tillbox-", api, stripe_url=stripe.url)
            table = description["resources"]["Table"]["ref"]
            env_file = write_env_file(description["functions"], emulator.env(), args.state)
            watch = running.enter_context(ProcessGroup(
                ["cargo", "lambda", "watch", "--invoke-address", "127.0.0.1", "--invoke-port", str(args.invoke_port),
                 "--concurrency", str(args.concurrency), "--env-file", str(env_file)], output, cwd=ROOT))
            for command in dashboard.watch_commands():
                running.enter_context(ProcessGroup(command, output, cwd=dashboard.DASHBOARD, env=dashboard.node_env()))
            if not wait_for_port(args.invoke_port, watch):
                say(f"cargo lambda watch did not start; see {shown}")
                return 1
            runtimes = {
                name: CargoLambdaRuntime(name, spec["binary"], f"127.0.0.1:{args.invoke_port}", spec["timeout"],
                                         limit=args.concurrency)
                for name, spec in description["functions"].items()
            }
            gateway = Gateway(description, runtimes, port=args.port, log=say, cdn_port=args.cdn_port,
                              live_port=args.live_port).start()
            running.callback(gateway.stop)
            create_admin(table)
            seed(api)
            say(banner(api, gateway.cdn_url, gateway.live_url, emulator.endpoint, stripe.url, table, args.invoke_port, shown))
            stop = threading.Event()
            running.callback(stop.set)
            threading.Thread(target=print_emails, args=(emulator.endpoint, stop), daemon=True).start()
            threading.Thread(target=print_metrics, args=(stop,), daemon=True).start()
            while watch.poll() is None:
                time.sleep(1)
            say(f"cargo lambda watch exited; see {shown}")
            return 1
    except Stopped as signalled:
        say(f"Stopped ({signalled}).")
        return 0


if __name__ == "__main__":
    sys.exit(main())
