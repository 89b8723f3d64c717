"""moto_server, with DynamoDB's transaction and stream semantics.

What moto 5 does differently from DynamoDB, and what this server changes:

- A cancelled TransactWriteItems is undone by swapping in a deep copy of every
  table it touched, taken before it ran. That costs O(table) per transaction
  (local writes slowed down as the table grew, and the copies kept alive by old
  shard iterators grew the emulator to gigabytes), throws away the table's
  stream shard, so every iterator a reader already holds reads a dead shard from
  then on, and leaves the cancelled transaction's own writes on that old shard
  as records of writes that never happened. Here a transaction backs up only the
  items it touches, and a cancelled one restores those items in place and takes
  back the stream records it emitted: the table, its shard and its readers stay,
  and, as in DynamoDB, a cancelled transaction leaves no stream record.
- A Query sorts the whole table first (see `queries_read_only_what_they_can_match`).
- Shard iterators never expire and are all kept: a poller that reads once a
  second leaves 86,400 of them a day. Here they expire 15 minutes after they were
  issued, as in DynamoDB (ExpiredIteratorException).

DynamoDB requests still run one at a time. moto's tables are plain dicts that
requests mutate without locks, and a transaction applies its actions one by one
before it knows whether it commits: a request running between those steps could
read a write that is then undone, or write an item that the undo then
overwrites. DynamoDB isolates transactions from other writes to the same items;
one lock over DynamoDB and DynamoDB Streams requests gives the emulator that
isolation. A request holds it for a few milliseconds, and races still interleave
between requests, as they do in AWS. SQS long polls, S3 and SES stay concurrent.

`GET /_local/mail?since=N` lists the e-mails SES accepted from the N-th on,
without serialising the whole emulator as `/moto-api/data.json` does;
`GET /_local/calls` counts the calls by caller and operation, and
`GET /_local/keys` lists, per caller and item action, the partition-key prefixes
of the table items it read or wrote: what `make test` compares with the
template's `dynamodb:LeadingKeys` grants (commands/test.py).

`serve` runs it; `python -m tillbox_local.commands.moto_server -H 127.0.0.1 -p PORT`
runs it like moto_server (`Emulator` starts it so).
"""

import copy
import inspect
import io
import json
import logging
import os
import re
import threading
import time
import urllib.parse

import moto.backends as moto_backends
import moto.dynamodb.models as dynamodb_models
import moto.dynamodbstreams.models as streams_models
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.ses.models import ses_backends
from werkzeug.serving import run_simple

DYNAMODB_TARGETS = ("DynamoDB_", "DynamoDBStreams_")
SHARD_ITERATOR_LIFETIME_S = 15 * 60
REGION = os.environ.get("AWS_REGION", "us-east-1")


class Calls:
    """How many calls each caller made, by operation, and how long its DynamoDB
    calls held the lock: `make races` reports them per order. A caller is the
    `app/` name in the SDK's user agent (each function sends its own; see
    shared/src/wiring.rs), else "other" (the gateway's pollers, the tests' and the
    stack's boto3). DynamoDB operations are named bare (`PutItem`), the others
    with their service (`SQS.SendMessage`, `S3.PUT`)."""

    SERVICES = {"DynamoDB_": "", "DynamoDBStreams_": "", "AmazonSQS": "SQS.", "AmazonSSM": "SSM."}

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.keys = {}

    def add(self, environ, locked_s=0.0):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            service, _, action = target.partition(".")
            prefix = next((p for t, p in self.SERVICES.items() if service.startswith(t)), service + ".")
            operation = prefix + action
        else:
            path = environ.get("PATH_INFO", "")
            operation = ("SES." if path.startswith("/v2/email") else "S3.") + environ.get("REQUEST_METHOD", "")
        agent = environ.get("HTTP_X_AMZ_USER_AGENT", "") + " " + environ.get("HTTP_USER_AGENT", "")
        caller = next((part[4:] for part in agent.split() if part.startswith("app/")), "other")
        with self.lock:
            entry = self.counts.setdefault(caller, {}).setdefault(operation, [0, 0.0])
            entry[0] += 1
            entry[1] += locked_s

    def add_keys(self, environ, body):
        """Records the partition-key prefixes (`ORDER#`) a DynamoDB request names,
        by the IAM action each item is checked as."""
        action = environ.get("HTTP_X_AMZ_TARGET", "").partition(".")[2]
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return
        agent = environ.get("HTTP_X_AMZ_USER_AGENT", "") + " " + environ.get("HTTP_USER_AGENT", "")
        caller = next((part[4:] for part in agent.split() if part.startswith("app/")), None)
        if caller is None:
            return
        with self.lock:
            seen = self.keys.setdefault(caller, {})
            for item_action, pk in _item_keys(action, request):
                if pk:  # a request without a key is refused by the emulator anyway
                    seen.setdefault(item_action, set()).add(pk.split("#", 1)[0] + "#")

    def key_snapshot(self):
        with self.lock:
            return {caller: {action: sorted(prefixes) for action, prefixes in actions.items()}
                    for caller, actions in self.keys.items()}

    def snapshot(self):
        with self.lock:
            return {caller: {op: {"calls": n, "seconds_locked": round(s, 6)} for op, (n, s) in ops.items()}
                    for caller, ops in self.counts.items()}


