"""schemas/chat.yaml through stack-plan: the table of chat-table.md (keys, the three indexes,
the stream, TTL), created as planned in the real emulator; the WebSocket routes and their
authorizer; the fanout mapping and its filter, matched against records of every item; the HTTP
history route with CORS; the outputs."""

import json
import re
import subprocess

import boto3
import botocore.config
import pytest

from conftest import EMULATOR_BIN, stack_plan

ROUTES_WITH_REPLY = {"sendMessage", "getHistory", "createConversation", "listConversations",
                     "heartbeat", "getToken", "getPresence", "$default"}
ROUTES_WITHOUT_REPLY = {"markRead", "react", "typing"}


@pytest.fixture(scope="module")
def plan():
    return stack_plan("--stack-name", "chat")


@pytest.fixture
def dynamodb():
    proc = subprocess.Popen([EMULATOR_BIN, "--port", "0", "--in-memory", "--shared-db"],
                            stderr=subprocess.PIPE, text=True)
    try:
        port = None
        for line in proc.stderr:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                port = int(m.group(1))
                break
        assert port, "the emulator did not report its port"
        yield boto3.client(
            "dynamodb", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 1}))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_table_is_created_as_the_data_model_says(plan, dynamodb):
    (table,) = plan["tables"]
    assert table["tableName"] == "chat"
    dynamodb.create_table(**table["createTable"])
    dynamodb.update_time_to_live(TableName="chat",
                                 TimeToLiveSpecification=table["timeToLive"])
    described = dynamodb.describe_table(TableName="chat")["Table"]
    assert described["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                      {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert described["StreamSpecification"] == {"StreamEnabled": True,
                                                "StreamViewType": "NEW_AND_OLD_IMAGES"}
    indexes = {i["IndexName"]: i for i in described["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"byUser", "connections"}
    keys = {name: [k["AttributeName"] for k in i["KeySchema"]] for name, i in indexes.items()}
    assert keys == {"byUser": ["userPk", "userSk"], "connections": ["connBucket", "connSk"]}
    assert indexes["byUser"]["Projection"] == {"ProjectionType": "ALL"}
    assert indexes["connections"]["Projection"] == {
        "ProjectionType": "INCLUDE", "NonKeyAttributes": ["username", "domainName", "stage"]}
    ttl = dynamodb.describe_time_to_live(TableName="chat")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}


def test_the_table_name_is_a_parameter():
    plan = stack_plan("--stack-name", "chat", "--parameter-overrides", "TableName=chat-test")
    assert plan["tables"][0]["tableName"] == "chat-test"
    assert all(f["environment"]["TABLE_NAME"] == "chat-test" for f in plan["functions"])


def test_every_function_is_a_bootstrap_in_the_functions_folder(plan):
    functions = {f["name"]: f for f in plan["functions"]}
    assert set(functions) == {"chat-authorizer", "chat-connect", "chat-disconnect", "chat-send",
                              "chat-fanout", "chat-history"}
    for name, f in functions.items():
        assert f["runtime"] == "provided.al2023" and f["handler"] == "bootstrap"
        assert f["codeUri"].endswith("/build/functions/" + name)
        assert f["environment"]["TABLE_NAME"] == "chat"
        assert f["environment"]["CHAT_TOKEN_SECRET"]
    plan = stack_plan("--parameter-overrides", "FunctionsDir=/opt/chat", "TokenSecret=s")
    assert {f["codeUri"] for f in plan["functions"]} == {
        "/opt/chat/" + name for name in functions}
    assert {f["environment"]["CHAT_TOKEN_SECRET"] for f in plan["functions"]} == {"s"}


def test_the_websocket_routes_and_the_connect_authorizer(plan):
    (api,) = plan["websocketApis"]
    assert api["stage"] == "chat"
    assert api["routeSelectionExpression"] == "$request.body.action"
    routes = {r["routeKey"]: r for r in api["routes"]}
    assert set(routes) == {"$connect", "$disconnect"} | ROUTES_WITH_REPLY | ROUTES_WITHOUT_REPLY
    assert routes["$connect"]["function"] == "chat-connect"
    assert routes["$connect"]["authorizationType"] == "CUSTOM"
    assert routes["$disconnect"]["function"] == "chat-disconnect"
    for key in ROUTES_WITH_REPLY | ROUTES_WITHOUT_REPLY:
        assert routes[key]["function"] == "chat-send", key
        assert routes[key]["routeResponse"] == (key in ROUTES_WITH_REPLY), key
        assert routes[key]["authorizer"] is None
    (authorizer,) = api["authorizers"]
    assert routes["$connect"]["authorizer"] == authorizer["name"]
    assert authorizer["function"] == "chat-authorizer"
    assert authorizer["identitySource"] == ["route.request.querystring.username"]


def record(event_name, new=None, old=None):
    image = {}
    if new is not None:
        image["NewImage"] = {"type": {"S": new}}
    if old is not None:
        image["OldImage"] = {"type": {"S": old}}
    return {"eventName": event_name, "dynamodb": image}


def matches(pattern, rec):
    """Lambda's filter rules for what the patterns use: nested objects, lists of values."""
    for key, want in pattern.items():
        if key not in rec:
            return False
        if isinstance(want, dict):
            if not isinstance(rec[key], dict) or not matches(want, rec[key]):
                return False
        elif rec[key] not in want:
            return False
    return True


def test_the_fanout_mapping_reads_the_stream_with_item_failures(plan):
    (mapping,) = plan["eventSourceMappings"]
    assert mapping["function"] == "chat-fanout"
    assert mapping["tableName"] == "chat"
    assert mapping["batchSize"] == 100
    assert mapping["startingPosition"] == "TRIM_HORIZON"
    assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
    patterns = [json.loads(f["Pattern"]) for f in mapping["filterCriteria"]["Filters"]]

    def delivered(rec):
        return any(matches(p, rec) for p in patterns)

    for rec in [record("INSERT", new="message"), record("INSERT", new="reaction"),
                record("REMOVE", old="reaction"), record("INSERT", new="read"),
                record("MODIFY", old="read", new="read"), record("INSERT", new="presence"),
                record("REMOVE", old="presence")]:
        assert delivered(rec), rec
    for rec in [record("MODIFY", old="message", new="message"), record("REMOVE", old="message"),
                record("MODIFY", old="presence", new="presence"),
                record("INSERT", new="conversation"), record("MODIFY", old="conversation",
                                                             new="conversation"),
                record("INSERT", new="inbox"), record("MODIFY", old="inbox", new="inbox"),
                record("INSERT", new="connection"), record("REMOVE", old="connection"),
                record("INSERT", new="userconn"), record("REMOVE", old="read"),
                {"eventName": "INSERT", "dynamodb": {"NewImage": {"pk": {"S": "CONV#lobby"}}}}]:
        assert not delivered(rec), rec


def test_the_history_route_on_an_http_api_with_cors(plan):
    (api,) = plan["httpApis"]
    assert api["stage"] == "chat"
    (route,) = api["routes"]
    assert route["routeKey"] == "GET /conversations/{id}/messages"
    assert route["function"] == "chat-history"
    assert route["authorizationType"] == "NONE"
    assert route["payloadFormatVersion"] == "2.0"
    assert api["cors"]["allowOrigins"] == ["*"]
    assert "authorization" in api["cors"]["allowHeaders"]
    assert "GET" in api["cors"]["allowMethods"]


def test_the_outputs(plan):
    outputs = {o["name"]: o["value"] for o in plan["outputs"]}
    ws_id = plan["websocketApis"][0]["apiId"]
    http_id = plan["httpApis"][0]["apiId"]
    assert outputs == {
        "WebSocketURI": "wss://%s.execute-api.us-east-1.amazonaws.com/chat" % ws_id,
        "HttpApiURI": "https://%s.execute-api.us-east-1.amazonaws.com/chat" % http_id,
        "TableName": "chat",
    }
