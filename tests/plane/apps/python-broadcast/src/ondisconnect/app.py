"""$disconnect: forgets the connection."""
import os

import boto3

dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["TABLE_NAME"])


def lambda_handler(event, context):
    try:
        table.delete_item(Key={"connectionId": event["requestContext"]["connectionId"]})
    except Exception as e:
        return {"statusCode": 500, "body": "Failed to disconnect: " + str(e)}
    return {"statusCode": 200, "body": "Disconnected."}
