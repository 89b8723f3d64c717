"""The dashboard and the account pages in a real browser: Debian's Chromium,
headless, driven by Playwright (which never downloads a browser of its own:
nothing runs `playwright install`), against the built app (dashboard/dist/)
served by the local gateway with the deployed Content-Security-Policy, and the
API's function binaries behind it.

Every screen is checked with axe-core (no serious or critical violation) and
photographed into target/dashboard/ for a reviewer. A page that breaks the
Content-Security-Policy fails its test: the browser reports it on the console."""

import json
import os
import re
import subprocess
import tempfile
import unittest
import uuid
from pathlib import Path

from tillbox_local import dashboard
from tillbox_local.docs_page import chromium
from tests.test_local_stack import GatewayTestCase, emails_to, eventually, png, token_in

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the .venv predates requirements.txt's playwright
    sync_playwright = None

SHOTS = dashboard.ROOT / "target" / "dashboard"
AXE = dashboard.DASHBOARD / "node_modules" / "axe-core" / "axe.min.js"
# As docs_page.py: without these Chromium keeps dialling out, which a closed network refuses.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery staple"


class CurrencyDigitsTest(unittest.TestCase):
    def test_the_pages_use_the_apis_minor_unit_digits(self):
        """Amounts are minor units: the pages' table of digits must be the API's."""
        rust = (dashboard.ROOT / "shared" / "src" / "domain" / "money.rs").read_text()
        api = {code: int(d) for code, d in re.findall(r'\("([A-Z]{3})", (\d)\)', rust) if d != "2"}
        pages = (dashboard.DASHBOARD / "src" / "common" / "currencies.ts").read_text()
        self.assertEqual({code: int(d) for code, d in re.findall(r"([A-Z]{3}): (\d)", pages)}, api)
        self.assertIn("HUF", [c for c, _ in re.findall(r'\("([A-Z]{3})", (2)\)', rust)], "the table was read")


