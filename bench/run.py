"""`make bench`: builds the release binaries, measures them on a local Lambda
Runtime API against the local moto, and writes docs/benchmarks.md.

    .venv/bin/python bench/run.py [--quick]

Phases, each on a fresh emulator so no phase pays for another's table:
1. init: every function and both peers, cold-started `--cold-starts` times;
2. latency: the measured endpoints, handler and floor (and the peers for
   GET /products/{id}) given the same requests in turn;
3. memory: every function after `--invocations` warm invocations of its sample event;
4. settings: products-get built under each release-profile variant;
5. webhooks: deliveries per second of one environment of the webhooks job
   against a receiver on loopback, beside POSTs of the same bytes from Python;
6. telemetry: what logging costs: products-get and orders-create with
   LOG_LEVEL=INFO against the same binaries with LOG_LEVEL=OFF, init and warm.
Sizes come from `cargo lambda build --release --arm64`. Raw numbers go to
target/bench/results.json beside the report.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path

from tillbox_local import cfn
from tillbox_local.emulator import Emulator
from tillbox_local.gateway import Gateway
from tillbox_local.races import calls_between
from tillbox_local.runtime import ProcessRuntime
from tillbox_local.stack import provision
from tillbox_local.webhook_receiver import Receiver

# bench/'s own modules: Python puts a script's folder first on the import path.
import builds
import measure
import report
from workloads import Requests, new_product, sample_events

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

PEERS = {
    "Python 3.11 + boto3": [sys.executable, str(HERE / "peers" / "python" / "bootstrap.py")],
    "Node.js + AWS SDK v3": ["node", str(HERE / "peers" / "node" / "bootstrap.mjs")],
}
MEASURED = [  # (label, method, path template, role)
    ("GET /products/{id}", "GET", "/products/{product}", None),
    ("GET /products", "GET", "/products?limit=20", None),
    ("POST /products", "POST", "/products", "staff"),
    ("POST /orders", "POST", "/orders", "buyer"),
    ("GET /carts/{id} (50 lines)", "GET", "/carts/{cart}", None),
    ("POST /carts/{id}/lines", "POST", "/carts/{cart}/lines", None),
]
CART_LINES = 50


class Stack:
    """A fresh emulator with the template's resources, and runtimes for functions."""

    def __init__(self, bin_dir):
        self.bin_dir = bin_dir
        self.emulator = Emulator(log=ROOT / "target" / "bench" / "moto.log")

    def __enter__(self):
        self.emulator.__enter__()
        self.description = provision(self.emulator.endpoint, f"bench{uuid.uuid4().hex[:6]}-", streams=False,
                                     # The bench places thousands of orders as a few customers.
                                     overrides={"PaymentProvider": "manual", "MaxOpenOrdersPerCustomer": "1000",
                                                "OrdersPerCustomerPerHour": "1000000"})
        self.functions = self.description["functions"]
        self.gateway = Gateway(self.description, {})
        self.requests = Requests(self.gateway, self.bin_dir)
        self.requests.refresh_tokens()
        return self

    def __exit__(self, *exc):
        self.emulator.__exit__()

    def env(self, function):
        return {**self.functions[function]["env"], **self.emulator.env()}

    def runtime(self, function, command=None, env=None):
        spec = self.functions[function]
        command = command or [str(self.bin_dir / spec["binary"])]
        return ProcessRuntime(function, command, {**self.env(function), **(env or {})}, spec["timeout"],
                              log=subprocess.DEVNULL)

    def function_of(self, binary):
        return next(name for name, spec in self.functions.items() if spec["binary"] == binary)

    def seed_product(self, runtime, sku):
        _, event = self.requests.event("POST", "/products", "staff", new_product(sku))
        return self._created(runtime, event)

    def seed_cart(self, products):
        """An anonymous cart holding one of each product; returns its id, its token
        and the variant of its first line."""
        creator = self.runtime(self.function_of("carts-create"))
        adder = self.runtime(self.function_of("carts-lines-add"))
        try:
            response = creator.invoke(self.requests.event("POST", "/carts")[1])
            cart = json.loads(response["body"])
            for product in products:
                _, event = self.requests.event("POST", f"/carts/{cart['id']}/lines", None,
                                               {"product_id": product, "quantity": 1}, {"cart-token": cart["token"]})
                response = adder.invoke(event)
                assert response["statusCode"] == 200, response
        finally:
            creator.stop()
            adder.stop()
        return cart["id"], cart["token"], json.loads(response["body"])["lines"][0]["variant_id"]

    def seed_order(self, runtime, product):
        """An order of `product` by the customer the sample events' token names."""
        body = {"lines": [{"product_id": product, "quantity": 1}]}
        _, event = self.requests.event("POST", "/orders", "customer", body, {"idempotency-key": str(uuid.uuid4())})
        return self._created(runtime, event)

    @staticmethod
    def _created(runtime, event):
        response = runtime.invoke(event)
        assert response["statusCode"] == 201, response
        return json.loads(response["body"])["id"]


