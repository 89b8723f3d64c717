"""Order exports end to end: an admin asks -> export + outbox in one transaction ->
stream -> fan-out -> exports queue -> export job -> S3 multipart upload -> the
presigned link in GET /admin/exports/{id} downloads the CSV."""

import csv
import io
import time
import unittest
import urllib.request
import uuid

from tests.test_local_stack import GatewayTestCase, eventually


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class ExportsThroughTheGatewayTest(GatewayTestCase):
    prefix = "export"

    def ask(self, body, token=None, key=None):
        headers = {"idempotency-key": key} if key else None
        return self.api.call("POST", "/admin/exports/orders", body, token or self.admin, headers)

    def finished(self, location):
        def done():
            status, _, export = self.api.call("GET", location, token=self.admin)
            self.assertEqual(status, 200, export)
            return export if export["status"] in ("done", "failed") else None
        export = eventually(done, timeout=90)
        self.assertTrue(export, "the export job finished")
        return export

    def test_an_admin_downloads_the_csv_of_a_window_of_orders(self):
        start = time.time() - 1
        product = self.races.product(50)
        customers = self.races.customers(4)
        placed = []
        for i, customer in enumerate(customers):
            status, _, order = self.races.order(customer, product, quantity=i + 1)
            self.assertEqual(status, 201, order)
            placed.append(order)
        self.api.call("POST", f"/orders/{placed[0]['id']}/mark-paid", token=self.staff)

        status, headers, export = self.ask({"from": iso(start), "to": iso(time.time() + 60)}, key=str(uuid.uuid4()))
        self.assertEqual(status, 202, export)
        self.assertEqual((export["status"], export["download"]), ("queued", None))
        self.assertEqual(headers["location"], f"/admin/exports/{export['id']}")

        done = self.finished(headers["location"])
        self.assertEqual((done["status"], done["orders"], done["rows"]), ("done", 4, 4), done)
        download = done["download"]
        expires = time.mktime(time.strptime(download["expires_at"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        self.assertAlmostEqual(expires - time.time(), 600, delta=30, msg="the link works for 10 minutes")
        with urllib.request.urlopen(download["url"], timeout=30) as answer:
            body = answer.read().decode("utf-8")
        self.assertIn("\r\n", body, "RFC 4180 line ends")
        rows = list(csv.DictReader(io.StringIO(body)))
        self.assertEqual([r["order_id"] for r in rows], [o["id"] for o in reversed(placed)], "newest first")
        self.assertEqual([int(r["quantity"]) for r in rows], [4, 3, 2, 1])
        first = rows[-1]
        self.assertEqual((first["status"], first["currency"], first["unit_price"], first["line_total"]),
                         ("paid", "EUR", "25.00", "25.00"))
        self.assertTrue(first["paid_at"])

        status, _, only_paid = self.ask({"from": iso(start), "to": iso(time.time() + 60), "status": "paid"})
        self.assertEqual(status, 202, only_paid)
        paid = self.finished(f"/admin/exports/{only_paid['id']}")
        self.assertEqual((paid["orders"], paid["order_status"]), (1, "paid"))

    def test_only_admins_export_and_bad_requests_write_nothing(self):
        body = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-02T00:00:00Z"}
        status, _, problem = self.ask(body, token=self.staff)
        self.assertEqual((status, problem["code"]), (403, "forbidden"))
        for bad, field in [({"from": "yesterday", "to": "2026-11-02T00:00:00Z"}, "from"),
                           ({**body, "status": "lost"}, "status"),
                           ({"from": "2026-11-03T00:00:00Z", "to": "2026-11-02T00:00:00Z"}, "from"),
                           ({**body, "format": "xlsx"}, "format")]:
            status, headers, problem = self.ask(bad)
            self.assertIn(status, (400, 422), (bad, problem))
            self.assertEqual(headers["content-type"], "application/problem+json")
            self.assertEqual(problem.get("field"), field, (bad, problem))
        status, _, problem = self.api.call("GET", f"/admin/exports/{uuid.uuid4()}", token=self.admin)
        self.assertEqual(status, 404, problem)
        status, _, problem = self.api.call("GET", "/admin/exports/not-an-id", token=self.admin)
        self.assertEqual(status, 404, problem)


if __name__ == "__main__":
    unittest.main()
