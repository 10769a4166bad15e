"""Connects where the event says, with boto3 or the standard library, and says what happened."""
import os
import socket
import urllib.error
import urllib.request

import boto3


def handler(event, context):
    if "requestContext" in event:  # POST /hello on the HTTP API
        return {"statusCode": 200, "body": "hello from " + event["requestContext"]["domainName"]}
    op = event["op"]
    if op == "post":
        request = urllib.request.Request(event["url"], data=event["data"].encode(), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return {"status": response.status}
        except urllib.error.HTTPError as e:
            return {"status": e.code}
        except urllib.error.URLError as e:
            return {"error": str(e.reason)}
    if op == "resolve":
        try:
            infos = socket.getaddrinfo(event["host"], event.get("port", 443),
                                       type=socket.SOCK_STREAM)
        except socket.gaierror:
            return {"addresses": []}
        return {"addresses": sorted({"%s:%s" % i[4][:2] for i in infos})}
    if op == "dynamodb":
        region = os.environ["AWS_REGION"]
        ddb = boto3.client("dynamodb", endpoint_url="https://dynamodb.%s.amazonaws.com" % region)
        return {"tables": ddb.list_tables()["TableNames"]}
    if op == "streams":
        region = os.environ["AWS_REGION"]
        streams = boto3.client("dynamodbstreams",
                               endpoint_url="https://streams.dynamodb.%s.amazonaws.com" % region)
        return {"streams": streams.list_streams()["Streams"]}
    if op == "default-clients":
        ddb = boto3.client("dynamodb")
        return {"tables": ddb.list_tables()["TableNames"], "dynamodb": ddb.meta.endpoint_url,
                "apigw": boto3.client("apigatewaymanagementapi").meta.endpoint_url,
                "streams": boto3.client("dynamodbstreams").meta.endpoint_url}
    raise ValueError("unknown op " + op)
