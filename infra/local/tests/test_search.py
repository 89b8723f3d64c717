"""Product search end to end: products written through the API reach the index
(table stream -> fan-out -> search queue -> index job -> S3) and `GET
/search/products` finds them by SKU, prefix and typo, with facets, pages,
drafts for staff only, and 304s for a repeated read."""

import os
import subprocess
import time
import urllib.parse

from tillbox_local.races import Api

from tests.test_local_stack import BIN_DIR, GatewayTestCase, eventually


class SearchTest(GatewayTestCase):
    prefix = "search"
    parameters = {"PaymentProvider": "manual"}

    def search(self, token=None, headers=None, **params):
        query = urllib.parse.urlencode(params)
        return self.api.call("GET", f"/search/products?{query}", token=token, headers=headers)

    def found(self, token=None, **params):
        status, _, body = self.search(token=token, **params)
        self.assertEqual(status, 200, body)
        return [item["name"] for item in body["items"]]

    def create(self, body):
        status, headers, product = self.api.call("POST", "/products", body, self.staff)
        self.assertEqual(status, 201, product)
        return product

    def searchable(self, names, **params):
        """Waits until a search answers `names` (in any order); returns the seconds it took."""
        started = time.monotonic()
        seen = eventually(lambda: sorted(self.found(**params)) == sorted(names), timeout=30, interval=0.1)
        self.assertTrue(seen, f"{params} never answered {names}: {self.found(**params)}")
        return time.monotonic() - started

    def test_bad_queries_are_refused_by_name_and_nothing_found_is_an_empty_page(self):
        for params, field in [
            ({"q": "x" * 201}, "q"), ({"q": " ".join(["word"] * 11)}, "q"), ({"in_stock": "maybe"}, "in_stock"), ({"min_price": "-1"}, "min_price"),
            ({"min_price": "500", "max_price": "100"}, "max_price"), ({"category": "Not A Slug"}, "category"),
            ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"), ({"limit": "0"}, "limit"), ({"status": "gone"}, "status"),
        ]:
            status, headers, body = self.search(**params)
            self.assertEqual((status, headers["content-type"]), (400, "application/problem+json"), params)
            self.assertEqual(body["errors"][0]["field"], field, body)
        status, _, _ = self.search(status="draft")
        self.assertEqual(status, 401, "drafts need a staff token")
        status, headers, body = self.api.call("PATCH", "/search/products", {}, self.staff)
        self.assertEqual((status, headers.get("allow"), body["code"]), (405, "GET", "method_not_allowed"))
        status, _, body = self.search(q="anything")
        self.assertEqual((status, body["items"], body["total"]), (200, [], 0), "nothing found (or no index yet) is an empty page")

    def test_search_finds_by_sku_prefix_and_typo_with_facets_and_follows_changes(self):
        eur = lambda amount: {"amount": amount, "currency": "EUR"}
        self.create({
            "name": "Linen shirt", "description": "Breathable for summer.", "price": eur(4900), "status": "active",
            "category": "shirts", "options": [{"name": "Size", "values": ["M", "L"]}],
            "variants": [{"sku": "LIN-SHIRT-M", "options": {"Size": "M"}, "stock": 3},
                         {"sku": "LIN-SHIRT-L", "options": {"Size": "L"}, "stock": 0, "price": eur(5400)}],
        })
        self.create({"name": "Cotton shirt", "price": eur(2900), "status": "active", "category": "shirts",
                     "sku": "COT-SHIRT", "stock": 0})
        mug = self.create({"name": "Ceramic mug", "description": "Glazed stoneware.", "price": eur(1200),
                           "status": "active", "category": "mugs", "sku": "MUG-CER", "stock": 8})
        self.create({"name": "Wool scarf", "price": eur(3500), "category": "accessories", "sku": "SCARF-1"})
        indexed_in = self.searchable(["Linen shirt", "Cotton shirt", "Ceramic mug"])
        print(f"\n  four products searchable {indexed_in:.2f} s after the last was created", flush=True)

        self.assertEqual(self.found(q="LIN-SHIRT-L")[0], "Linen shirt", "an exact SKU first")
        self.assertEqual(self.found(q="cera"), ["Ceramic mug"], "a prefix while typing")
        self.assertEqual(self.found(q="linnen shrit"), ["Linen shirt"], "a typo in each word")
        self.assertEqual(self.found(q="mug linen"), [], "every word must match")

        status, _, page = self.search(q="shirt")
        self.assertEqual((status, page["total"]), (200, 2))
        linen = next(item for item in page["items"] if item["name"] == "Linen shirt")
        self.assertEqual((linen["price"], linen["price_max"], linen["in_stock"]), (eur(4900), eur(5400), True))
        self.assertEqual(page["facets"]["category"], [{"value": "shirts", "count": 2}])
        self.assertEqual(page["facets"]["availability"], {"in_stock": 1, "out_of_stock": 1})
        self.assertEqual(self.found(q="shirt", in_stock="true"), ["Linen shirt"])
        everything = self.search()[2]
        self.assertEqual(
            sorted((f["value"], f["count"]) for f in everything["facets"]["category"]), [("mugs", 1), ("shirts", 2)])
        cheapest = everything["facets"]["price"][0]
        chosen = self.search(min_price=cheapest["min"], max_price=cheapest["max"])[2]
        self.assertEqual(chosen["total"], cheapest["count"], "a price range selects what it counted")

        self.assertEqual(self.found(q="scarf"), [], "a draft is not public")
        self.assertEqual(self.found(token=self.staff, q="scarf"), ["Wool scarf"], "staff search drafts")
        customer = self.races.customers(1)[0]
        self.assertEqual(self.search(token=customer, status="draft")[0], 403, "nor for customers")
        self.assertEqual(self.found(token=customer, q="scarf"), [])

        walked, cursor = [], None
        while True:
            params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
            status, _, page = self.search(**params)
            self.assertEqual(status, 200, page)
            walked += [item["name"] for item in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(sorted(walked), ["Ceramic mug", "Cotton shirt", "Linen shirt"], "each once, one per page")

        # A repeated public search with its ETag is 304 and may be shared; a signed-in one is not.
        status, headers, _ = self.search(q="mug")
        self.assertEqual(headers["cache-control"], "public, max-age=15, stale-while-revalidate=45")
        status, again, body = self.search(headers={"if-none-match": headers["etag"]}, q="mug")
        self.assertEqual((status, body, again["etag"]), (304, None, headers["etag"]))
        self.assertEqual(self.search(token=self.staff, q="mug")[1]["cache-control"], "no-store")
        # Through the CDN: the query string is the key; a signed-in search is never kept.
        cdn = Api(self.gateway.cdn_url)
        for q, seen in [("mug", "Miss"), ("mug", "Hit"), ("shirt", "Miss")]:
            status, headers, _ = cdn.call("GET", f"/search/products?q={q}")
            self.assertEqual((status, headers["x-cache"]), (200, f"{seen} from cloudfront"), q)
        for _ in range(2):
            status, headers, body = cdn.call("GET", "/search/products?q=scarf", token=self.staff)
            self.assertEqual((status, headers["x-cache"], body["total"]), (200, "Miss from cloudfront", 1))

        # A rename and a sell-out are searchable within seconds; the old name no longer finds it.
        status, _, renamed = self.api.call("PATCH", f"/products/{mug['id']}", {"name": "Porcelain mug", "stock": 0},
                                           self.staff, {"if-match": f'"{mug["version"]}"'})
        self.assertEqual(status, 200, renamed)
        changed_in = self.searchable(["Porcelain mug"], q="porcelain")
        print(f"  a rename searchable {changed_in:.2f} s after it was saved", flush=True)
        self.assertEqual(self.found(q="ceramic"), [])
        self.assertEqual(self.search(q="porcelain")[2]["items"][0]["in_stock"], False)


class SearchRebuildTest(GatewayTestCase):
    """`tillbox-admin reindex-products` rebuilds a lost or stale index from the catalog."""

    prefix = "reindex"
    parameters = {"PaymentProvider": "manual"}

    def names(self, token=None):
        status, _, body = self.api.call("GET", "/search/products", token=token)
        self.assertEqual(status, 200, body)
        return sorted(item["name"] for item in body["items"])

    def test_the_index_is_rebuilt_from_every_product_whatever_its_status(self):
        for name, status in [("Lamp", "active"), ("Chair", "active"), ("Desk", "draft")]:
            product = {"name": name, "price": {"amount": 900, "currency": "EUR"}, "sku": name.upper(), "status": status}
            self.assertEqual(self.api.call("POST", "/products", product, self.staff)[0], 201)
        self.assertTrue(eventually(lambda: self.names(self.staff) == ["Chair", "Desk", "Lamp"], timeout=30))

        bucket = self.stack["resources"]["Bucket"]["ref"]
        self.client("s3").put_object(Bucket=bucket, Key="search/products.json", Body=b'{"format":1,"documents":[]}')
        self.assertTrue(eventually(lambda: self.names() == [], timeout=10), "the index was lost")

        env = {**os.environ, "TABLE_NAME": self.table_name(), "BUCKET_NAME": bucket}
        out = subprocess.run([str(BIN_DIR / "tillbox-admin"), "reindex-products"], env=env, capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"^3 products indexed in [0-9.]+ s$")
        self.assertTrue(eventually(lambda: self.names() == ["Chair", "Lamp"], timeout=10), self.names())
        self.assertEqual(self.names(self.staff), ["Chair", "Desk", "Lamp"])