def init_phase(bin_dir, runs):
    results = {}
    with Stack(bin_dir) as stack:
        for function, spec in sorted(stack.functions.items(), key=lambda kv: kv[1]["binary"]):
            command = [str(bin_dir / spec["binary"])]
            results[spec["binary"]] = measure.spread(measure.init_times(function, command, stack.env(function), runs))
            print(f"init {spec['binary']}: p50 {results[spec['binary']]['p50'] * 1000:.1f} ms", flush=True)
        products_get = stack.function_of("products-get")
        for peer, command in PEERS.items():
            results[peer] = measure.spread(measure.init_times(peer, command, stack.env(products_get), runs))
            print(f"init {peer}: p50 {results[peer]['p50'] * 1000:.1f} ms", flush=True)
    return results


def latency_phase(bin_dir, runs, write_runs, warmup):
    """Each endpoint on its own fresh table: writes grow it, and every emulated
    transaction copies it."""
    results = {}
    for label, method, path, role in MEASURED:
        with Stack(bin_dir) as stack:
            products_get = stack.function_of("products-get")
            floor_command = [str(bin_dir / "bench-floor")]
            creator = stack.runtime(stack.function_of("products-create"))
            product = stack.seed_product(creator, "BENCH-SEED-0")
            seeded = [product]
            if path.startswith("/products?") or "{cart}" in path:  # a full first page to list, a full cart
                seeded += [stack.seed_product(creator, f"BENCH-SEED-{i}") for i in range(1, max(40, CART_LINES))]
            creator.stop()
            cart, cart_token, _ = stack.seed_cart(seeded[:CART_LINES]) if "{cart}" in path else (None, None, None)
            target = path.format(product=product, cart=cart)
            function, _ = stack.requests.event(method, target, role)
            runtimes = {"handler": stack.runtime(function), "floor": stack.runtime(function, floor_command)}
            if label == "GET /products/{id}":
                runtimes.update({peer: stack.runtime(products_get, command) for peer, command in PEERS.items()})

            def events(who, i, method=method, path=path, role=role, product=product, stack=stack, target=target,
                       cart_token=cart_token):
                tag = who.split()[0].lower()
                body, headers = None, {}
                if cart_token:
                    headers["cart-token"] = cart_token
                if path.endswith("/lines"):
                    body = {"product_id": product, "quantity": 1}
                if method == "POST" and path == "/products":
                    body = new_product(f"BENCH-{tag}-{i}")
                if path == "/orders":
                    body = {"lines": [{"product_id": product, "quantity": 1}]}
                    headers["idempotency-key"] = str(uuid.uuid4())
                return stack.requests.event(method, target, role, body, headers)[1]

            n = runs if method == "GET" else write_runs
            try:
                durations = measure.interleaved(runtimes, events, n, warmup)
                results[label] = {who: measure.spread(d) for who, d in durations.items()}
                for who, runtime in runtimes.items():
                    results[label][who]["peak_rss"] = runtime.peak_rss_bytes
            finally:
                for runtime in runtimes.values():
                    runtime.stop()
        summary = ", ".join(f"{who} {r['p50'] * 1000:.2f} ms" for who, r in results[label].items())
        print(f"latency {label}: {summary}", flush=True)
    return results