class DashboardInTheBrowserTest(GatewayTestCase):
    prefix = "web"
    # Orders are paid by staff here (mark-paid): the card path through the Stripe
    # emulator is test_payments' and test_checkout's, and its webhook delivery
    # slows as the suite's stopped stacks pile up in the emulator.
    parameters = {"PaymentProvider": "manual"}

    @classmethod
    def setUpClass(cls):
        # Without Debian's Chromium (a machine that cannot install it) the class
        # skips; with it, a missing playwright or build is a failure, not a skip.
        if not chromium():
            raise unittest.SkipTest("needs Debian's chromium (apt-get install chromium)")
        if not sync_playwright:
            raise RuntimeError("playwright is missing from the .venv: make installs infra/local/requirements.txt")
        if not (dashboard.DIST / "admin" / "index.html").exists():
            raise RuntimeError("the dashboard is not built: make test builds it (make dashboard-build)")
        super().setUpClass()
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=chromium(), args=FLAGS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        cls.staff_email = cls.account("staff")
        cls.admin_email = cls.account("admin")

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    @classmethod
    def account(cls, role):
        """A signed-up, verified account with a password, made `role` by an admin."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@shop.test"
        assert cls.api.call("POST", "/auth/signup", {"email": email, "password": PASSWORD})[0] == 202
        mail = eventually(lambda: [m for m in emails_to(cls.stack["endpoint"], email) if "verify-email" in m[1]])
        assert cls.api.call("POST", "/auth/verify-email", {"token": token_in(mail[0][1])})[0] == 204
        users = cls.api.call("GET", "/admin/users?limit=100", token=cls.admin)[2]["items"]
        user = next(u for u in users if u["email"] == email)
        status, _, body = cls.api.call("PATCH", f"/admin/users/{user['id']}", {"role": role}, cls.admin)
        assert status == 200, body
        return email

    def setUp(self):
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        # The pages ask before a refund, a cancel or a role change; a person says yes.
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.console = []
        self.crashes = []
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.crashes.append(str(e)))

    def tearDown(self):
        self.context.close()
        csp = [b for b in self.console if "Content Security Policy" in b or "Refused to" in b]
        self.assertEqual(csp, [], "the pages broke the Content-Security-Policy")
        self.assertEqual(self.crashes, [], "uncaught errors in the pages")

    # -- helpers ---------------------------------------------------------------

    def open(self, path):
        self.page.goto(self.gateway.url + path)

    def sign_in(self, email):
        self.open("/admin/")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    def menu(self):
        return self.page.get_by_role("navigation", name="Screens").get_by_role("link").all_inner_texts()

    def check(self, name):
        """No serious accessibility violation on the screen, and its picture."""
        self.page.wait_for_load_state("networkidle")
        violations = self.page.evaluate("""async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
        }""")
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        self.assertEqual(violations, [], f"axe-core on the {name} screen")

    def product(self, stock=5):
        sku = f"WEB-{uuid.uuid4().hex[:8].upper()}"
        status, _, body = self.api.call("POST", "/products", {
            "sku": sku, "name": f"Poster {sku}", "price": {"amount": 3900, "currency": "EUR"}, "stock": stock,
            "status": "active"}, self.staff)
        self.assertEqual(status, 201, body)
        return body

    def paid_order(self, product, variant=None, quantity=1):
        """An order placed through the API and marked paid by staff."""
        customer = self.races.customers(1)[0]
        line = {"product_id": product["id"], "quantity": quantity, **({"variant_id": variant} if variant else {})}
        status, _, order = self.api.call("POST", "/orders", {"lines": [line]}, customer,
                                         {"idempotency-key": str(uuid.uuid4())})
        self.assertEqual(status, 201, order)
        status, _, paid = self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=self.staff)
        self.assertEqual((status, paid["status"]), (200, "paid"), paid)
        return order, customer

    def order(self, order_id):
        return self.api.call("GET", f"/orders/{order_id}", token=self.staff)[2]

    # -- tests -----------------------------------------------------------------

    def test_staff_create_a_product_with_two_variants_and_an_image(self):
        self.sign_in(self.staff_email)
        page = self.page
        page.get_by_role("link", name="Products").click()
        page.get_by_role("link", name="New product").click()
        self.check("product-new")
        name = f"Tee {uuid.uuid4().hex[:6]}"
        sku = uuid.uuid4().hex[:6].upper()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Price").fill("24.90")
        page.get_by_role("button", name="Add option").click()
        page.get_by_label("Option 1").fill("Size")
        page.get_by_label("Values, comma separated").fill("S, M")
        page.get_by_role("button", name="Make variants from options").click()
        skus = page.get_by_label("SKU")
        expect(skus).to_have_count(2)
        skus.nth(0).fill(f"TEE-{sku}-S")
        skus.nth(1).fill(f"TEE-{sku}-M")
        page.get_by_label("Stock").nth(0).fill("7")
        page.get_by_label("Stock").nth(1).fill("3")
        page.get_by_label("Own price").nth(1).fill("26.90")
        page.get_by_role("button", name="Create product").click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()

        product_id = page.url.rsplit("/", 1)[1]
        stored = self.api.call("GET", f"/products/{product_id}", token=self.staff)[2]
        by_size = {v["options"]["Size"]: v for v in stored["variants"]}
        self.assertEqual((by_size["S"]["stock"], by_size["M"]["stock"]), (7, 3))
        self.assertEqual((stored["price"]["amount"], by_size["M"]["price"]["amount"]), (2490, 2690))

        with tempfile.TemporaryDirectory() as folder:
            image = Path(folder) / "tee.png"
            image.write_bytes(png(320, 240))
            page.get_by_label("Add an image").set_input_files(str(image))
            # The job checks the upload and makes thumbnails; then the page shows one.
            expect(page.locator(".images img")).to_have_count(1, timeout=60_000)
        thumbnail = page.locator(".images img").get_attribute("src")
        self.assertIn("/assets/images/", thumbnail)
        self.assertEqual(len(self.api.call("GET", f"/products/{product_id}", token=self.staff)[2]["images"]), 1)

        page.get_by_role("button", name="Edit S").click()
        page.get_by_label("Stock of S").fill("9")
        page.get_by_role("button", name="Save S").click()
        expect(page.get_by_role("button", name="Edit S")).to_be_visible()
        self.assertEqual(self.api.call("GET", f"/products/{product_id}", token=self.staff)[2]["variants"][0]["stock"], 9)
        self.check("product-edit")

    def test_a_refused_field_shows_on_that_field_and_nothing_is_created(self):
        self.sign_in(self.staff_email)
        page = self.page
        self.open("/admin/products/new")
        name = f"Mug {uuid.uuid4().hex[:6]}"
        category = f"mugs-{uuid.uuid4().hex[:6]}"
        page.get_by_label("Name").fill(name)
        page.get_by_label("Category", exact=True).fill(category)
        page.get_by_label("Price").fill("12.00")
        page.get_by_label("SKU").fill("not a sku!")
        page.get_by_role("button", name="Create product").click()
        error = page.locator('[data-field="variants.0.sku"]')
        expect(error).to_be_visible()
        expect(page.get_by_label("SKU")).to_have_attribute("aria-invalid", "true")
        self.check("product-refused")
        for status in ("active", "draft"):
            listed = self.api.call("GET", f"/products?status={status}&category={category}", token=self.staff)[2]
            self.assertEqual(listed["items"], [], "nothing was created")
        # Corrected, the same form creates it: the refusal was the SKU's alone.
        page.get_by_label("SKU").fill(f"MUG-{uuid.uuid4().hex[:6]}")
        page.get_by_role("button", name="Create product").click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        listed = self.api.call("GET", f"/products?status=draft&category={category}", token=self.staff)[2]
        self.assertEqual([p["name"] for p in listed["items"]], [name], "a new product starts as a draft")

    def test_staff_search_the_catalog_drafts_included(self):
        word = f"zanzibar{uuid.uuid4().hex[:4]}"
        for name, status in [(f"{word.title()} lamp", "draft"), (f"{word.title()} shade", "active")]:
            status_code, _, body = self.api.call("POST", "/products", {
                "sku": f"Z-{uuid.uuid4().hex[:8]}", "name": name, "price": {"amount": 1900, "currency": "EUR"},
                "status": status}, self.staff)
            self.assertEqual(status_code, 201, body)
        self.sign_in(self.staff_email)
        page = self.page
        self.open("/admin/products")
        page.get_by_label("Search").fill(word[:-1] + "x" + word[-1])  # a typo: a letter too many
        page.get_by_role("button", name="Search").click()
        found = page.get_by_role("table", name="Products found")
        # The index follows the table's stream: a product is searchable within seconds.
        def both_found():
            page.reload()
            expect(found.or_(page.get_by_text("Nothing matches"))).to_be_visible()
            return found.get_by_role("link").count() == 2
        self.assertTrue(eventually(both_found, timeout=30, interval=1), "the draft and the active product")
        self.check("search-products")
        page.get_by_label("Status").select_option("active")
        expect(found.get_by_role("link")).to_have_count(1)
        expect(found.get_by_role("link")).to_have_text(f"{word.title()} shade")
        self.assertIn("status=active", page.url)

    def test_staff_watch_orders_and_low_stock_arrive_on_the_live_feed(self):
        product = self.product(stock=6)  # the default low-stock threshold is 5
        # An account of its own: the class's staff account signs in often already
        # (10 sign-ins per account in 15 minutes).
        self.sign_in(self.account("staff"))
        feed = self.page.get_by_role("region", name="Live")
        expect(feed.get_by_text("live", exact=True)).to_be_visible()
        # Someone else's order, paid by another member of staff, while this page is open.
        order, _ = self.paid_order(product, quantity=2)
        paid = feed.get_by_role("link", name="Order paid")
        expect(paid).to_be_visible()
        expect(feed.get_by_role("link", name="Order placed").or_(paid).first).to_be_visible()
        expect(feed.get_by_text(f"{product['sku']}: 4 left")).to_be_visible()
        self.check("live-feed")
        paid.click()
        expect(self.page.get_by_role("main")).to_contain_text(order["id"])

    def test_an_edit_over_someone_elses_save_says_reload(self):
        product = self.product()
        self.sign_in(self.staff_email)
        self.open(f"/admin/products/{product['id']}")
        expect(self.page.get_by_role("heading", name=product["name"])).to_be_visible()
        status, _, _ = self.api.call("PATCH", f"/products/{product['id']}", {"description": "changed elsewhere"},
                                     self.staff, {"if-match": f'"{product["version"]}"'})
        self.assertEqual(status, 200)
        self.page.get_by_label("Name").fill("Mine")
        self.page.get_by_role("button", name="Save product").click()
        expect(self.page.get_by_role("alert")).to_contain_text("Changed by someone else — reload")
        stored = self.api.call("GET", f"/products/{product['id']}", token=self.staff)[2]
        self.assertEqual((stored["name"], stored["description"]), (product["name"], "changed elsewhere"))

    def test_staff_see_an_order_from_the_api_fulfil_and_refund_it(self):
        product = self.product(stock=4)
        order, _ = self.paid_order(product, quantity=2)
        self.sign_in(self.staff_email)
        page = self.page
        page.get_by_role("link", name="Orders").click()
        self.check("orders")
        page.get_by_role("main").locator(f'a[href="/admin/orders/{order["id"]}"]').click()
        expect(page.get_by_role("heading", name=re.compile("Order"))).to_contain_text("paid")
        self.check("order-paid")

        page.get_by_label("Carrier").fill("DHL")
        page.get_by_label("Tracking number").fill("JJD0001")
        page.get_by_role("button", name="Fulfil").click()
        expect(page.get_by_role("status").filter(has_text="Fulfilled")).to_be_visible()
        self.assertEqual(self.order(order["id"])["shipment"], {"carrier": "DHL", "tracking_number": "JJD0001"})

        page.get_by_label("Reason").fill("Damaged in transit")
        page.get_by_label(f"Back in stock: {product['name']}").fill("2")
        page.get_by_role("button", name="Refund").click()
        expect(page.get_by_role("heading", name=re.compile("Order"))).to_contain_text("refunded")
        stored = self.order(order["id"])
        self.assertEqual((stored["status"], stored["refunded"]), ("refunded", stored["total"]))
        stock = self.api.call("GET", f"/products/{product['id']}", token=self.staff)[2]["stock"]
        self.assertEqual(stock, 4, "both units are back in stock")
        self.check("order-refunded")

    def test_staff_approve_a_return_and_receiving_it_restocks_and_refunds(self):
        product = self.product(stock=3)
        order, customer = self.paid_order(product, quantity=2)
        status, _, _ = self.api.call("POST", f"/orders/{order['id']}/fulfil",
                                     {"carrier": "DHL", "tracking_number": "R1"}, self.staff)
        self.assertEqual(status, 200)
        status, _, asked = self.api.call("POST", f"/orders/{order['id']}/returns", {
            "lines": [{"product_id": product["id"], "quantity": 1}], "reason": "Too big"}, customer)
        self.assertEqual(status, 201, asked)
        self.sign_in(self.staff_email)
        page = self.page
        self.open(f"/admin/orders/{order['id']}")
        returns = page.get_by_role("table", name="Returns")
        expect(returns).to_contain_text("requested")
        page.get_by_role("button", name="Approve").click()
        expect(returns).to_contain_text("approved")
        self.check("order-return-approved")
        page.get_by_role("button", name="Received: restock and refund").click()
        expect(returns).to_contain_text("received")
        expect(returns).to_contain_text("€39.00")
        stored = self.order(order["id"])
        self.assertEqual((stored["status"], stored["refunded"]), ("partially_refunded", 3900))
        self.assertEqual(self.api.call("GET", f"/products/{product['id']}", token=self.staff)[2]["stock"], 2,
                         "the returned unit is back on the shelf")

    def test_the_dashboard_numbers_move_when_an_order_is_paid(self):
        self.sign_in(self.admin_email)
        page = self.page
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        paid = page.locator('[data-stat="orders_paid"]')
        before = int(paid.inner_text())
        self.paid_order(self.product())

        def moved():
            page.reload()
            return int(paid.inner_text()) == before + 1
        self.assertTrue(eventually(moved, timeout=60, interval=1), "the dashboard counted the paid order")
        expect(page.get_by_role("table", name="Best sellers")).to_contain_text("Poster")
        self.check("dashboard")

    def test_staff_see_no_admin_screen_and_the_api_refuses_them(self):
        self.sign_in(self.staff_email)
        self.assertEqual(self.menu(), ["Orders", "Products", "Discounts"])
        for path in ("/admin/people", "/admin/webhooks", "/admin/audit", "/admin/exports", "/admin/settings"):
            self.open(path)
            expect(self.page.get_by_role("heading", name="Not found")).to_be_visible()
            self.assertEqual(self.page.locator(".list").count(), 0)
        self.check("staff-not-found")
        staff = json.loads(self.page.evaluate("sessionStorage.getItem('tillbox.dashboard.access')"))["access"]
        for path in ("/admin/users", "/admin/webhooks", "/admin/audit", "/admin/stats"):
            self.assertEqual(self.api.call("GET", path, token=staff)[0], 403, path)

    def test_admins_see_every_screen(self):
        product = self.product()
        order, _ = self.paid_order(product)
        self.sign_in(self.admin_email)
        self.assertEqual(self.menu(), ["Dashboard", "Orders", "Products", "Discounts", "Shipping & tax",
                                       "Customers & staff", "Webhooks", "Audit log", "Exports"])
        screens = {
            "products": ("/admin/products", "Products"),
            "discounts": ("/admin/discounts", "Discounts"),
            "people": ("/admin/people", "Customers & staff"),
            "webhooks": ("/admin/webhooks", "Webhooks"),
            "audit": ("/admin/audit", "Audit log"),
            "exports": ("/admin/exports", "Exports"),
            "order-admin": (f"/admin/orders/{order['id']}", "Order"),
        }
        for name, (path, heading) in screens.items():
            self.open(path)
            expect(self.page.get_by_role("heading", name=heading, exact=False).first).to_be_visible()
            self.check(name)
        # The order's timeline comes from the audit trail for admins.
        self.open(f"/admin/orders/{order['id']}")
        expect(self.page.locator(".timeline")).to_contain_text("order marked paid")

    def test_admins_set_shipping_zones_and_tax_rates(self):
        self.sign_in(self.admin_email)
        page = self.page
        self.open("/admin/settings")
        page.get_by_role("button", name="Add zone").click()
        page.get_by_label("Zone name").fill("Benelux")
        page.get_by_label("Countries (ISO codes)").fill("NL, BE, ZZ")
        page.get_by_role("button", name="Add method to Benelux").click()
        page.get_by_label("Method").fill("Post")
        page.get_by_label("Flat price").fill("5.50")
        page.get_by_label("Free from").fill("60")
        page.get_by_role("button", name="Save shipping zones").click()
        # An unknown country is refused on its field, and nothing is saved.
        expect(page.locator('[data-field="zones.0.countries"]')).to_be_visible()
        self.assertEqual([z["name"] for z in self.api.call("GET", "/shipping-zones")[2]["zones"]], [])
        page.get_by_label("Countries (ISO codes)").fill("NL, BE")
        page.get_by_role("button", name="Save shipping zones").click()
        expect(page.get_by_role("status").filter(has_text="Shipping zones saved")).to_be_visible()
        zones = self.api.call("GET", "/shipping-zones")[2]["zones"]
        self.assertEqual([(z["name"], z["countries"]) for z in zones], [("Benelux", ["NL", "BE"])])
        self.assertEqual([(m["name"], m["flat_amount"], m["free_from"]) for m in zones[0]["methods"]],
                         [("Post", 550, 6000)])

        page.get_by_role("button", name="Add rate").click()
        page.get_by_label("Country", exact=True).fill("NL")
        page.get_by_label("Standard", exact=True).fill("21")
        page.get_by_label("Reduced", exact=True).fill("9")
        page.get_by_role("button", name="Save tax settings").click()
        expect(page.get_by_role("status").filter(has_text="Tax settings saved")).to_be_visible()
        rates = self.api.call("GET", "/tax-settings", token=self.admin)[2]["rates"]
        self.assertEqual([(r["country"], r["standard"], r["reduced"]) for r in rates], [("NL", "21", "9")])
        self.check("settings")

    def test_admins_add_a_webhook_and_see_its_secret_once(self):
        self.sign_in(self.admin_email)
        page = self.page
        self.open("/admin/webhooks")
        page.get_by_label("URL", exact=True).fill("http://127.0.0.1:9/hooks")
        page.get_by_role("button", name="Add endpoint").click()
        secret = page.locator(".secret")
        expect(secret).to_contain_text("whsec_")
        page.reload()
        expect(page.get_by_role("table", name="Endpoints")).to_contain_text("127.0.0.1:9/hooks")
        self.assertEqual(page.locator(".secret").count(), 0, "the secret is shown once")
        page.get_by_role("link", name="http://127.0.0.1:9/hooks").first.click()
        page.get_by_role("button", name="Rotate secret").click()
        expect(page.locator(".secret")).to_contain_text("whsec_")
        self.check("webhook")

    def test_admins_export_orders_and_get_a_download(self):
        self.paid_order(self.product())
        self.sign_in(self.admin_email)
        self.open("/admin/exports")
        self.page.get_by_role("button", name="Export orders as CSV").click()
        expect(self.page.get_by_role("link", name=re.compile("Download CSV"))).to_be_visible(timeout=60_000)
        self.check("exports-done")

    def test_sign_out_everywhere_ends_the_other_sessions(self):
        status, _, other = self.api.call("POST", "/auth/login", {"email": self.staff_email, "password": PASSWORD})
        self.assertEqual(status, 200)
        self.sign_in(self.staff_email)
        self.page.get_by_role("button", name="Sign out everywhere").click()
        expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(self.page.get_by_role("status")).to_contain_text("Signed out on every device")
        self.check("sign-in")
        self.assertEqual(self.api.call("POST", "/auth/refresh", {"refresh_token": other["refresh_token"]})[0], 401)
        self.assertEqual(self.page.evaluate("localStorage.length"), 0, "no token is left in the browser")

    def test_the_account_pages_verify_an_address_and_set_a_password(self):
        email = f"buyer-{uuid.uuid4().hex[:8]}@shop.test"
        self.assertEqual(self.api.call("POST", "/auth/signup", {"email": email, "password": PASSWORD})[0], 202)
        mail = eventually(lambda: [m for m in emails_to(self.stack["endpoint"], email) if "verify-email" in m[1]])
        link = re.search(r'href="([^"]+verify-email\?token=[^"]+)"', mail[0][1]).group(1)
        self.assertTrue(link.startswith(self.gateway.url + "/account/verify-email?token="), link)
        self.open("/account/verify-email?token=" + token_in(mail[0][1]))
        expect(self.page.get_by_role("status")).to_contain_text("Your address is confirmed")
        self.check("account-verified")
        self.open("/account/verify-email?token=spent-or-forged")
        expect(self.page.get_by_role("alert")).to_be_visible()

        self.open("/account/forgot-password")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_role("button", name="Send me a link").click()
        expect(self.page.get_by_role("status")).to_contain_text("on its way")
        reset = eventually(lambda: [m for m in emails_to(self.stack["endpoint"], email) if "reset-password" in m[1]])
        self.open("/account/reset-password?token=" + token_in(reset[0][1]))
        self.page.get_by_label("New password").fill("a brand new passphrase")
        self.page.get_by_label("The same again").fill("a brand new passphrase")
        self.check("account-reset")
        self.page.get_by_role("button", name="Save password").click()
        expect(self.page.get_by_role("status")).to_contain_text("Your password is set")
        status, _, _ = self.api.call("POST", "/auth/login", {"email": email, "password": "a brand new passphrase"})
        self.assertEqual(status, 200)

    def test_a_guest_opens_their_order_from_the_emailed_link(self):
        product = self.product()
        email = f"guest-{uuid.uuid4().hex[:8]}@shop.test"
        status, _, cart = self.api.call("POST", "/carts")
        self.assertEqual(status, 201, cart)
        holder = {"cart-token": cart["token"]}
        path = f"/carts/{cart['id']}"
        self.assertEqual(self.api.call("POST", f"{path}/lines", {"product_id": product["id"], "quantity": 2},
                                       headers=holder)[0], 200)
        self.assertEqual(self.api.call("PATCH", path, {"email": email}, headers=holder)[0], 200)
        status, _, order = self.api.call("POST", f"{path}/checkout", headers={**holder, "idempotency-key": "g1"})
        self.assertEqual(status, 201, order)
        mail = eventually(lambda: [m for m in emails_to(self.stack["endpoint"], email) if "#token=" in m[1]])
        link = re.search(r'href="([^"]+#token=[^"]+)"', mail[0][1]).group(1)
        self.assertTrue(link.startswith(f"{self.gateway.url}/account/orders/{order['id']}#token="), link)

        self.page.goto(link)
        expect(self.page.get_by_role("heading", name=re.compile("Your order"))).to_be_visible()
        expect(self.page.get_by_role("table", name="Items")).to_contain_text(f"2 × {product['name']}")
        # The page follows the order: staff ship it, and it says so without a reload.
        main = self.page.locator("main")
        expect(main).to_contain_text("pending payment")
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=self.staff)[0], 200)
        shipment = {"carrier": "DHL", "tracking_number": "JJD000390007654321"}
        self.assertEqual(self.api.call("POST", f"/orders/{order['id']}/fulfil", shipment, self.staff)[0], 200)
        expect(main).to_contain_text("tracking number JJD000390007654321")
        self.check("account-guest-order")
        # The fragment is the credential: without it the page shows nothing of the order.
        self.open(f"/account/orders/{order['id']}")
        expect(self.page.get_by_role("alert")).to_contain_text("incomplete")
        self.assertNotIn(product["name"], self.page.locator("main").inner_text())

    def test_a_deep_link_finds_the_apps_config(self):
        """Published pages read the API's address from config.json in the app's
        folder, whatever the page's own path (a reloaded order, an e-mailed link)."""
        asked = []

        def config(route):
            asked.append(route.request.url)
            route.fulfill(status=200, content_type="application/json", body=json.dumps({"api": self.gateway.url}))
        self.page.route("**/config.json", config)
        self.sign_in(self.staff_email)
        self.open("/admin/products/new")
        expect(self.page.get_by_role("heading", name="New product")).to_be_visible()
        self.open("/account/orders/00000000-0000-0000-0000-000000000000")
        expect(self.page.get_by_role("alert")).to_be_visible()
        self.assertEqual(sorted(set(asked)), [f"{self.gateway.url}/account/config.json",
                                              f"{self.gateway.url}/admin/config.json"])

    def test_the_api_types_match_the_served_document(self):
        """The dashboard's client types (dashboard/src/api/schema.d.ts) are what
        openapi-typescript makes of the document the API serves now: after an API
        change, `make dashboard-types` regenerates them."""
        with tempfile.TemporaryDirectory() as folder:
            served = Path(folder) / "openapi.json"
            status, _, document = self.api.call("GET", "/openapi.json")
            self.assertEqual(status, 200)
            served.write_text(json.dumps(document))
            generated = Path(folder) / "schema.d.ts"
            out = subprocess.run([str(dashboard.DASHBOARD / "node_modules" / ".bin" / "openapi-typescript"),
                                  str(served), "-o", str(generated)], capture_output=True, text=True,
                                 env=dashboard.node_env())
            self.assertEqual(out.returncode, 0, out.stderr)
            committed = (dashboard.DASHBOARD / "src" / "api" / "schema.d.ts").read_text()
            self.assertTrue(generated.read_text() == committed,
                            "dashboard/src/api/schema.d.ts is stale: run `make dashboard-types`")
