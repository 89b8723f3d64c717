"""The audit trail as an API: GET /admin/audit reads, newest first, what admins
and staff did (here: registering webhooks, and records written on earlier days),
filtered by actor, action and target, page by page across day partitions."""

import json
import os
import subprocess
import unittest
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

from tests.test_local_stack import GatewayTestCase, eventually


class AuditTrailTest(GatewayTestCase):
    prefix = "audit"

    def old_record(self, day, actor, action, target, second=0):
        """An audit item as the functions write them, on an earlier day."""
        record_id = str(uuid.uuid4())
        at = f"{day}T12:00:{second:02d}.000000Z"
        sort = f"{at}#{record_id}"
        self.client("dynamodb").put_item(TableName=self.table_name(), Item={
            "PK": {"S": f"AUDIT#{day}"}, "SK": {"S": sort}, "GSI1PK": {"S": f"AUDIT#ACTOR#{actor}"},
            "GSI1SK": {"S": sort}, "entity": {"S": "audit"}, "actor": {"S": actor}, "action": {"S": action},
            "target": {"S": target}, "before": {"S": "null"}, "after": {"S": json.dumps({"n": target})},
            "at": {"S": at}})
        return record_id

    def listing(self, query, token=None):
        return self.api.call("GET", f"/admin/audit?{query}", token=token or self.admin)

    def test_admins_page_through_the_trail_newest_first_across_days_with_filters(self):
        marker = uuid.uuid4().hex[:8]
        days = ["2026-09-01", "2026-09-03", "2026-09-03", "2026-09-07"]
        ids = [self.old_record(day, f"admin-{marker}", "discount.updated", f"discount:{marker}{i}", second=i)
               for i, day in enumerate(days)]
        self.old_record("2026-09-05", "someone-else", "user.updated", f"user:{marker}")
        window = "from=2026-09-01T00:00:00Z&to=2026-09-08T00:00:00Z"

        seen, cursor, pages = [], None, 0
        while True:
            query = f"{window}&action=discount.updated&limit=1" + (f"&cursor={cursor}" if cursor else "")
            status, _, page = self.listing(query)
            self.assertEqual(status, 200, page)
            seen += [r["id"] for r in page["items"]]
            pages += 1
            cursor = page.get("next_cursor")
            if not cursor:
                break
            self.assertLess(pages, 20, "the listing ends")
        self.assertEqual(seen, ids[::-1], "every record once, newest first, none of another action")

        status, _, page = self.listing(f"{window}&actor=admin-{marker}&limit=100")
        self.assertEqual((status, len(page["items"])), (200, 4), page)
        status, _, page = self.listing(f"{window}&target=discount:{marker}1")
        self.assertEqual([r["id"] for r in page["items"]], [ids[1]])
        self.assertEqual(page["items"][0]["after"], {"n": f"discount:{marker}1"})

    def test_what_admins_do_is_listed_and_only_admins_may_read_it(self):
        status, _, endpoint = self.api.call("POST", "/admin/webhooks", {"url": "https://hooks.example.com/audit",
                                                                         "events": ["*"]}, token=self.admin)
        self.assertIn(status, (201, 422), endpoint)  # 422 when the name does not resolve on this machine
        status, _, page = self.listing("action=webhook.created")
        self.assertEqual(status, 200, page)
        if endpoint.get("id"):
            self.assertIn(f"webhook:{endpoint['id']}", [r["target"] for r in page["items"]])
            self.assertNotIn("whsec_", json.dumps(page))

        self.assertEqual(self.listing("", token=self.staff)[0], 403)
        self.assertEqual(self.api.call("GET", "/admin/audit")[0], 401)
        for query, field in [("from=yesterday", "from"), ("from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from"),
                             ("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"), ("limit=0", "limit"),
                             ("cursor=bm90LWEtY3Vyc29y", "cursor"), ("action=" + "x" * 300, "action")]:
            status, _, problem = self.listing(query)
            self.assertEqual((status, problem.get("field")), (400, field), (query, problem))

    def audit_queries(self):
        """The Query calls the audit listing function has made on the emulator so far."""
        with urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/_local/calls", timeout=30) as r:
            calls = json.load(r)
        return calls.get("AdminAuditListFunction", {}).get("Query", {}).get("calls", 0)

    def test_a_rare_filter_over_a_year_reads_a_bounded_number_of_pages(self):
        now = datetime.now(timezone.utc)
        busy_day = (now - timedelta(days=30)).date().isoformat()
        marker = uuid.uuid4().hex[:8]
        records = [{"PutRequest": {"Item": {
            "PK": {"S": f"AUDIT#{busy_day}"}, "SK": {"S": f"{busy_day}T10:00:00.{i:06d}Z#{uuid.uuid4()}"},
            "GSI1PK": {"S": f"AUDIT#ACTOR#noise-{marker}"}, "GSI1SK": {"S": f"{busy_day}T10:00:00.{i:06d}Z"},
            "entity": {"S": "audit"}, "actor": {"S": f"noise-{marker}"}, "action": {"S": "product.updated"},
            "target": {"S": f"product:{i}"}, "before": {"S": "null"}, "after": {"S": "null"},
            "at": {"S": f"{busy_day}T10:00:00.{i:06d}Z"}}}} for i in range(250)]
        for start in range(0, len(records), 25):
            self.client("dynamodb").batch_write_item(RequestItems={self.table_name(): records[start:start + 25]})
        rare = self.old_record(busy_day, f"admin-{marker}", f"rare.{marker}", "order:1", second=5)
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        window = f"from={(now - timedelta(days=364)).strftime(fmt)}&to={now.strftime(fmt)}"

        for action, expected in [(f"none.such.{marker}", []), (f"rare.{marker}", [rare])]:
            found, cursor, pages, queries = [], None, 0, 0
            while True:
                before = self.audit_queries()
                query = f"{window}&action={action}&limit=1" + (f"&cursor={cursor}" if cursor else "")
                status, _, page = self.listing(query)
                self.assertEqual(status, 200, page)
                made = self.audit_queries() - before
                self.assertLessEqual(made, 16, "reads per request are capped")
                queries += made
                found += [r["id"] for r in page["items"]]
                pages += 1
                cursor = page.get("next_cursor")
                if not cursor:
                    break
                self.assertLess(pages, 40, "the listing ends")
            self.assertEqual(found, expected, action)
            self.assertGreaterEqual(queries, 365, "every day of the window was read, once")

    def verify(self, since):
        """`tillbox-admin audit-verify` against this stack: (exit code, output)."""
        env = {**os.environ, "TABLE_NAME": self.table_name(),
               "AUDIT_ARCHIVE_BUCKET": self.stack["resources"]["AuditArchiveBucket"]["ref"]}
        done = subprocess.run([str(self.races.bin_dir / "tillbox-admin"), "audit-verify", "--since", since],
                              env=env, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout + done.stderr

    def test_a_rewritten_or_deleted_audit_record_is_found_out_against_its_locked_copy(self):
        since = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        code = f"AUDIT{uuid.uuid4().hex[:8]}".upper()
        status, _, discount = self.api.call("POST", "/discounts", {"code": code, "kind": "percentage", "percent": 10},
                                            token=self.staff)
        self.assertEqual(status, 201, discount)
        _, _, page = self.listing(f"action=discount.created&target=discount:{code}")
        self.assertEqual(len(page["items"]), 1, page)
        record = page["items"][0]
        bucket = self.stack["resources"]["AuditArchiveBucket"]["ref"]
        key = f"audit/{record['at'][:10]}/{record['id']}.json"
        s3 = self.client("s3")

        def archived():
            try:
                return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            except s3.exceptions.NoSuchKey:
                return None

        copy = eventually(archived, timeout=30)
        self.assertEqual((copy or {}).get("action"), "discount.created", "copied from the stream")
        locked = s3.head_object(Bucket=bucket, Key=key)
        self.assertEqual(locked["ObjectLockMode"], "GOVERNANCE", "locked by the bucket's default retention")
        self.assertGreater(locked["ObjectLockRetainUntilDate"], datetime.now(timezone.utc) + timedelta(days=399))
        self.assertEqual(self.verify(since), (0, "the audit trail matches its archive\n"))

        # A function's PutItem may overwrite the record (IAM cannot tell it from a new one)...
        dynamodb = self.client("dynamodb")
        items = dynamodb.query(TableName=self.table_name(), KeyConditionExpression="PK = :pk",
                               ExpressionAttributeValues={":pk": {"S": f"AUDIT#{record['at'][:10]}"}})["Items"]
        item = next(i for i in items if i["SK"]["S"].endswith(record["id"]))
        dynamodb.put_item(TableName=self.table_name(), Item={**item, "actor": {"S": "someone-else"}})
        code_, output = self.verify(since)
        self.assertEqual(code_, 1, output)
        self.assertIn(f"rewritten: {record['id']}", output)
        self.assertEqual(archived()["actor"], record["actor"], "the copy is as first written")

        # ... or delete it: found out too, and the copy cannot be deleted without the bypass.
        dynamodb.delete_item(TableName=self.table_name(), Key={"PK": item["PK"], "SK": item["SK"]})
        code_, output = self.verify(since)
        self.assertEqual(code_, 1, output)
        self.assertIn(f"missing from the table: {record['at']}", output)
        version = s3.head_object(Bucket=bucket, Key=key)["VersionId"]
        with self.assertRaises(Exception, msg="a locked version cannot be deleted"):
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
        self.assertEqual(archived()["actor"], record["actor"])

        # ... or insert a forged record under the deleted one's key: the stream copies
        # it as a newer version, but the check reads each record as first kept.
        dynamodb.put_item(TableName=self.table_name(), Item={**item, "actor": {"S": "forger"}})
        eventually(lambda: archived()["actor"] == "forger", timeout=30)
        code_, output = self.verify(since)
        self.assertEqual(code_, 1, output)
        self.assertIn(f"rewritten: {record['id']}", output)


if __name__ == "__main__":
    unittest.main()