def _item_keys(action, request):
    """(IAM action, partition key) of each base-table item a DynamoDB request
    touches; index queries are granted on the index, not by leading keys."""
    pk = lambda key: (key or {}).get("PK", {}).get("S")  # noqa: E731
    if action in ("GetItem", "DeleteItem", "UpdateItem"):
        yield action, pk(request.get("Key"))
    elif action == "PutItem":
        yield action, pk(request.get("Item"))
    elif action == "TransactWriteItems":
        for entry in request.get("TransactItems", []):
            for kind, name in (("Put", "PutItem"), ("Update", "UpdateItem"), ("Delete", "DeleteItem"),
                               ("ConditionCheck", "ConditionCheckItem")):
                if kind in entry:
                    yield name, pk(entry[kind].get("Item") or entry[kind].get("Key"))
    elif action in ("BatchGetItem", "BatchWriteItem"):
        for table in request.get("RequestItems", {}).values():
            for key in table.get("Keys", []) if isinstance(table, dict) else []:
                yield action, pk(key)
            for write in table if isinstance(table, list) else []:
                for kind, name in (("PutRequest", "Item"), ("DeleteRequest", "Key")):
                    if kind in write:
                        yield action, pk(write[kind][name])
    elif action == "Query" and not request.get("IndexName"):
        names = request.get("ExpressionAttributeNames", {})
        condition = request.get("KeyConditionExpression", "")
        for name, placeholder in re.findall(r"([#\w]+)\s*=\s*(:\w+)", condition):
            if names.get(name, name) == "PK":
                yield action, request.get("ExpressionAttributeValues", {}).get(placeholder, {}).get("S")


def one_dynamodb_request_at_a_time(app, calls):
    lock = threading.Lock()

    def wsgi(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGETS):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            calls.add_keys(environ, body)
            with lock:
                started = time.perf_counter()
                try:
                    return list(app(environ, start_response))
                finally:
                    calls.add(environ, time.perf_counter() - started)
        if not environ.get("PATH_INFO", "").startswith(("/_local/", "/moto-api")):
            calls.add(environ)
        return app(environ, start_response)

    return wsgi


def call_counts(app, calls):
    """`GET /_local/calls` and `GET /_local/keys`: the calls and keys so far (see `Calls`)."""

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO")
        if path not in ("/_local/calls", "/_local/keys"):
            return app(environ, start_response)
        body = json.dumps(calls.snapshot() if path == "/_local/calls" else calls.key_snapshot()).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi


class _TablesStayInPlace:
    """Stands in for the `copy` module inside moto's DynamoDB backend, whose only
    deep copy of a Table is the pre-transaction backup: the backend then "restores"
    the table object it already has, and the transaction wrapper below undoes the
    items. Every other deep copy (an item's old image) is a real one."""

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _item_key(table, op_type, op):
    key = op["Item"] if op_type == "Put" else op["Key"]
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _restore(table, hash_key, range_key, item):
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    if item is not None:
        table.items[hash_key][range_key] = item
        return
    partition = table.items.get(hash_key)
    if partition is not None:
        partition.pop(range_key, None)
        if not partition:
            del table.items[hash_key]


