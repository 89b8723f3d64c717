"""A minimal custom runtime for the Python peer: the same Runtime API loop Lambda's
Python runtime runs (GET next, call the handler, POST the response), without its
extras, so the peer's init is the interpreter, boto3 and the handler module only."""

import http.client
import json
import os

import handler

connection = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
while True:
    connection.request("GET", "/2018-06-01/runtime/invocation/next")
    response = connection.getresponse()
    event = json.loads(response.read())
    request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
    body = json.dumps(handler.handle(event, None)).encode()
    connection.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", body)
    connection.getresponse().read()
