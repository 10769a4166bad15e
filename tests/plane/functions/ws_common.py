"""Shared by the WebSocket echo stack's test functions: clients configured from the environment
Lambda gives them, as functions written for Debian 12's botocore (1.29, which does not read
AWS_ENDPOINT_URL_<SERVICE> itself) configure them."""
import os

import boto3


def dynamodb():
    return boto3.client("dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"))


def connections(stage):
    # AWS's examples build https://{domainName}/{stage}; here the endpoint variable stands for
    # the domain name.
    base = os.environ["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"].rstrip("/")
    return boto3.client("apigatewaymanagementapi", endpoint_url=base + "/" + stage)
