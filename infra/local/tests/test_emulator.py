"""The emulator keeps DynamoDB's transaction and stream semantics (moto_server.py):
a cancelled transaction changes no item and leaves no stream record, and a
stream reader that holds an iterator from before it keeps seeing later writes."""

import json
import os
import unittest
import urllib.request
import uuid

from botocore.exceptions import ClientError
from tillbox_local import stack as local_stack


def item(pk, **attrs):
    return {"PK": {"S": pk}, "SK": {"S": "ITEM"}, **{k: {"N": str(v)} for k, v in attrs.items()}}


class CancelledTransactionTest(unittest.TestCase):
    def setUp(self):
        self.endpoint = os.environ["AWS_ENDPOINT_URL"]
        provisioned = local_stack.provision(self.endpoint, f"emu{uuid.uuid4().hex[:8]}-")
        self.table = provisioned["resources"]["Table"]["ref"]
        self.stream = provisioned["arns"]["Table.StreamArn"]
        self.ddb = local_stack.client("dynamodb", self.endpoint)
        self.streams = local_stack.client("dynamodbstreams", self.endpoint)
        self.ddb.put_item(TableName=self.table, Item=item("stock", n=1))
        self.shard = self.streams.describe_stream(StreamArn=self.stream)["StreamDescription"]["Shards"][0]["ShardId"]

    def iterator(self):
        return self.streams.get_shard_iterator(
            StreamArn=self.stream, ShardId=self.shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def read(self, iterator):
        """Every record from `iterator` on: (keys, event names), and where to go on."""
        seen = []
        while True:
            page = self.streams.get_records(ShardIterator=iterator)
            seen += [(r["dynamodb"]["Keys"]["PK"]["S"], r["eventName"]) for r in page["Records"]]
            iterator = page["NextShardIterator"]
            if not page["Records"]:
                return seen, iterator

    def cancel(self):
        """A new item, an update and a delete, then a condition that fails."""
        with self.assertRaises(ClientError) as refused:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table, "Item": item("order", n=1)}},
                {"Update": {"TableName": self.table, "Key": {"PK": {"S": "stock"}, "SK": {"S": "ITEM"}},
                            "UpdateExpression": "SET n = n - :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"ConditionCheck": {"TableName": self.table, "Key": {"PK": {"S": "missing"}, "SK": {"S": "ITEM"}},
                                    "ConditionExpression": "attribute_exists(PK)"}},
            ])
        self.assertEqual(refused.exception.response["Error"]["Code"], "TransactionCanceledException")

    def test_a_cancelled_transaction_changes_nothing_and_leaves_no_stream_record(self):
        before, _ = self.read(self.iterator())
        self.cancel()
        after, _ = self.read(self.iterator())
        self.assertEqual(after, before, "no record of the cancelled writes")
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key={"PK": {"S": "order"}, "SK": {"S": "ITEM"}}))
        stock = self.ddb.get_item(TableName=self.table, Key={"PK": {"S": "stock"}, "SK": {"S": "ITEM"}})["Item"]
        self.assertEqual(stock["n"], {"N": "1"})

    def test_a_reader_from_before_the_cancellation_sees_every_later_write(self):
        _, held = self.read(self.iterator())
        self.cancel()
        self.ddb.put_item(TableName=self.table, Item=item("after", n=2))
        seen, _ = self.read(held)
        self.assertEqual(seen, [("after", "INSERT")])

    def test_a_committed_transaction_is_streamed(self):
        _, held = self.read(self.iterator())
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": self.table, "Item": item("order", n=1)}},
            {"Delete": {"TableName": self.table, "Key": {"PK": {"S": "stock"}, "SK": {"S": "ITEM"}}}},
        ])
        seen, _ = self.read(held)
        self.assertEqual(seen, [("order", "INSERT"), ("stock", "REMOVE")])


class QueryTest(unittest.TestCase):
    """The emulator reads a Query's partition, not the whole table: the same
    items, in the same order and pages, as moto gave, and none of another partition."""

    def test_a_query_returns_its_partition_in_order_page_by_page(self):
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        table = local_stack.provision(endpoint, f"qry{uuid.uuid4().hex[:8]}-")["resources"]["Table"]["ref"]
        ddb = local_stack.client("dynamodb", endpoint)
        for i in range(12):
            for partition in ("A", "B"):
                ddb.put_item(TableName=table, Item={
                    "PK": {"S": f"P#{partition}"}, "SK": {"S": f"{i:02d}"},
                    "GSI1PK": {"S": f"G#{'odd' if i % 2 else 'even'}"}, "GSI1SK": {"S": f"{partition}{11 - i:02d}"}})
        # Moves one item to the other index partition, and takes one out of the table.
        ddb.update_item(TableName=table, Key={"PK": {"S": "P#A"}, "SK": {"S": "03"}},
                        UpdateExpression="SET GSI1PK = :even", ExpressionAttributeValues={":even": {"S": "G#even"}})
        ddb.delete_item(TableName=table, Key={"PK": {"S": "P#B"}, "SK": {"S": "04"}})

        def pages(**query):
            found, start = [], {}
            while True:
                page = ddb.query(TableName=table, Limit=5, **query, **start)
                found += [(i["PK"]["S"], i["SK"]["S"]) for i in page["Items"]]
                if "LastEvaluatedKey" not in page:
                    return found
                start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

        base = pages(KeyConditionExpression="PK = :p AND SK >= :from", ScanIndexForward=False,
                     ExpressionAttributeValues={":p": {"S": "P#B"}, ":from": {"S": "02"}})
        self.assertEqual(base, [("P#B", f"{i:02d}") for i in range(11, 1, -1) if i != 4])
        index = pages(IndexName="GSI1", KeyConditionExpression="GSI1PK = :g",
                      ExpressionAttributeValues={":g": {"S": "G#even"}})
        expected = [("P#A", f"{i:02d}") for i in (10, 8, 6, 4, 3, 2, 0)] + [("P#B", f"{i:02d}") for i in (10, 8, 6, 2, 0)]
        self.assertEqual(index, expected, "by GSI1SK: A before B, the higher SK first")


class MailListingTest(unittest.TestCase):
    def test_lists_the_mail_ses_accepted_from_an_offset(self):
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        local_stack.provision(endpoint, f"mail{uuid.uuid4().hex[:8]}-")
        with urllib.request.urlopen(f"{endpoint}/_local/mail", timeout=10) as r:
            start = json.load(r)["next"]
        address = f"m.{uuid.uuid4().hex[:8]}@example.com"
        ses = local_stack.client("sesv2", endpoint)
        ses.send_email(
            FromEmailAddress="shop@tillbox.local", Destination={"ToAddresses": [address]},
            Content={"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Html": {"Data": "<p>hi</p>"}}}})
        with urllib.request.urlopen(f"{endpoint}/_local/mail?since={start}", timeout=10) as r:
            listing = json.load(r)
        self.assertEqual(listing["next"], start + 1)
        self.assertEqual([(m["subject"], m["destinations"]["ToAddresses"]) for m in listing["messages"]],
                         [("Hello", [address])])


if __name__ == "__main__":
    unittest.main()
