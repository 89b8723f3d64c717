"""Schedules: fires each `rate(...)` schedule with an EventBridge scheduled event;
`POST /_local/schedules/<Function>` fires one at once (see http_api.py)."""

import json
import re
import time
import uuid
from datetime import datetime, timezone

from ..runtime import InvokeError
from .common import label


class Scheduler:
    def __init__(self, stack, runtimes, stopping, log):
        self.stack = stack
        self.runtimes = runtimes
        self.stopping = stopping
        self.log = log

    @staticmethod
    def event():
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": {},
        }

    def invoke(self, function, event):
        started = time.perf_counter()
        try:
            result = self.runtimes[function].invoke(event)
        except InvokeError as e:
            self.log(f"[schedule] {function} failed: {e}")
            return {"error": str(e)}
        elapsed = (time.perf_counter() - started) * 1000
        self.log(f"job {label(self.stack, function)}: scheduled {json.dumps(result)} {elapsed:.0f} ms")
        return result

    def run(self, function, schedule):
        """Fires a `rate(...)` schedule until the gateway stops."""
        m = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", schedule["expression"])
        if not m:
            self.log(f"[schedule] {function}: {schedule['expression']} is not run locally; POST /_local/schedules/{function}")
            return
        seconds = int(m.group(1)) * {"minute": 60, "hour": 3600, "day": 86400}[m.group(2).rstrip("s")]
        while not self.stopping.wait(seconds):
            self.invoke(function, self.event())
