"""sendmessage: posts {"action": "sendmessage", "data": ...}'s data to every connection; a
connection that is gone (410) is deleted."""
import json
import logging
import os

import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger()
logger.setLevel(logging.INFO)

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["TABLE_NAME"])


def lambda_handler(event, context):
    try:
        connections = table.scan(ProjectionExpression="connectionId")["Items"]
    except ClientError as e:
        return {"statusCode": 500, "body": str(e)}

    domain = event["requestContext"]["domainName"]
    stage = event["requestContext"]["stage"]
    apigw = boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{domain}/{stage}")

    data = json.loads(event["body"])["data"]
    for item in connections:
        connection_id = item["connectionId"]
        try:
            apigw.post_to_connection(ConnectionId=connection_id, Data=data.encode("utf-8"))
        except apigw.exceptions.GoneException:
            logger.info("Found stale connection, deleting %s", connection_id)
            table.delete_item(Key={"connectionId": connection_id})

    return {"statusCode": 200, "body": "Data sent."}
