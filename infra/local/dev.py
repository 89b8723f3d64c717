"""`make dev`: the whole API on loopback.

Starts moto, creates everything template.yaml declares, starts `cargo lambda watch`
(builds and hot-reloads every function), and runs the local gateway and event pump
in front of it. Seeds a few demo products, prints the URLs, and stops everything
it started on Ctrl-C.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack as local_stack  # noqa: E402
from emulator import Emulator  # noqa: E402
from gateway import Gateway  # noqa: E402
from runtime import CargoLambdaRuntime, binaries_dir  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".local"
KEY = Path(__file__).resolve().parent / "dev-signing-key.json"

DEMO_PRODUCTS = [
    {"sku": "TEE-BLK-M", "name": "Black tee (M)", "description": "Organic cotton, relaxed fit.",
     "price": {"amount": 2500, "currency": "EUR"}, "stock": 40, "status": "active", "category": "t-shirts"},
    {"sku": "MUG-WHT", "name": "White mug", "description": "Stoneware, 330 ml.",
     "price": {"amount": 1200, "currency": "EUR"}, "stock": 25, "status": "active", "category": "mugs"},
    {"sku": "POSTER-A2", "name": "City poster (A2)", "description": "Giclée print on matte paper.",
     "price": {"amount": 3900, "currency": "EUR"}, "stock": 10, "status": "active", "category": "prints"},
    {"sku": "CAP-NEW", "name": "Cap (coming soon)", "description": "Still a draft: staff only.",
     "price": {"amount": 1900, "currency": "EUR"}, "stock": 0, "status": "draft", "category": "hats"},
]


def staff_token():
    params = json.loads((Path(__file__).resolve().parent / "parameters.json").read_text())
    admin = binaries_dir() / "tillbox-admin"
    return subprocess.check_output([
        str(admin), "token", "--key", str(KEY), "--role", "staff", "--sub", "demo-staff",
        "--issuer", params["JwtIssuer"], "--audience", params["JwtAudience"],
    ], text=True).strip()


def seed(api):
    token = staff_token()
    for product in DEMO_PRODUCTS:
        request = urllib.request.Request(
            f"{api}/products", data=json.dumps(product).encode(), method="POST",
            headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=1800) as r:
                print(f"[seed] {product['sku']}: {r.status}", flush=True)
        except urllib.error.HTTPError as e:
            print(f"[seed] {product['sku']}: {e.code} {e.read()[:200]!r}", flush=True)


DEV_ADMIN = ("admin@tillbox.local", "tillbox-dev-admin-2026")


def create_admin(table):
    """The first admin, through the same command an operator runs after deploying."""
    email, password = DEV_ADMIN
    out = subprocess.run(
        [str(binaries_dir() / "tillbox-admin"), "create-admin", "--email", email],
        input=password + "\n", text=True, capture_output=True, env={**os.environ, "TABLE_NAME": table},
    )
    print(f"[seed] {(out.stdout or out.stderr).strip()}; password {password}", flush=True)


def print_emails(endpoint, stop):
    """SES in the emulator delivers nowhere: show each e-mail's subject and link."""
    seen = 0
    while not stop.wait(1):
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as r:
                messages = json.load(r).get("ses", {}).get("Message", [])
        except OSError:
            continue
        for m in messages[seen:]:
            link = re.search(r'href="([^"]+)"', m["body"])
            to = ", ".join(m["destinations"].get("ToAddresses", []))
            print(f"[email] to {to}: {m['subject']}" + (f"\n        {link.group(1)}" if link else ""), flush=True)
        seen = len(messages)


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


def write_env_file(functions, aws_env):
    """`cargo lambda watch` takes one environment for all functions: the union of
    what the template gives each one."""
    merged = dict(aws_env)
    for name, spec in functions.items():
        for key, value in spec["env"].items():
            if merged.get(key, value) != value:
                print(f"warning: {key} differs between functions; {name} gets the first value", file=sys.stderr)
            merged.setdefault(key, value)
    STATE.mkdir(exist_ok=True)
    path = STATE / "functions.env"
    path.write_text("".join(f"{k}='{v}'\n" for k, v in merged.items()))
    return path


def main():
    parser = argparse.ArgumentParser(description="Run Tillbox locally")
    parser.add_argument("--port", type=int, default=int(os.environ.get("TILLBOX_PORT", 3000)))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("TILLBOX_MOTO_PORT", 4566)))
    parser.add_argument("--invoke-port", type=int, default=int(os.environ.get("TILLBOX_INVOKE_PORT", 9000)))
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("TILLBOX_CONCURRENCY", 8)),
                        help="instances per function, as Lambda scales out under concurrent requests")
    args = parser.parse_args()
    api = f"http://127.0.0.1:{args.port}"
    STATE.mkdir(exist_ok=True)

    with Emulator(port=args.moto_port, log=open(STATE / "moto.log", "wb")) as emulator:
        os.environ.update(emulator.env())
        stack = local_stack.provision(emulator.endpoint, "tillbox-", api)
        env_file = write_env_file(stack["functions"], emulator.env())
        watch = subprocess.Popen(
            ["cargo", "lambda", "watch", "--invoke-address", "127.0.0.1", "--invoke-port", str(args.invoke_port),
             "--concurrency", str(args.concurrency), "--env-file", str(env_file)],
            cwd=ROOT, start_new_session=True,
        )
        if not wait_for_port(args.invoke_port, watch):
            print("cargo lambda watch did not start", file=sys.stderr)
            os.killpg(watch.pid, signal.SIGTERM)
            return 1
        runtimes = {
            name: CargoLambdaRuntime(name, spec["binary"], f"127.0.0.1:{args.invoke_port}", spec["timeout"],
                                     limit=args.concurrency)
            for name, spec in stack["functions"].items()
        }
        gateway = Gateway(stack, runtimes, port=args.port, log=lambda m: print(m, flush=True)).start()
        routes = "\n".join(f"  {r.method:6} {api}{r.path}" for r in gateway.routes)
        print(f"""
Tillbox is running locally (the first request to each function compiles it).

  API        {api}
  emulator   {emulator.endpoint}   (DynamoDB, SQS, S3, SES, SSM; table {stack['resources']['Table']['ref']})
  functions  cargo lambda watch on 127.0.0.1:{args.invoke_port}, hot-reloading

Routes:
{routes}

Admin: {DEV_ADMIN[0]} / {DEV_ADMIN[1]} (POST {api}/auth/login)
E-mails go to the emulator's SES; each one's link is printed below as [email].
A staff access token without signing in (valid 15 minutes):
  export TOKEN=$(make -s token ROLE=staff)

Stop with Ctrl-C.
""", flush=True)
        threading.Thread(target=seed, args=(api,), daemon=True).start()
        create_admin(stack["resources"]["Table"]["ref"])
        stop = threading.Event()
        threading.Thread(target=print_emails, args=(emulator.endpoint, stop), daemon=True).start()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        while not stop.wait(0.5):
            if watch.poll() is not None:
                print("cargo lambda watch exited", file=sys.stderr)
                break
        print("\nstopping...", flush=True)
        gateway.stop()
        if watch.poll() is None:
            os.killpg(watch.pid, signal.SIGTERM)
            try:
                watch.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(watch.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
