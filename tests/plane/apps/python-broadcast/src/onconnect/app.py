"""$connect: remembers the connection."""
import os

import boto3

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["TABLE_NAME"])


def lambda_handler(event, context):
    try:
        table.put_item(Item={"connectionId": event["requestContext"]["connectionId"]})
    except Exception as e:
        return {"statusCode": 500, "body": "Failed to connect: " + str(e)}
    return {"statusCode": 200, "body": "Connected."}
