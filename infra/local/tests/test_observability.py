"""Logs: every function writes one JSON object per line with the keys AWS Lambda
Powertools users know, and one order is followed by its correlation id (the API
Gateway request id) from the HTTP call through the fan-out into the jobs."""

import json
import tempfile
import unittest
from pathlib import Path

from tests.test_local_stack import GatewayTestCase, eventually

POWERTOOLS_KEYS = {"level", "message", "timestamp", "service", "function_name", "function_request_id",
                   "cold_start", "xray_trace_id", "correlation_id"}


class LogsFollowOneOrderTest(GatewayTestCase):
    prefix = "logs"

    @classmethod
    def setUpClass(cls):
        cls.function_log = Path(tempfile.mkdtemp()) / "functions.log"
        super().setUpClass()

    def output(self):
        found = []
        for raw in self.function_log.read_text(errors="replace").splitlines():
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict):
                found.append(line)
        return found

    def lines(self):
        """Log lines (metrics share stdout: those carry `_aws`)."""
        return [line for line in self.output() if "_aws" not in line]

    def metrics(self, name):
        return [line for line in self.output() if "_aws" in line and name in line]

    def followed(self, correlation_id, functions):
        """The lines carrying `correlation_id`, once each of `functions` wrote one."""
        def seen():
            mine = [line for line in self.lines() if line.get("correlation_id") == correlation_id]
            return mine if functions <= {line["function_name"] for line in mine} else None
        lines = eventually(seen, timeout=60)
        self.assertTrue(lines, f"{correlation_id} in {functions}: "
                               f"{sorted({l['function_name'] for l in self.lines() if l.get('correlation_id') == correlation_id})}")
        return lines

    def test_an_order_is_followed_from_the_call_through_every_job_it_sets_off(self):
        customer, = self.races.customers(1)
        status, headers, order = self.races.order(customer, self.races.product(5))
        self.assertEqual(status, 201, order)
        placed = headers["apigw-requestid"]
        lines = self.followed(placed, {"OrdersCreateFunction", "FanOutEventsFunction", "UpdateStatsFunction"})
        access, = [l for l in lines if l["function_name"] == "OrdersCreateFunction" and l["message"] == "request handled"]
        self.assertEqual((access["method"], access["route"], access["status"], access["role"]),
                         ("POST", "POST /orders", 201, "customer"))
        self.assertGreater(access["duration_ms"], 0)
        self.assertTrue(access["function_request_id"])

        status, headers, _ = self.api.call("POST", f"/orders/{order['id']}/mark-paid", token=self.staff)
        self.assertEqual(status, 200)
        paid = headers["apigw-requestid"]
        self.followed(paid, {"OrdersMarkPaidFunction", "FanOutEventsFunction", "SendEmailsFunction",
                             "PrintReceiptsFunction", "UpdateStatsFunction"})

        every = self.lines()
        self.assertTrue(every)
        for line in every:
            self.assertLessEqual(POWERTOOLS_KEYS, set(line), line)
            self.assertIn(line["level"], ("TRACE", "DEBUG", "INFO", "WARN", "ERROR"), line)
        log_text = self.function_log.read_text(errors="replace")
        for secret in (customer, self.staff):
            self.assertNotIn(secret, log_text, "no token is ever logged")
        starts = [l["cold_start"] for l in every if l["function_name"] == "OrdersCreateFunction"]
        self.assertTrue(starts[0], "the first invocation is a cold start")

        # Metrics in CloudWatch's Embedded Metric Format, on the same stdout.
        placed, = self.metrics("OrdersPlaced")
        self.assertEqual(placed["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Tillbox")
        self.assertEqual(placed["OrdersPlaced"], 1)
        revenue = eventually(lambda: self.metrics("Revenue"))
        self.assertEqual([(m["currency"], m["Revenue"]) for m in revenue], [("EUR", order["total"])])
        self.assertEqual(revenue[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"], [["service", "currency"]])
        self.assertIn("OrdersCreateFunction", {m["function_name"] for m in self.metrics("ColdStarts")})


if __name__ == "__main__":
    unittest.main()
