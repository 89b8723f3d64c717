"""Event source mappings, as Lambda runs them:
- SQS: long-polls each queue, invokes the worker with a real SQS event of up to
  BatchSize messages, deletes what succeeded, honours partial batch responses, and
  leaves failures to reappear after the visibility timeout; the queue's redrive
  policy moves them to the DLQ after maxReceiveCount receives.
- DynamoDB streams: reads each shard in order, applies the mapping's filters,
  retries from the first failed record (partial batch responses), and after
  MaximumRetryAttempts sends the batch's description to the OnFailure queue. Like
  Lambda's poller it keeps its position as a sequence number, not as an iterator,
  so a changed stream or shard, or an expired iterator, is read on from where it was.
"""

import json
import time
import uuid
from datetime import datetime, timezone

from botocore.exceptions import ClientError

from ..runtime import InvokeError
from ..stack import client
from .common import label, log_batch

# Lambda long-polls SQS for up to 20 s; a message wakes the poll at once.
SQS_WAIT_SECONDS = 20
IDLE_STREAM_POLL_SECONDS = 1
# How often a stream's shards are listed again: Lambda finds new shards on its
# own schedule, not before every read (each listing is a DescribeStream).
SHARD_LISTING_SECONDS = 5


class EventSources:
    def __init__(self, stack, runtimes, stopping, log, retry_delay=None):
        """`retry_delay`, when set, makes failed messages visible again after that
        many seconds instead of the queue's visibility timeout (and retries failed
        stream records after it), so tests can watch a redrive in seconds."""
        self.stack = stack
        self.runtimes = runtimes
        self.stopping = stopping
        self.log = log
        self.retry_delay = retry_delay

    # ------------------------------------------------------------------ SQS
    def pump_queue(self, function, mapping):
        """Long-polls one queue and invokes `function` with each batch received."""
        sqs = client("sqs", self.stack["endpoint"])
        url, arn = mapping["url"], mapping["arn"]
        while not self.stopping.is_set():
            try:
                received = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=min(mapping["batch_size"], 10),
                    WaitTimeSeconds=SQS_WAIT_SECONDS,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
            except Exception as e:  # the emulator is stopping or restarting
                if not self.stopping.is_set():
                    self.log(f"[pump] receive from {url} failed: {e}")
                    self.stopping.wait(1)
                continue
            # A message received while stopping is left to reappear, as Lambda does
            # when a mapping is disabled.
            if received and not self.stopping.is_set():
                self._deliver(sqs, function, mapping, url, arn, received)

    def _deliver(self, sqs, function, mapping, url, arn, messages):
        event = {"Records": [{
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": {
                k: {"stringValue": v.get("StringValue"), "binaryValue": v.get("BinaryValue"), "dataType": v["DataType"],
                    "stringListValues": [], "binaryListValues": []}
                for k, v in m.get("MessageAttributes", {}).items()
            },
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": arn,
            "awsRegion": "us-east-1",
        } for m in messages]}
        ids = {m["MessageId"] for m in messages}
        started = time.perf_counter()
        try:
            response = self.runtimes[function].invoke(event)
            failed = set()
            if mapping["report_failures"] and isinstance(response, dict):
                failed = {f.get("itemIdentifier") for f in response.get("batchItemFailures") or []}
                if not failed <= ids:
                    self.log(f"[pump] {function}: unknown itemIdentifier, whole batch failed")
                    failed = ids
        except InvokeError as e:
            self.log(f"[pump] {function} failed, batch will be retried: {e}")
            failed = ids
        log_batch(self.log, label(self.stack, function), len(messages), "message", len(failed), started)
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            elif self.retry_delay is not None:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=self.retry_delay)

    # ------------------------------------------------------------------ streams
    def pump_stream(self, function, mapping):
        """Lambda's stream semantics: records in order per shard, only those the
        mapping's filters match; a failed invocation or a reported item failure is
        retried from the failed record; after MaximumRetryAttempts retries the
        batch's description goes to the OnFailure destination and the shard moves on."""
        streams = client("dynamodbstreams", self.stack["endpoint"])
        readers, pending, attempts = {}, {}, {}
        stream, listed_at = None, 0.0
        while not self.stopping.is_set():
            # Lambda polls a shard again at once while it has records; only an idle
            # stream waits.
            busy = False
            try:
                if stream is None or time.monotonic() - listed_at > SHARD_LISTING_SECONDS:
                    stream = streams.describe_stream(StreamArn=mapping["arn"])["StreamDescription"]
                    listed_at = time.monotonic()
                for shard in stream.get("Shards", []):
                    sid = (stream.get("StreamLabel"), shard["ShardId"])
                    if sid not in readers:
                        if readers:
                            self.log(f"[pump] {function}: reading new shard {sid[1]} of stream {sid[0]}")
                        readers[sid] = _ShardReader(streams, mapping["arn"], shard["ShardId"], function, self.log)
                    batch = pending.get(sid)
                    if not batch:
                        records = readers[sid].read(mapping["batch_size"])
                        busy = busy or bool(records)
                        batch = [r for r in records if _matches_any(mapping["filters"], r)]
                    if not batch:
                        continue
                    failed_from = self._deliver_stream(function, mapping, batch)
                    if failed_from is None:
                        pending[sid] = None
                        continue
                    failed = batch[failed_from:]
                    key = (sid, failed[0]["dynamodb"]["SequenceNumber"])
                    attempts[key] = attempts.get(key, 0) + 1
                    if 0 <= mapping["max_retries"] < attempts[key]:
                        self._stream_gave_up(function, mapping, sid[1], failed, attempts.pop(key))
                        pending[sid] = None
                    else:
                        pending[sid] = failed
            except Exception as e:
                if not self.stopping.is_set():
                    self.log(f"[pump] stream for {function} failed: {e}")
            if any(pending.values()):
                self.stopping.wait(self.retry_delay if self.retry_delay is not None else 1)
            elif not busy:
                self.stopping.wait(IDLE_STREAM_POLL_SECONDS)

    def _deliver_stream(self, function, mapping, records):
        """Invokes the function; returns the index of the first failed record, or None."""
        for r in records:
            r["eventSourceARN"] = mapping["arn"]
            if "ApproximateCreationDateTime" in r.get("dynamodb", {}):
                value = r["dynamodb"]["ApproximateCreationDateTime"]
                r["dynamodb"]["ApproximateCreationDateTime"] = value.timestamp() if hasattr(value, "timestamp") else value
        started = time.perf_counter()
        failed_from = self._invoke_stream(function, mapping, records)
        log_batch(self.log, label(self.stack, function), len(records), "stream record",
                        0 if failed_from is None else len(records) - failed_from, started)
        return failed_from

    def _invoke_stream(self, function, mapping, records):
        try:
            response = self.runtimes[function].invoke(json.loads(json.dumps({"Records": records}, default=str)))
        except InvokeError as e:
            self.log(f"[pump] {function} failed on stream records, retrying: {e}")
            return 0
        if not mapping["report_failures"] or not isinstance(response, dict):
            return None
        failures = [f.get("itemIdentifier") for f in response.get("batchItemFailures") or []]
        if not failures:
            return None
        sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
        indexes = [sequences.index(f) for f in failures if f in sequences]
        if len(indexes) != len(failures):
            self.log(f"[pump] {function}: unknown itemIdentifier, whole batch failed")
            return 0
        return min(indexes)

    def _stream_gave_up(self, function, mapping, shard, records, attempts):
        self.log(f"[pump] {function}: {len(records)} stream records failed {attempts} times; sent to on-failure")
        if not mapping["on_failure"]:
            return
        now = datetime.now(timezone.utc)
        record = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(records),
                "streamArn": mapping["arn"],
            },
        }
        client("sqs", self.stack["endpoint"]).send_message(QueueUrl=mapping["on_failure"], MessageBody=json.dumps(record))


