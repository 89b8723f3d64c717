"""The API as a contract: the OpenAPI document the API serves names exactly the
routes template.yaml deploys, its page is served from the function, and
schemathesis fuzzes every operation through the gateway, as a staff member, a
signed-up customer and an admin with every check schemathesis has: no 5xx, every
answer's status, content type, headers and body as the document says, every
request the document allows accepted and every one it forbids refused (the
rules no schema can state are in schemathesis.toml), 405 with `Allow` for a
method a path does not take."""

import json
import random
import re
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from tillbox_local import cfn, docs_page

from tests.test_local_stack import GatewayTestCase, emails_to, eventually, token_in

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# The rules no schema can state, and the statuses the API answers them with
# (the repository's schemathesis.toml, which a run from the checkout also reads).
CONFIG = Path(__file__).resolve().parents[3] / "schemathesis.toml"
METHODS = {"get", "post", "put", "patch", "delete"}


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class ContractTest(GatewayTestCase):
    prefix = "contract"

    def document(self):
        status, headers, body = get(self.gateway.url + "/openapi.json")
        self.assertEqual((status, headers["content-type"]), (200, "application/json"))
        return json.loads(body)

    def test_the_document_and_the_template_name_the_same_routes(self):
        template = cfn.load()
        deployed = set()
        for function in cfn.resources_of(template, "AWS::Serverless::Function").values():
            for event in function["Properties"].get("Events", {}).values():
                # `$default` is no route of the API's: it answers what no route takes.
                if event["Type"] == "HttpApi" and event["Properties"]["Path"] != "$default":
                    deployed.add((event["Properties"]["Method"].upper(), event["Properties"]["Path"]))
        document = self.document()
        documented = {
            (method.upper(), path)
            for path, item in document["paths"].items()
            for method in item
            if method in METHODS
        }
        self.assertEqual(document["openapi"], "3.1.0")
        self.assertEqual(sorted(deployed - documented), [], "deployed but not in the document")
        self.assertEqual(sorted(documented - deployed), [], "documented but not deployed")
        self.assertGreaterEqual(len(deployed), 45)

    def test_the_page_and_its_scripts_come_from_the_function(self):
        status, headers, page = get(self.gateway.url + "/docs")
        self.assertEqual((status, headers["content-type"]), (200, "text/html; charset=utf-8"))
        self.assertIn("script-src 'self'", headers["content-security-policy"], "no script from elsewhere runs")
        scripts = [part.split('"')[0] for part in page.decode().split('src="')[1:]]
        self.assertEqual(scripts, ["docs/swagger-ui-bundle.js", "docs/init.js"], "every script is relative")
        for path, kind in [("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css")]:
            status, headers, body = get(f"{self.gateway.url}/docs/{path}")
            self.assertEqual((status, headers["content-type"].split(";")[0]), (200, kind))
            self.assertGreater(len(body), 100_000)
        status, headers, body = get(self.gateway.url + "/docs/index.html")
        self.assertEqual((status, headers["content-type"], json.loads(body)["code"]),
                         (404, "application/problem+json", "not_found"))

    @unittest.skipUnless(docs_page.chromium(), "needs Debian's chromium (make docs-page runs the same check)")
    def test_the_page_renders_every_operation_in_a_browser(self):
        missing, total = docs_page.missing_operations(self.gateway.url)
        self.assertEqual(missing, [], f"the page lists {total - len(missing)} of {total} operations")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Before any fuzzing: the fuzzers sign up and sign in from the same source
        # address as this customer, so once they have run, the API's per-address
        # limits would refuse it, and the order of the tests would decide the outcome.
        cls.customer = cls.customer_token()

    @classmethod
    def customer_token(cls):
        """A real customer: signed up, verified and signed in through the API."""
        address = f"fuzz.{uuid.uuid4().hex[:8]}@example.com"
        password = "amber-lantern-93-quay"
        status, _, body = cls.api.call("POST", "/auth/signup", {"email": address, "password": password})
        assert status == 202, body
        mails = eventually(lambda: emails_to(cls.stack["endpoint"], address))
        status, _, body = cls.api.call("POST", "/auth/verify-email", {"token": token_in(mails[0][1])})
        assert status == 204, body
        status, _, tokens = cls.api.call("POST", "/auth/login", {"email": address, "password": password})
        assert status == 200, tokens
        return tokens["access_token"]

    def fuzz(self, role, token):
        seed = random.randrange(2**32)
        command = [
            str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", self.gateway.url + "/openapi.json",
            "--url", self.gateway.url, "-H", f"Authorization: Bearer {token}", "--checks", "all",
            "--phases", "examples,coverage,fuzzing,stateful", "--max-examples", "10", "--seed", str(seed),
            "--request-timeout", "30", "--no-color", "--warnings", "off",
        ]
        # In a folder of its own: schemathesis keeps a cache of what it found in
        # its working directory, and no run may depend on an earlier one.
        with tempfile.TemporaryDirectory() as scratch:
            run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=scratch)
        self.assertEqual(run.returncode, 0, f"schemathesis as {role}, --seed {seed}:\n{run.stdout[-12000:]}{run.stderr}")
        selected = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", run.stdout)
        self.assertIsNotNone(selected, run.stdout[-3000:])
        self.assertEqual(len(set(selected.groups())), 1, f"every operation was tried as {role}: {selected.group(0)}")

    def test_every_operation_keeps_its_contract_for_staff(self):
        self.fuzz("staff", self.staff)

    def test_every_operation_keeps_its_contract_for_a_customer(self):
        self.fuzz("a customer", self.customer)

    def test_every_operation_keeps_its_contract_for_an_admin(self):
        self.fuzz("an admin", self.admin)
