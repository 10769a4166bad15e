"""A minimal Lambda custom runtime loop for the test functions (urllib only)."""

import json
import os
import traceback
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def post(path, body, headers=None):
    request = urllib.request.Request(API + path, data=body, method="POST",
                                     headers=headers or {})
    with urllib.request.urlopen(request) as response:
        return response.status, response.read()


def serve(handler):
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as response:
            headers = {k: v for k, v in response.headers.items()}
            raw = response.read()
        request_id = headers["Lambda-Runtime-Aws-Request-Id"]
        try:
            event = json.loads(raw) if raw else None
            result = handler(event, headers)
            body = result if isinstance(result, bytes) else json.dumps(result).encode()
        except Exception as e:  # the handler's error, reported as Lambda's runtimes do
            error = {"errorMessage": str(e), "errorType": type(e).__name__,
                     "stackTrace": traceback.format_tb(e.__traceback__)}
            post("/invocation/%s/error" % request_id, json.dumps(error).encode(),
                 {"Lambda-Runtime-Function-Error-Type": "Unhandled",
                  "Content-Type": "application/vnd.aws.lambda.error+json"})
            continue
        try:
            post("/invocation/%s/response" % request_id, body)
        except urllib.error.HTTPError as e:
            print("response refused: %d %s" % (e.code, e.read().decode()), flush=True)