class _ShardReader:
    """One shard, read in order from a position kept as the last sequence number
    read, the way Lambda's poller checkpoints. An iterator is followed only while
    it returns records; an idle shard is asked again from the position, so a
    reader never waits on an iterator that has expired or reads a shard the
    stream no longer writes to. An iterator that fails is re-opened from the
    position, and that is logged."""

    def __init__(self, streams, arn, shard_id, function, log):
        self.streams = streams
        self.arn = arn
        self.shard_id = shard_id
        self.function = function
        self.log = log
        self.last_sequence = None
        self.iterator = None

    def read(self, limit):
        if self.iterator is None:
            self.iterator = self._open()
        try:
            page = self.streams.get_records(ShardIterator=self.iterator, Limit=limit)
        except ClientError as e:
            self.log(f"[pump] {self.function}: {e.response['Error']['Code']} on shard {self.shard_id}; "
                     f"re-opening after sequence number {self.last_sequence}")
            self.iterator = self._open()
            page = self.streams.get_records(ShardIterator=self.iterator, Limit=limit)
        records = page.get("Records", [])
        if records:
            self.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
            self.iterator = page.get("NextShardIterator")
        else:
            self.iterator = None
        return records

    def _open(self):
        position = {"ShardIteratorType": "TRIM_HORIZON"}
        if self.last_sequence is not None:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self.last_sequence}
        return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=self.shard_id, **position)["ShardIterator"]


def _matches_any(patterns, record):
    """Lambda event filtering, for the pattern forms the template uses: exact
    values, `{"prefix": ...}` and nesting. No patterns means every record."""
    return not patterns or any(_matches(p, record) for p in patterns)


def _matches(pattern, value):
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(k in value and _matches(v, value[k]) for k, v in pattern.items())
    if isinstance(pattern, list):
        return any(_matches_rule(rule, value) for rule in pattern)
    return pattern == value


def _matches_rule(rule, value):
    if isinstance(rule, dict) and "prefix" in rule:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    return rule == value