def transactions_undone_in_place():
    dynamodb_models.copy = _TablesStayInPlace
    transact = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backups, shards = [], {}
        for action in transact_items[:100]:
            for op_type, op in action.items():
                if op_type not in ("Put", "Update", "Delete"):
                    continue
                try:
                    table = self.get_table(op["TableName"])  # a name or an ARN
                    hash_key, range_key = _item_key(table, op_type, op)
                except (KeyError, TypeError, JsonRESTError):
                    continue  # moto fails this action without writing it
                backups.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
                if table.stream_shard is not None:
                    shards.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
        try:
            return transact(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(backups):
                _restore(table, hash_key, range_key, item)
            for shard, length in shards.values():
                del shard.items[length:]
            raise

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items


def queries_read_only_what_they_can_match():
    """moto answers every Query from `Table.all_items()`, which sorts the whole
    table on each call, then keeps the items of the partition asked for: a query
    cost O(n log n) in the table's size (30 ms at 2,000 items), and every listing
    slowed down as the table grew. A base-table Query on a table with a sort key
    now reads its partition only, and any other Query every item unsorted; moto
    sorts what matched, as before, so results and pages are unchanged. The view
    is swapped in for the call only: safe because DynamoDB calls run one at a
    time (`one_dynamodb_request_at_a_time`)."""
    query = Table.query
    signature = inspect.signature(query)

    def narrowed(self, *args, **kwargs):
        arguments = signature.bind(self, *args, **kwargs).arguments
        if self.range_key_attr:
            partitions = [arguments["hash_key"]] if not arguments.get("index_name") else list(self.items)
            candidates = [item for key in partitions for item in self.items.get(key, {}).values()]
        else:
            candidates = list(self.items.values())
        self.all_items = lambda: candidates
        try:
            return query(self, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = narrowed


def requests_do_less():
    """Per request, moto listed its own package's folders (to tell whether a host
    names a service) and werkzeug logged the request line: together about a sixth
    of the emulator's CPU under `make races`. The folders are listed once;
    werkzeug logs only warnings and errors."""
    modules = tuple(moto_backends.list_of_moto_modules())
    moto_backends.list_of_moto_modules = lambda: modules
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def shard_iterators_expire():
    issue = streams_models.ShardIterator.__init__

    def init(self, *args, **kwargs):
        issue(self, *args, **kwargs)
        self.issued_at = time.monotonic()

    def get_records(self, iterator_arn, limit):
        # Iterators are kept in the order they were issued: the oldest go first.
        cutoff = time.monotonic() - SHARD_ITERATOR_LIFETIME_S
        while self.shard_iterators:
            oldest = next(iter(self.shard_iterators))
            if self.shard_iterators[oldest].issued_at > cutoff:
                break
            del self.shard_iterators[oldest]
        iterator = self.shard_iterators.get(iterator_arn)
        if iterator is None:
            raise JsonRESTError("ExpiredIteratorException", "Iterator expired or unknown")
        return iterator.get(limit)

    streams_models.ShardIterator.__init__ = init
    streams_models.DynamoDBStreamsBackend.get_records = get_records


def mail_listing(app):
    """`GET /_local/mail?since=N`: the e-mails accepted from the N-th on, and the
    number to ask from next time."""

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") != "/_local/mail":
            return app(environ, start_response)
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        try:
            since = max(0, int(query.get("since", ["0"])[0]))
        except ValueError:
            since = 0
        sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
        messages = [
            {"id": m.id, "source": m.source, "subject": getattr(m, "subject", ""), "body": getattr(m, "body", ""),
             "destinations": m.destinations}
            for m in sent[since:]
        ]
        body = json.dumps({"messages": messages, "next": since + len(messages)}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi


class RequestHandler(MotoRequestHandler):
    # The SDKs keep connections open, and werkzeug writes a response's headers and
    # body separately; with Nagle's algorithm the body then waits for the client's
    # delayed ACK, 40 ms on Linux, on every call.
    disable_nagle_algorithm = True


def serve(host, port):
    """Serves moto, changed as above, on `host`:`port` until the process is stopped."""
    # moto builds some URLs (queue URLs) from it, as moto_server does.
    os.environ.setdefault("MOTO_PORT", str(port))
    transactions_undone_in_place()
    queries_read_only_what_they_can_match()
    requests_do_less()
    shard_iterators_expire()
    app = DomainDispatcherApplication(create_backend_app)
    calls = Calls()
    run_simple(host, port, call_counts(mail_listing(one_dynamodb_request_at_a_time(app, calls)), calls),
               threaded=True, request_handler=RequestHandler)