def memory_phase(bin_dir, invocations):
    """Each function on its own fresh table, for the same reason."""
    results = {}
    functions = cfn.resources_of(cfn.load(), "AWS::Serverless::Function").values()
    # The bench's stack takes payments by hand (no Stripe emulator): the functions
    # only a Stripe stack deploys (`Condition: UsesStripe`) are not in it, as in
    # the init phase; their sizes are measured with the rest.
    binaries = sorted(cfn.binary_of(f) for f in functions if "Condition" not in f)
    for binary in binaries:
        with Stack(bin_dir) as stack:
            function = stack.function_of(binary)
            spec = stack.functions[function]
            creator = stack.runtime(stack.function_of("products-create"))
            buyer = stack.runtime(stack.function_of("orders-create"))
            product = stack.seed_product(creator, f"BENCH-{binary}")
            order = stack.seed_order(buyer, product)
            creator.stop()
            buyer.stop()
            # A cart's functions act on a real anonymous cart holding the product.
            cart = stack.seed_cart([product]) if binary.startswith("carts-") else None
            events = sample_events(binary, stack.requests, product, order, cart)
            command = [str(bin_dir / binary)]
            rss, answers = measure.peak_rss(function, command, stack.env(function), spec["timeout"], events, invocations)
        results[binary] = {"peak_rss": rss, "answers": answers}
        print(f"memory {binary}: {rss / 2**20:.1f} MiB {answers}", flush=True)
    return results


def settings_phase(bin_dir, variant_dirs, runs, cold_starts, warmup):
    """`products-get` of each variant; the rest of the stack from `bin_dir`."""
    results = {}
    with Stack(bin_dir) as stack:
        function = stack.function_of(builds.STUDIED)
        creator = stack.runtime(stack.function_of("products-create"))
        product = stack.seed_product(creator, "BENCH-SETTINGS")
        creator.stop()
        for name, bin_dir in variant_dirs.items():
            binary = bin_dir / builds.STUDIED
            init = measure.init_times(function, [str(binary)], stack.env(function), cold_starts)
            results[name] = {"bytes": binary.stat().st_size, "init": measure.spread(init)}
        runtimes = {name: stack.runtime(function, [str(d / builds.STUDIED)]) for name, d in variant_dirs.items()}
        _, event = stack.requests.event("GET", f"/products/{product}")
        try:
            durations = measure.interleaved(runtimes, lambda who, i: event, runs, warmup)
        finally:
            for runtime in runtimes.values():
                runtime.stop()
        for name, d in durations.items():
            results[name]["warm"] = measure.spread(d)
            print(f"settings {name}: {results[name]['bytes']} B, init p50 {results[name]['init']['p50'] * 1000:.1f} ms, "
                  f"warm p50 {results[name]['warm']['p50'] * 1000:.2f} ms", flush=True)
    return results


