"""moto_server, with DynamoDB requests applied one at a time.

moto undoes a cancelled TransactWriteItems by restoring a copy of the whole table
taken before the transaction ran, which silently discards writes other requests
made meanwhile (a concurrent order, a released idempotency key). DynamoDB
isolates each item instead. Applying DynamoDB requests one at a time gives the
emulator DynamoDB's atomicity; races still interleave between requests, where
they happen in AWS. Other services (SQS long polls) stay concurrent.

Run as `python moto_server.py -H 127.0.0.1 -p PORT`, like moto_server.
"""

import argparse
import copy
import os
import threading
import types

import moto.dynamodb.models as dynamodb_models
from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

DYNAMODB_TARGETS = ("DynamoDB_", "DynamoDBStreams_")


def one_dynamodb_request_at_a_time(app):
    lock = threading.Lock()

    def wsgi(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGETS):
            with lock:
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wsgi


def one_table_copy_per_transaction():
    """moto backs up a table once per action of a transaction, before running any
    of them: every copy is of the same state, and each costs O(table). One copy
    per table is the same undo at a third to a fifth of the cost. Swapping the
    module's `copy` is safe because DynamoDB requests run one at a time."""
    transact = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        copies = {}

        def deepcopy_once(value, memo=None):
            if id(value) not in copies:
                copies[id(value)] = (value, copy.deepcopy(value, memo))
            return copies[id(value)][1]

        dynamodb_models.copy = types.SimpleNamespace(deepcopy=deepcopy_once)
        try:
            return transact(self, transact_items)
        finally:
            dynamodb_models.copy = copy

    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items


class RequestHandler(MotoRequestHandler):
    # The SDKs keep connections open, and werkzeug writes a response's headers and
    # body separately; with Nagle's algorithm the body then waits for the client's
    # delayed ACK, 40 ms on Linux, on every call.
    disable_nagle_algorithm = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    # moto builds some URLs (queue URLs) from it, as moto_server does.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    one_table_copy_per_transaction()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, one_dynamodb_request_at_a_time(app), threaded=True,
               request_handler=RequestHandler)


if __name__ == "__main__":
    main()
