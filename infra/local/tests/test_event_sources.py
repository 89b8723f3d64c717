"""The gateway's stream and schedule sources, driven against the emulator with a
recording stand-in for the function (the real fan-out is tested end to end in
test_local_stack)."""

import os
import threading
import time
import unittest
import urllib.request
import uuid

from tillbox_local import stack as local_stack
from tillbox_local.gateway import Gateway


class Recorder:
    """Stands in for a function: records every event it is invoked with."""

    def __init__(self):
        self.events = []
        self.lock = threading.Lock()

    def invoke(self, event):
        with self.lock:
            self.events.append(event)
        return None

    def stop(self):
        pass


class EventSourceTest(unittest.TestCase):
    def setUp(self):
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        provisioned = local_stack.provision(endpoint, f"src{uuid.uuid4().hex[:8]}-")
        self.table = provisioned["resources"]["Table"]["ref"]
        self.stream_arn = provisioned["arns"]["Table.StreamArn"]
        self.ddb = local_stack.client("dynamodb", endpoint)
        self.recorder = Recorder()
        stack = {
            "endpoint": endpoint,
            "cdn": None,
            "functions": {"Watcher": {
                "routes": [], "queues": [],
                "streams": [{
                    "arn": self.stream_arn, "batch_size": 10, "report_failures": False, "max_retries": -1,
                    "on_failure": None,
                    "filters": [{"eventName": ["INSERT"], "dynamodb": {"Keys": {"PK": {"S": [{"prefix": "OUTBOX#"}]}}}}],
                }],
                "schedules": [{"expression": "rate(1 day)"}],
            }},
        }
        self.gateway = Gateway(stack, {"Watcher": self.recorder}, log=lambda *_: None).start()

    def tearDown(self):
        self.gateway.stop()

    def test_stream_records_reach_the_function_in_order(self):
        for n in range(3):
            self.ddb.put_item(TableName=self.table, Item={"PK": {"S": f"OUTBOX#{n}"}, "SK": {"S": "OUTBOX"}})
            # Neither passes the filter: another key, and a change rather than an insert.
            self.ddb.put_item(TableName=self.table, Item={"PK": {"S": f"USER#{n}"}, "SK": {"S": "PROFILE"}})
            self.ddb.put_item(TableName=self.table, Item={"PK": {"S": f"OUTBOX#{n}"}, "SK": {"S": "OUTBOX"}, "x": {"N": "1"}})
        deadline = time.time() + 30
        records = []
        while time.time() < deadline and len(records) < 3:
            time.sleep(0.3)
            with self.recorder.lock:
                records = [r for e in self.recorder.events for r in e.get("Records", [])]
        self.assertEqual([r["dynamodb"]["Keys"]["PK"]["S"] for r in records], ["OUTBOX#0", "OUTBOX#1", "OUTBOX#2"])
        self.assertEqual({r["eventName"] for r in records}, {"INSERT"})
        self.assertEqual({r["eventSourceARN"] for r in records}, {self.stream_arn})

    def test_a_schedule_can_be_fired_on_demand(self):
        request = urllib.request.Request(f"{self.gateway.url}/_local/schedules/Watcher", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=30) as r:
            self.assertEqual(r.status, 200)
        scheduled = [e for e in self.recorder.events if e.get("detail-type") == "Scheduled Event"]
        self.assertEqual(len(scheduled), 1)
        self.assertEqual(scheduled[0]["source"], "aws.events")


if __name__ == "__main__":
    unittest.main()