def webhooks_phase(bin_dir, deliveries):
    """One execution environment of `deliver-webhooks` (what Lambda scales out),
    handed batches of 5 jobs (the template's BatchSize) for a registered endpoint
    on a loopback receiver, as the fan-out would. Each delivery renders, signs,
    records the delivery (two DynamoDB writes) and POSTs. The baseline is the same
    number of POSTs of a signed body from this process to the same receiver: the
    receiver's and loopback's share."""
    receiver = Receiver().start()
    try:
        with Stack(bin_dir) as stack:
            admin = stack.runtime(stack.function_of("admin-webhooks-create"))
            _, event = stack.requests.event("POST", "/admin/webhooks", "admin", {"url": receiver.url, "events": ["*"]})
            answer = admin.invoke(event)
            admin.stop()
            assert answer["statusCode"] == 201, answer
            endpoint = json.loads(answer["body"])
            receiver.secret = endpoint["secret"]
            job = stack.runtime(stack.function_of("deliver-webhooks"))

            def batch(first):
                records = []
                for i in range(first, first + 5):
                    event_id = str(uuid.uuid4())
                    event = {"id": event_id, "occurred_at": "2026-11-22T10:00:00.000000Z", "type": "user.signed_up",
                             "data": {"user_id": str(uuid.uuid4())}}
                    body = {"endpoint_id": endpoint["id"], "event_id": event_id, "event": event, "attempt": 1,
                            "series_start": 1}
                    records.append({"messageId": f"m{i}", "body": json.dumps(body), "eventSource": "aws:sqs"})
                return {"Records": records}

            for i in range(0, 20, 5):  # warm-up
                job.invoke(batch(i))
            receiver.received.clear()
            calls_before = emulator_calls(stack.emulator)
            started = time.perf_counter()
            for i in range(0, deliveries, 5):
                answer = job.invoke(batch(i))
                assert not answer.get("batchItemFailures"), answer
            elapsed = time.perf_counter() - started
            calls_after = emulator_calls(stack.emulator)
            calls = calls_between(calls_before, calls_after, calls_after, deliveries, elapsed)
            job.stop()
            assert len(receiver.received) == deliveries, len(receiver.received)
        headers, sample_body, _ = receiver.received[0]
        sample_headers = {k: v for k, v in headers.items() if k.startswith("webhook-") or k == "content-type"}
        started = time.perf_counter()
        for _ in range(deliveries):
            request = urllib.request.Request(receiver.url, data=sample_body, method="POST", headers=sample_headers)
            urllib.request.urlopen(request, timeout=15).read()
        floor = time.perf_counter() - started
    finally:
        receiver.stop()
    # The emulator answers DynamoDB one call at a time: the time it held that lock
    # per delivery bounds the rate, whatever the job does.
    locked = calls["emulator_busy"] * elapsed / deliveries
    results = {"deliveries": deliveries, "seconds": elapsed, "floor_seconds": floor,
               "emulator_locked_seconds": locked, "calls_per_delivery": calls["per_order"]}
    print(f"webhooks: {deliveries / elapsed:.0f} deliveries/s per environment; "
          f"plain POSTs {deliveries / floor:.0f}/s; the emulator's DynamoDB lock {locked * 1000:.2f} ms "
          f"per delivery (at most {1 / locked:.0f}/s); calls {calls['per_order']}", flush=True)
    return results


def emulator_calls(emulator):
    with urllib.request.urlopen(f"{emulator.endpoint}/_local/calls", timeout=30) as r:
        return json.loads(r.read())


LOG_LEVELS = {"logging on (INFO)": "INFO", "logging off": "OFF"}


def telemetry_phase(bin_dir, runs, cold_starts, warmup):
    """The same release binaries run with their logs on (INFO: the request line,
    the runtime's span, Powertools' keys) and off, given the same requests in
    turn; init of each, cold-started `cold_starts` times. Metrics are emitted
    either way (a cold start's, an order's), so this is the cost of logging;
    an EMF line costs about what a log line does."""
    results = {}
    with Stack(bin_dir) as stack:
        creator = stack.runtime(stack.function_of("products-create"))
        product = stack.seed_product(creator, "BENCH-TELEMETRY")
        creator.stop()
        for binary, method, path, role in [("products-get", "GET", f"/products/{product}", None),
                                           ("orders-create", "POST", "/orders", "buyer")]:
            function = stack.function_of(binary)
            command = [str(bin_dir / binary)]
            init = {label: measure.spread(measure.init_times(function, command, {**stack.env(function),
                                                                                  "LOG_LEVEL": level}, cold_starts))
                    for label, level in LOG_LEVELS.items()}
            runtimes = {label: stack.runtime(function, env={"LOG_LEVEL": level}) for label, level in LOG_LEVELS.items()}

            def events(label, i, method=method, path=path, role=role, product=product):
                body = {"lines": [{"product_id": product, "quantity": 1}]} if method == "POST" else None
                headers = {"idempotency-key": str(uuid.uuid4())} if method == "POST" else None
                return stack.requests.event(method, path, role, body, headers)[1]
            try:
                durations = measure.interleaved(runtimes, events, runs, warmup)
            finally:
                for runtime in runtimes.values():
                    runtime.stop()
            results[binary] = {label: {"init": init[label], "warm": measure.spread(durations[label])}
                               for label in LOG_LEVELS}
            on, off = (results[binary][label] for label in LOG_LEVELS)
            print(f"telemetry {binary}: warm p50 {on['warm']['p50'] / off['warm']['p50']:.2f}x, "
                  f"init p50 {on['init']['p50'] / off['init']['p50']:.2f}x with logging on", flush=True)
    return results


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    rustc = subprocess.check_output(["rustc", "--version"], text=True).strip()
    node = subprocess.check_output(["node", "--version"], text=True).strip()
    commit = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "rustc": rustc, "node": node,
        "python": platform.python_version(), "commit": commit,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold-starts", type=int, default=30)
    parser.add_argument("--invocations", type=int, default=1000, help="warm invocations before reading peak RSS")
    parser.add_argument("--runs", type=int, default=1000, help="measured warm reads per runtime")
    parser.add_argument("--write-runs", type=int, default=300, help="measured warm writes per runtime")
    parser.add_argument("--deliveries", type=int, default=500, help="webhook deliveries measured")
    parser.add_argument("--quick", action="store_true", help="a tenth of every count, to try the harness")
    parser.add_argument("--note", default="", help="what else the machine was doing, shown in the report")
    parser.add_argument("--variants", nargs="+", choices=list(builds.VARIANTS), default=list(builds.VARIANTS),
                        help="settings-study variants to build and measure (each is a full release build)")
    args = parser.parse_args()
    if args.quick:
        for name in ("cold_starts", "invocations", "runs", "write_runs"):
            setattr(args, name, max(3, getattr(args, name) // 10))
        args.deliveries = max(20, args.deliveries // 50 * 5)
    warmup = 20
    (ROOT / "target" / "bench").mkdir(parents=True, exist_ok=True)
    started = time.time()

    chosen = builds.release_profile()
    bin_dir = builds.host_build(chosen)
    variants = {name: builds.VARIANTS[name] for name in args.variants}
    variant_dirs = {name: builds.host_build(settings, [builds.STUDIED]) for name, settings in variants.items()}
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE / "peers" / "node", check=True)

    results = {"machine": machine(), "args": vars(args), "profile": chosen, "variants": variants}
    saved = ROOT / "target" / "bench" / "results.json"
    phases = {
        "init": lambda: init_phase(bin_dir, args.cold_starts),
        "latency": lambda: latency_phase(bin_dir, args.runs, args.write_runs, warmup),
        "memory": lambda: memory_phase(bin_dir, args.invocations),
        "settings": lambda: settings_phase(bin_dir, variant_dirs, args.runs // 2, args.cold_starts, warmup),
        "webhooks": lambda: webhooks_phase(bin_dir, args.deliveries),
        "telemetry": lambda: telemetry_phase(bin_dir, args.write_runs, args.cold_starts, warmup),
        # Last: the arm64 build is not needed to measure, and is the longest.
        "sizes": builds.lambda_build,
    }
    for name, phase in phases.items():
        results[name] = phase()
        saved.write_text(json.dumps(results, indent=2))  # an interrupted run keeps what it measured
    results["minutes"] = (time.time() - started) / 60
    saved.write_text(json.dumps(results, indent=2))
    (ROOT / "docs" / "benchmarks.md").write_text(report.render(results))
    print(f"wrote docs/benchmarks.md in {results['minutes']:.0f} min")


if __name__ == "__main__":
    main()
