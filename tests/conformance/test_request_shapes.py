"""Robustness against malformed-but-valid-JSON requests, for every operation.

A buggy client sends well-formed JSON of the wrong shape: a member of the
wrong kind, a member missing or unknown, a broken AttributeValue, a value far
too large or nested far too deep. DynamoDB answers every such request with a
400 and a proper error body (or, when the change happens to still be a valid
request, with a 200); it never answers 500, never crashes and never hangs.

For every operation in emulator/actions/registry.cc (the DynamoDB_20120810.* and
DynamoDBStreams_20120810.* actions) this module starts from one or more valid
request bodies (against tables it creates: a hash-only table with a stream, a
hash+range table with a global and a local secondary index, and scratch tables
for the table-level operations), checks that each base request succeeds, and
then derives and sends mutations of it:

* the whole body replaced by another JSON kind;
* for every member path reachable in the body (dict members and list
  elements, walked to MAX_DEPTH levels): the value replaced by a string, an
  empty string, numbers (zero, negative, fraction, 1e300, 2**64-1), true,
  false, null, [], {}, [{}], a 100 KB string, and structures nested 60 levels
  deep ({"M": ...}, {"L": [...]}, plain lists, plain objects) and 250 levels
  deep (past the server's own nesting guard); the member removed; a list
  element duplicated; a member's name replaced by "" and by a 100 KB name;
* for every dict (the body included): an unknown member added;
* for every AttributeValue: the broken forms in AV_MUTATIONS ({"S": 1},
  {"N": "abc"}, {"N": "1e400"}, {"B": "not base64!"}, {"SS": []}, ...).

Each mutation is sent right after the valid base request, ROUNDS times, and
ACCEPTED_ROUNDS times when the server accepts it (a 200 means it got past
validation into the engine): a server that lets what one request left behind
leak into the next is then caught at the mutation rather than by chance. The
base requests of the table-level operations change the table, so for those a
scratch table is restored after every 200 instead.

Every answer must be a 200 with a JSON object body, or a 400 whose body is a
JSON object with a __type from emulator/api/error.cc (the full namespaced
string) and a non-empty message (Message for SerializationException); both
must carry a correct x-amz-crc32. Anything else (a 500, another status, a
dropped connection, a crash, no answer within TIMEOUT seconds) is reported
with the operation, the path, the mutation, the response and the request, all
failures of one operation in one assertion. After each base request's
mutations the server must still answer ListTables. Finally, a sentinel item
in a table no request names must read back exactly as written (and be the
table's only item), and the module's tables must still be described as they
were created.

The module runs its own emulator, in memory (the mutations commit tens of
thousands of writes), so a crash here cannot disturb other modules; a crashed
(or hung) server is reported, restarted and populated again. Requests go over one
keep-alive connection with an unsigned Authorization header of SigV4 shape
(the emulator reads only the credential scope, see test_http.py).
"""

import base64
import copy
import http.client
import json
import re
import socket
import subprocess
import zlib

import pytest

import support
from support import canon

DDB = "DynamoDB_20120810."
STREAMS = "DynamoDBStreams_20120810."
TIMEOUT = 10.0           # seconds for one answer; longer counts as a hang
MAX_DEPTH = 12           # member paths walked this deep (every path of every base)
MAX_CRASHES = 5          # restarts per operation before its remaining mutations are skipped
ROUNDS = 2               # times each mutation is sent, each time right after the base request
ACCEPTED_ROUNDS = 8      # the same for a mutation the server accepted (answered 200)
REQUEST_SHOWN = 600      # characters of a failing request shown in the report
REGISTRY = support.REPO / "emulator" / "actions" / "registry.cc"

HASH = "shapes-hash"          # id S; stream NEW_AND_OLD_IMAGES
RANGE = "shapes-range"        # pk S / sk N; GSI by-g (g S / sk N), LSI by-l (pk / l S)
SENTINEL = "shapes-sentinel"  # one item, named by no request
DDL = "shapes-ddl"            # recreated after every request that may have changed it
NEW = "shapes-new"            # CreateTable's table, dropped after every request that made it

# __type of every error the emulator can send with a 400 (emulator/api/error.cc).
ERROR_TYPES = {
    "com.amazon.coral.validate#ValidationException",
    "com.amazon.coral.service#SerializationException",
    "com.amazon.coral.service#UnknownOperationException",
    "com.amazon.coral.service#MissingAuthenticationTokenException",
    "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
    "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
    "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
    "com.amazonaws.dynamodb.v20120810#LimitExceededException",
    "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
    "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
    "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException",
    "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException",
    "com.amazonaws.dynamodb.v20120810#TableNotFoundException",
    "com.amazonaws.dynamodb.v20120810#PolicyNotFoundException",
}
MAX_BODY = 16 * 1024 * 1024   # a 413 is acceptable only above this (never sent here)


# --------------------------------------------------------------------------
# mutations
# --------------------------------------------------------------------------

HUGE = "x" * (100 * 1024)


def _nested(levels, leaf, wrap):
    value = leaf
    for _ in range(levels):
        value = wrap(value)
    return value


# Replacement values for any member: (label, JSON text).
VALUES = [
    ("string", json.dumps("mutated-string")),
    ("empty-string", json.dumps("")),
    ("zero", "0"),
    ("negative", "-1"),
    ("fraction", "1.5"),
    ("1e300", "1e300"),
    ("2**64-1", "18446744073709551615"),
    ("true", "true"),
    ("false", "false"),
    ("null", "null"),
    ("empty-list", "[]"),
    ("empty-object", "{}"),
    ("list-of-one-object", "[{}]"),
    ("huge-string-100KB", json.dumps(HUGE)),
    ("nested-M-60", json.dumps(_nested(60, {"S": "x"}, lambda v: {"M": {"a": v}}))),
    ("nested-L-60", json.dumps(_nested(60, {"S": "x"}, lambda v: {"L": [v]}))),
    ("nested-list-60", json.dumps(_nested(60, [], lambda v: [v]))),
    ("nested-object-60", json.dumps(_nested(60, {}, lambda v: {"a": v}))),
    ("nested-list-250", json.dumps(_nested(250, [], lambda v: [v]))),
]

# Broken AttributeValues, tried wherever the base body holds an AttributeValue.
AV_MUTATIONS = [
    {"S": 1},
    {"N": "abc"},
    {"N": "1e400"},
    {"N": "1e126"},
    {"N": ""},
    {"B": "not base64!"},
    {"B": "AAA"},
    {"SS": []},
    {"SS": ["a", "a"]},
    {"NS": ["1", "1.0"]},
    {"BS": ["AA==", "AA=="]},
    {"S": "x", "N": "1"},
    {},
    {"S": None},
    {"X": "y"},
    {"L": "notalist"},
    {"L": [{}]},
    {"M": []},
    {"M": {"a": {"S": 1}}},
    {"BOOL": "true"},
    {"NULL": False},
]
AV_TYPES = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"}

MARK = "\u0000mutation-point\u0000"
MARK_JSON = json.dumps(MARK)
UNKNOWN = "UnknownMemberXyz"


def is_attribute_value(v):
    return isinstance(v, dict) and len(v) == 1 and next(iter(v)) in AV_TYPES


def member_paths(value, path=(), depth=0):
    """(path, value) of every dict member and list element under value."""
    if depth >= MAX_DEPTH:
        return
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield path + (key,), child
        yield from member_paths(child, path + (key,), depth + 1)


def path_text(path):
    if not path:
        return "<body>"
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out


def _parent(doc, path):
    for p in path[:-1]:
        doc = doc[p]
    return doc


def _template(base, path):
    """The base body as JSON text with MARK_JSON where path's value was."""
    doc = copy.deepcopy(base)
    _parent(doc, path)[path[-1]] = MARK
    return json.dumps(doc)


def _edited(base, path, edit):
    doc = copy.deepcopy(base)
    edit(_parent(doc, path), path[-1])
    return json.dumps(doc)


def _rename(new):
    def edit(parent, key):
        # Keep the member order; only the name changes.
        items = list(parent.items())
        parent.clear()
        for k, v in items:
            parent[new if k == key else k] = v
    return edit


def mutations(base):
    """Yields (path, label, body bytes) for every mutation of base (a dict)."""
    for label, text in VALUES:
        yield "<body>", label, text.encode()
    yield "<body>", "empty-body", b""
    yield "<body>", "add-unknown-member", json.dumps({**base, UNKNOWN: "x"}).encode()
    for path, value in member_paths(base):
        where = path_text(path)
        template = _template(base, path)
        for label, text in VALUES:
            yield where, label, template.replace(MARK_JSON, text, 1).encode()
        if is_attribute_value(value):
            for av in AV_MUTATIONS:
                text = json.dumps(av)
                yield where, "AV " + text, template.replace(MARK_JSON, text, 1).encode()
        yield where, "remove", _edited(base, path, lambda parent, key: parent.pop(key)).encode()
        if isinstance(path[-1], str):
            yield where, "rename-to-empty", _edited(base, path, _rename("")).encode()
            yield where, "rename-to-100KB", _edited(base, path, _rename(HUGE)).encode()
        else:
            yield where, "duplicate-element", _edited(
                base, path, lambda parent, i: parent.insert(i, copy.deepcopy(parent[i]))).encode()
        if isinstance(value, dict):
            yield where, "add-unknown-member", template.replace(
                MARK_JSON, json.dumps({**value, UNKNOWN: "x"}), 1).encode()


# Operations without an output shape: DynamoDB answers their success with an empty body.
NO_OUTPUT = {"TagResource", "UntagResource"}


def check_response(status, headers, body, sent, target):
    """None if the answer is acceptable, else what is wrong with it."""
    if status == 413 and sent > MAX_BODY:
        return None
    if status not in (200, 400):
        return "status is neither 200 nor 400"
    crc = headers.get("x-amz-crc32")
    if crc is None or crc != str(zlib.crc32(body)):
        return f"x-amz-crc32 {crc!r} does not match the body"
    if status == 200 and body == b"" and target.split(".")[-1] in NO_OUTPUT:
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        return "body is not JSON"
    if not isinstance(doc, dict):
        return "body is not a JSON object"
    if status == 200:
        return None
    kind = doc.get("__type")
    if kind not in ERROR_TYPES:
        return f"unknown __type {kind!r}"
    message = doc.get("Message" if kind.endswith("#SerializationException") else "message")
    if not isinstance(message, str) or not message:
        return "no message"
    return None


# --------------------------------------------------------------------------
# the wire
# --------------------------------------------------------------------------

class Hang(Exception):
    pass


class Dropped(Exception):
    pass


class Wire:
    """One keep-alive connection to a private emulator; restarts it after a crash
    (and then calls on_restart)."""

    AUTH = (f"AWS4-HMAC-SHA256 Credential={support.ACCESS_KEY}/20250101/{support.REGION}/"
            "dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-target, Signature="
            + "0" * 64)

    def __init__(self, emu, on_restart=None):
        self.emu = emu
        self.conn = None
        self.on_restart = on_restart

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, target, body):
        """(status, headers, body); raises Hang or Dropped."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=TIMEOUT)
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target,
                   "Authorization": self.AUTH}
        try:
            self.conn.request("POST", "/", body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except socket.timeout:
            self.close()
            raise Hang(f"no answer within {TIMEOUT:.0f} s") from None
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise Dropped(f"connection dropped: {e!r}") from None
        if resp.will_close:
            self.close()
        return resp.status, resp.headers, data

    def ok(self, op, body, target=DDB):
        """Send a request that must succeed; returns the parsed answer."""
        status, _, data = self.send(target + op, body)
        assert status == 200, f"{op} {json.dumps(body)[:300]} -> {status} {data[:300]!r}"
        return json.loads(data)

    def revive(self, hung=False):
        """Restart the emulator if it died (or, when hung, kill it first); returns
        its exit code, None if it was alive and not hung."""
        self.close()
        if hung:
            self.emu.kill9()
        try:
            self.emu.proc.wait(timeout=2)  # a dying process may still be exiting
        except subprocess.TimeoutExpired:
            return None
        rc = self.emu.proc.returncode
        self.emu.start()
        if self.on_restart:
            self.on_restart()
        return rc


# --------------------------------------------------------------------------
# tables, items and base requests
# --------------------------------------------------------------------------

def b64(data):
    return base64.b64encode(data).decode()


# One item of every type, in the normalised form the server returns.
RICH = {
    "s": {"S": "h\u00e9llo \u2713"},
    "n": {"N": "-12.5"},
    "b": {"B": b64(b"\x00\x01\xfe\xff")},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b64(b"\x01"), b64(b"\x02")]},
    "l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"k": {"BOOL": False}}}]},
    "m": {"M": {"nest": {"L": [{"S": "deep"}, {"NULL": True}]}, "n": {"N": "3"}}},
}
SENTINEL_ITEM = {"id": {"S": "sentinel"}, **RICH}


def range_item(sk, **extra):
    """An item of RANGE (extra attributes never replace its key or index attributes)."""
    item = {"n": {"N": str(sk * 10)}, **extra}
    item.update({"pk": {"S": "p"}, "sk": {"N": str(sk)}, "g": {"S": "g1"}, "l": {"S": f"l{sk}"}})
    return item


def range_table_request(name):
    return {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "by-g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n"]},
            "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        }],
        "LocalSecondaryIndexes": [{
            "IndexName": "by-l",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
    }


def hash_table_request(name, stream=None):
    body = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if stream:
        body["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    return body


DDL_TABLE = {
    "TableName": DDL,
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                             {"AttributeName": "dg", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    "GlobalSecondaryIndexes": [{
        "IndexName": "ddl-gsi",
        "KeySchema": [{"AttributeName": "dg", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    }],
}


def drop(wire, name):
    status, _, data = wire.send(DDB + "DeleteTable", {"TableName": name})
    assert status == 200 or b"ResourceNotFoundException" in data, data[:300]


def ddl_pristine(ttl=None):
    """A reset: the DDL table as first created (with one item; TTL on `ttl` if given)."""
    def reset(wire):
        drop(wire, DDL)
        wire.ok("CreateTable", DDL_TABLE)
        wire.ok("PutItem", {"TableName": DDL, "Item": {
            "id": {"S": "d1"}, "dg": {"S": "x"}, "gk": {"S": "k"}, "gr": {"N": "1"},
            "expires": {"N": "4102444800"}}})
        if ttl:
            wire.ok("UpdateTimeToLive", {"TableName": DDL, "TimeToLiveSpecification": {
                "Enabled": True, "AttributeName": ttl}})
    return reset


def new_absent(wire):
    drop(wire, NEW)


class Case:
    """A valid base request; `reset` (if any) restores what a 200 may have changed;
    `status` is the base request's answer (GetResourcePolicy's is a 400)."""

    def __init__(self, op, body, target=DDB, reset=None, status=200):
        self.op, self.body, self.target, self.reset = op, body, target, reset
        self.status = status


def build_cases(w):
    """operation -> [Case]; w holds the stream values found at setup."""
    key_h = {"id": {"S": "base-1"}}
    key_r = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    cases = {
        "BatchGetItem": [Case("BatchGetItem", {
            "RequestItems": {
                HASH: {"Keys": [key_h, {"id": {"S": "missing"}}],
                       "ProjectionExpression": "#i, s, m.nest[0], l[2].k",
                       "ExpressionAttributeNames": {"#i": "id"}, "ConsistentRead": True},
                # (AttributesToGet here would mix legacy and expression parameters.)
                RANGE: {"Keys": [key_r], "ProjectionExpression": "pk, sk, n",
                        "ConsistentRead": False},
            },
            "ReturnConsumedCapacity": "TOTAL"})],
        "BatchWriteItem": [Case("BatchWriteItem", {
            "RequestItems": {
                HASH: [{"PutRequest": {"Item": {"id": {"S": "bw-1"}, **RICH}}},
                       {"DeleteRequest": {"Key": {"id": {"S": "bw-2"}}}}],
                RANGE: [{"PutRequest": {"Item": range_item(90, s={"S": "bw"})}}],
            },
            "ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE"})],
        "BatchExecuteStatement": [
            Case("BatchExecuteStatement", {
                "Statements": [
                    {"Statement": f"UPDATE \"{HASH}\" SET n = ? REMOVE gone WHERE id = ?",
                     "Parameters": [{"N": "1"}, {"S": "pq-1"}]},
                    {"Statement": f"DELETE FROM \"{RANGE}\" WHERE pk = 'p' AND sk = 70 "
                                  "AND locked IS MISSING",
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
                ],
                "ReturnConsumedCapacity": "TOTAL"}),
            Case("BatchExecuteStatement", {
                "Statements": [
                    {"Statement": f"SELECT id, m.nest FROM \"{HASH}\" WHERE id = ?",
                     "Parameters": [key_h["id"]], "ConsistentRead": True},
                    {"Statement": f"SELECT * FROM \"{RANGE}\" WHERE pk = 'p' AND sk = 1"},
                ]}),
        ],
        "CreateTable": [
            Case("CreateTable", {
                **range_table_request(NEW),
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
                "Tags": [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": ""}],
            }, reset=new_absent),
            Case("CreateTable", {
                **hash_table_request(NEW),
                "StreamSpecification": {"StreamEnabled": False},
            }, reset=new_absent),
        ],
        "DeleteItem": [
            Case("DeleteItem", {
                "TableName": HASH, "Key": {"id": {"S": "del-1"}},
                "ConditionExpression": "attribute_not_exists(#n) OR #n <> :v",
                "ExpressionAttributeNames": {"#n": "n"},
                "ExpressionAttributeValues": {":v": {"N": "5"}},
                "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL",
                "ReturnItemCollectionMetrics": "SIZE",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
            Case("DeleteItem", {
                "TableName": RANGE, "Key": {"pk": {"S": "p"}, "sk": {"N": "77"}},
                "Expected": {"n": {"ComparisonOperator": "NULL"},
                             "s": {"Exists": True, "Value": {"S": "x"}},
                             "ns": {"ComparisonOperator": "IN",
                                    "AttributeValueList": [{"N": "1"}, {"N": "2"}]}},
                "ConditionalOperator": "OR", "ReturnValues": "NONE"}),
        ],
        "DeleteTable": [Case("DeleteTable", {"TableName": DDL}, reset=ddl_pristine())],
        "DescribeTable": [Case("DescribeTable", {"TableName": RANGE})],
        "DescribeTimeToLive": [Case("DescribeTimeToLive", {"TableName": HASH})],
        "GetItem": [
            Case("GetItem", {
                "TableName": HASH, "Key": key_h,
                "ProjectionExpression": "#i, s, m.nest[1], l[2].k, ss",
                "ExpressionAttributeNames": {"#i": "id"},
                "ConsistentRead": True, "ReturnConsumedCapacity": "TOTAL"}),
            Case("GetItem", {
                "TableName": RANGE, "Key": key_r, "AttributesToGet": ["pk", "n", "g"],
                "ConsistentRead": False, "ReturnConsumedCapacity": "NONE"}),
        ],
        "ListTables": [Case("ListTables", {"ExclusiveStartTableName": "shapes-a", "Limit": 3})],
        "PutItem": [
            Case("PutItem", {
                "TableName": RANGE, "Item": range_item(50, **RICH),
                "ConditionExpression": "attribute_not_exists(pk) OR size(#s) < :big",
                "ExpressionAttributeNames": {"#s": "s"},
                "ExpressionAttributeValues": {":big": {"N": "1000"}},
                "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES",
                "ReturnItemCollectionMetrics": "SIZE",
                "ReturnValuesOnConditionCheckFailure": "NONE"}),
            Case("PutItem", {
                "TableName": HASH, "Item": {"id": {"S": "put-2"}, **RICH},
                "Expected": {"locked": {"Exists": False},
                             "n": {"ComparisonOperator": "BETWEEN",
                                   "AttributeValueList": [{"N": "-100"}, {"N": "100"}]}},
                "ConditionalOperator": "OR", "ReturnValues": "NONE"}),
        ],
        "Query": [
            Case("Query", {
                "TableName": RANGE, "IndexName": "by-l",
                "KeyConditionExpression": "#p = :p AND begins_with(l, :l)",
                "FilterExpression": "attribute_not_exists(locked) AND #n >= :z",
                "ProjectionExpression": "#p, sk, l, #n",
                "ExpressionAttributeNames": {"#p": "pk", "#n": "n"},
                "ExpressionAttributeValues": {":p": {"S": "p"}, ":l": {"S": "l"},
                                              ":z": {"N": "0"}},
                "ExclusiveStartKey": {"pk": {"S": "p"}, "sk": {"N": "1"}, "l": {"S": "l1"}},
                "Select": "SPECIFIC_ATTRIBUTES", "ScanIndexForward": True, "Limit": 2,
                "ConsistentRead": True, "ReturnConsumedCapacity": "INDEXES"}),
            Case("Query", {
                "TableName": RANGE,
                "KeyConditions": {
                    "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
                    "sk": {"ComparisonOperator": "BETWEEN",
                           "AttributeValueList": [{"N": "1"}, {"N": "4"}]}},
                "QueryFilter": {"n": {"ComparisonOperator": "GE",
                                      "AttributeValueList": [{"N": "0"}]},
                                "g": {"ComparisonOperator": "NOT_NULL"}},
                "ConditionalOperator": "AND", "AttributesToGet": ["pk", "sk", "n"],
                "Select": "SPECIFIC_ATTRIBUTES", "ScanIndexForward": False,
                "ReturnConsumedCapacity": "TOTAL"}),
            Case("Query", {
                "TableName": RANGE, "IndexName": "by-g",
                "KeyConditionExpression": "g = :g AND sk > :zero",
                "ExpressionAttributeValues": {":g": {"S": "g1"}, ":zero": {"N": "0"}},
                "Select": "ALL_PROJECTED_ATTRIBUTES", "Limit": 3}),
        ],
        "Scan": [
            Case("Scan", {
                "TableName": RANGE,
                "FilterExpression": "#n BETWEEN :lo AND :hi OR contains(l, :t)",
                "ProjectionExpression": "pk, sk, #n, m.nest",
                "ExpressionAttributeNames": {"#n": "n"},
                "ExpressionAttributeValues": {":lo": {"N": "0"}, ":hi": {"N": "100"},
                                              ":t": {"S": "l"}},
                "Segment": 0, "TotalSegments": 2, "Limit": 10,
                "ReturnConsumedCapacity": "TOTAL"}),
            Case("Scan", {
                "TableName": HASH,
                "ScanFilter": {"s": {"ComparisonOperator": "BEGINS_WITH",
                                     "AttributeValueList": [{"S": "h"}]},
                               "n": {"ComparisonOperator": "IN",
                                     "AttributeValueList": [{"N": "1"}, {"N": "-12.5"}]}},
                "ConditionalOperator": "OR", "AttributesToGet": ["id", "s"],
                "ExclusiveStartKey": key_h, "Select": "SPECIFIC_ATTRIBUTES",
                "ConsistentRead": True}),
            Case("Scan", {"TableName": RANGE, "IndexName": "by-g", "Select": "COUNT"}),
        ],
        "ExecuteStatement": [
            Case("ExecuteStatement", {
                "Statement": f"SELECT pk, sk, m.nest FROM \"{RANGE}\" WHERE pk = ? AND sk > ? "
                             "ORDER BY sk DESC",
                "Parameters": [{"S": "p"}, {"N": "0"}], "Limit": 2, "ConsistentRead": True,
                "ReturnConsumedCapacity": "TOTAL"}),
            Case("ExecuteStatement", {
                "Statement": f"UPDATE \"{HASH}\" SET n = ? WHERE id = ? AND locked IS MISSING",
                "Parameters": [{"N": "2"}, key_h["id"]],
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        ],
        "ExecuteTransaction": [
            Case("ExecuteTransaction", {
                "TransactStatements": [
                    {"Statement": f"EXISTS(SELECT * FROM \"{HASH}\" WHERE id = ? "
                                  "AND locked IS MISSING)",
                     "Parameters": [key_h["id"]], "ReturnValuesOnConditionCheckFailure": "NONE"},
                    {"Statement": f"UPDATE \"{RANGE}\" SET n = 5 SET l = 'l5' "
                                  "WHERE pk = 'p' AND sk = 5"},
                    {"Statement": f"DELETE FROM \"{HASH}\" WHERE id = 'pq-gone'"},
                ],
                "ClientRequestToken": "shapes-pq-token", "ReturnConsumedCapacity": "INDEXES"}),
            Case("ExecuteTransaction", {
                "TransactStatements": [
                    {"Statement": f"SELECT * FROM \"{HASH}\" WHERE id = ?",
                     "Parameters": [key_h["id"]]},
                    {"Statement": f"SELECT sk, l FROM \"{RANGE}\" WHERE pk = 'p' AND sk = 1"},
                ]}),
        ],
        "TransactGetItems": [Case("TransactGetItems", {
            "TransactItems": [
                {"Get": {"TableName": HASH, "Key": key_h, "ProjectionExpression": "#i, m.nest",
                         "ExpressionAttributeNames": {"#i": "id"}}},
                {"Get": {"TableName": RANGE, "Key": key_r}},
            ],
            "ReturnConsumedCapacity": "TOTAL"})],
        "TransactWriteItems": [
            Case("TransactWriteItems", {"TransactItems": _transact_writes(),
                                        "ReturnConsumedCapacity": "TOTAL",
                                        "ReturnItemCollectionMetrics": "SIZE"}),
            Case("TransactWriteItems", {"TransactItems": _transact_writes()[1:2],
                                        "ClientRequestToken": "shapes-token-1"}),
            Case("TransactWriteItems", {"TransactItems": [{"Update": {
                "TableName": RANGE, "Key": {"pk": {"S": "p"}, "sk": {"N": "4"}},
                "UpdateExpression": "REMOVE gone"}}]}),
        ],
        "UpdateItem": [
            Case("UpdateItem", {
                "TableName": RANGE, "Key": {"pk": {"S": "p"}, "sk": {"N": "60"}},
                "UpdateExpression": "SET #c = if_not_exists(#c, :zero) + :one, "
                                    "lst = list_append(if_not_exists(unset, :empty), :l), m = :m "
                                    "ADD ss :ss REMOVE gone DELETE ns :ns",
                "ConditionExpression": "attribute_not_exists(locked)",
                "ExpressionAttributeNames": {"#c": "count"},
                "ExpressionAttributeValues": {":zero": {"N": "0"}, ":one": {"N": "1"},
                                              ":empty": {"L": []}, ":l": {"L": [{"S": "e"}]},
                                              ":m": RICH["m"], ":ss": {"SS": ["a", "b"]},
                                              ":ns": {"NS": ["1"]}},
                "ReturnValues": "ALL_NEW", "ReturnConsumedCapacity": "TOTAL",
                "ReturnItemCollectionMetrics": "SIZE",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
            Case("UpdateItem", {
                "TableName": HASH, "Key": {"id": {"S": "upd-2"}},
                "AttributeUpdates": {"a": {"Action": "PUT", "Value": {"S": "x"}},
                                     "c": {"Action": "ADD", "Value": {"N": "1"}},
                                     "tags": {"Action": "ADD", "Value": {"SS": ["t1", "t2"]}},
                                     "gone": {"Action": "DELETE"}},
                "Expected": {"locked": {"Exists": False}},
                "ReturnValues": "UPDATED_NEW"}),
        ],
        "UpdateTable": [
            Case("UpdateTable", {
                "TableName": DDL, "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 9}},
                reset=ddl_pristine()),
            Case("UpdateTable", {
                "TableName": DDL,
                "AttributeDefinitions": [{"AttributeName": "gk", "AttributeType": "S"},
                                         {"AttributeName": "gr", "AttributeType": "N"}],
                "GlobalSecondaryIndexUpdates": [{"Create": {
                    "IndexName": "by-gk",
                    "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"},
                                  {"AttributeName": "gr", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                }}]}, reset=ddl_pristine()),
            Case("UpdateTable", {
                "TableName": DDL,
                "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "ddl-gsi"}}]},
                reset=ddl_pristine()),
            Case("UpdateTable", {
                "TableName": DDL,
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}},
                reset=ddl_pristine()),
        ],
        "UpdateTimeToLive": [
            Case("UpdateTimeToLive", {"TableName": DDL, "TimeToLiveSpecification": {
                "Enabled": True, "AttributeName": "expires"}}, reset=ddl_pristine()),
            Case("UpdateTimeToLive", {"TableName": DDL, "TimeToLiveSpecification": {
                "Enabled": False, "AttributeName": "expires"}}, reset=ddl_pristine("expires")),
        ],
        "TagResource": [Case("TagResource", {
            "ResourceArn": table_arn(HASH),
            "Tags": [{"Key": "env", "Value": "test"}, {"Key": "ключ", "Value": "a b+c"}]})],
        "UntagResource": [Case("UntagResource", {
            "ResourceArn": table_arn(HASH), "TagKeys": ["gone", "never"]})],
        "ListTagsOfResource": [Case("ListTagsOfResource", {
            "ResourceArn": table_arn(HASH), "NextToken": "x"})],
        "DescribeContinuousBackups": [Case("DescribeContinuousBackups", {"TableName": HASH})],
        "UpdateContinuousBackups": [Case("UpdateContinuousBackups", {
            "TableName": HASH, "PointInTimeRecoverySpecification": {
                "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}})],
        "DescribeEndpoints": [Case("DescribeEndpoints", {})],
        "DescribeLimits": [Case("DescribeLimits", {})],
        "DescribeKinesisStreamingDestination": [Case("DescribeKinesisStreamingDestination", {
            "TableName": table_arn(RANGE)})],
        "DescribeContributorInsights": [Case("DescribeContributorInsights", {
            "TableName": RANGE, "IndexName": "by-g"})],
        "DescribeTableReplicaAutoScaling": [Case("DescribeTableReplicaAutoScaling", {
            "TableName": RANGE})],
        "ListBackups": [Case("ListBackups", {"TableName": RANGE, "Limit": 5,
                                             "BackupType": "ALL"})],
        "GetResourcePolicy": [Case("GetResourcePolicy", {"ResourceArn": table_arn(RANGE)},
                                   status=400)],
        "ListStreams": [Case("ListStreams", {
            "TableName": HASH, "Limit": 5, "ExclusiveStartStreamArn": w["arn"]}, target=STREAMS)],
        "DescribeStream": [
            Case("DescribeStream", {"StreamArn": w["arn"], "Limit": 10,
                                    "ExclusiveStartShardId": w["shard"]}, target=STREAMS),
            Case("DescribeStream", {"StreamArn": w["arn"]}, target=STREAMS),
        ],
        "GetShardIterator": [
            Case("GetShardIterator", {"StreamArn": w["arn"], "ShardId": w["shard"],
                                      "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                      "SequenceNumber": w["seq"]}, target=STREAMS),
            Case("GetShardIterator", {"StreamArn": w["arn"], "ShardId": w["shard"],
                                      "ShardIteratorType": "TRIM_HORIZON"}, target=STREAMS),
        ],
        "GetRecords": [Case("GetRecords", {"ShardIterator": w["iterator"], "Limit": 5},
                            target=STREAMS)],
    }
    return cases


def table_arn(name):
    return f"arn:aws:dynamodb:{support.REGION}:{support.ACCOUNT}:table/{name}"


def _transact_writes():
    return [
        {"ConditionCheck": {"TableName": HASH, "Key": {"id": {"S": "base-1"}},
                            "ConditionExpression": "attribute_exists(#i)",
                            "ExpressionAttributeNames": {"#i": "id"},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Put": {"TableName": RANGE, "Item": range_item(70, **RICH),
                 "ConditionExpression": "attribute_not_exists(locked)"}},
        {"Update": {"TableName": HASH, "Key": {"id": {"S": "tx-upd"}},
                    "UpdateExpression": "SET c = if_not_exists(c, :z) + :one, m = :m",
                    "ExpressionAttributeValues": {":z": {"N": "0"}, ":one": {"N": "1"},
                                                  ":m": RICH["m"]}}},
        {"ConditionCheck": {"TableName": RANGE, "Key": {"pk": {"S": "p"}, "sk": {"N": "2"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Update": {"TableName": RANGE, "Key": {"pk": {"S": "p"}, "sk": {"N": "3"}},
                    "UpdateExpression": "REMOVE gone"}},
        {"Delete": {"TableName": HASH, "Key": {"id": {"S": "tx-del"}},
                    "ConditionExpression": "attribute_not_exists(locked) OR size(id) > :z",
                    "ExpressionAttributeValues": {":z": {"N": "0"}}}},
    ]


# The cases are built at run time (the stream values exist only then); the
# operation list is fixed so that test ids are known at collection.
OPERATIONS = [
    "BatchGetItem", "BatchWriteItem", "CreateTable", "DeleteItem", "DeleteTable",
    "DescribeTable", "DescribeTimeToLive", "GetItem", "ListTables", "PutItem", "Query",
    "Scan", "TransactGetItems", "TransactWriteItems", "UpdateItem", "UpdateTable",
    "UpdateTimeToLive", "DescribeStream", "GetRecords", "GetShardIterator", "ListStreams",
    "TagResource", "UntagResource", "ListTagsOfResource", "DescribeContinuousBackups",
    "UpdateContinuousBackups", "DescribeEndpoints", "DescribeLimits",
    "DescribeKinesisStreamingDestination", "DescribeContributorInsights",
    "DescribeTableReplicaAutoScaling", "ListBackups", "GetResourcePolicy",
    "BatchExecuteStatement", "ExecuteTransaction", "ExecuteStatement",
]
STREAM_OPERATIONS = {"DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"}


def registered_operations():
    """Target prefix + name of every operation in emulator/actions/registry.cc."""
    text = REGISTRY.read_text()
    found = []
    for array, prefix in (("kActions", DDB), ("kStreamActions", STREAMS)):
        block = re.search(array + r"\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
        assert block, f"{array} not found in {REGISTRY}"
        found += [prefix + n for n in re.findall(r'\{"(\w+)",\s*&actions::', block.group(1))]
    return found


def populate(wire):
    """Creates the tables and items; returns build_cases() of the new stream."""
    wire.ok("CreateTable", hash_table_request(HASH, stream="NEW_AND_OLD_IMAGES"))
    wire.ok("CreateTable", range_table_request(RANGE))
    wire.ok("CreateTable", hash_table_request(SENTINEL))
    wire.ok("PutItem", {"TableName": SENTINEL, "Item": SENTINEL_ITEM})
    for key in ("base-1", "del-1", "bw-2", "tx-del", "upd-2"):
        wire.ok("PutItem", {"TableName": HASH, "Item": {"id": {"S": key}, **RICH}})
    for sk in range(1, 6):
        wire.ok("PutItem", {"TableName": RANGE, "Item": range_item(sk)})
    arn = wire.ok("ListStreams", {"TableName": HASH}, STREAMS)["Streams"][0]["StreamArn"]
    shard = wire.ok("DescribeStream", {"StreamArn": arn},
                    STREAMS)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = wire.ok("GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                            "ShardIteratorType": "TRIM_HORIZON"},
                       STREAMS)["ShardIterator"]
    records = wire.ok("GetRecords", {"ShardIterator": iterator}, STREAMS)["Records"]
    seq = records[0]["dynamodb"]["SequenceNumber"]
    ddl_pristine()(wire)
    return build_cases({"arn": arn, "shard": shard, "iterator": iterator, "seq": seq})


class World:
    """The private emulator (in memory: the mutations commit thousands of writes), the
    connection, and the cases. A restarted emulator is populated again."""

    def __init__(self, pool):
        self.emu = pool.start(in_memory=True)
        self.wire = Wire(self.emu, on_restart=self.populate)
        self.cases = {}
        self.populate()

    def populate(self):
        self.cases = populate(self.wire)


@pytest.fixture(scope="module")
def world():
    pool = support.EmulatorPool()
    try:
        w = World(pool)
        yield w
        w.wire.close()
    finally:
        pool.close()


def log_lines(emu):
    """The emulator's log so far, without its startup lines."""
    return [line for line in emu.stderr_text().splitlines()
            if line.strip() and "listening on" not in line]


def test_every_registered_operation_has_a_case():
    covered = {(STREAMS if op in STREAM_OPERATIONS else DDB) + op for op in OPERATIONS}
    registered = set(registered_operations())
    assert registered, "no operations found in the registry"
    assert registered == covered, (
        f"registry without a case: {sorted(registered - covered)}; "
        f"cases without a registry entry: {sorted(covered - registered)}")


class Exchange:
    """Sends requests of one operation and collects every bad answer."""

    def __init__(self, wire, operation):
        self.wire, self.operation = wire, operation
        self.failures, self.sent, self.crashes = [], 0, 0
        self.log_seen = len(log_lines(wire.emu))

    def new_log(self, limit=8):
        """What the emulator logged since the last report, indented ('' if nothing)."""
        lines = log_lines(self.wire.emu)
        fresh, self.log_seen = lines[self.log_seen:], len(lines)
        return "".join("\n    log: " + line[:300] for line in fresh[-limit:])

    def send(self, what, target, payload):
        """The answer's status, or None if it was bad (the failure is recorded)."""
        self.sent += 1
        try:
            status, headers, data = self.wire.send(target, payload)
        except (Hang, Dropped) as e:
            hung = isinstance(e, Hang)
            rc = self.wire.revive(hung=hung)
            died = ("; server killed and restarted" if hung else
                    f"; server died (exit code {rc}), restarted" if rc is not None else "")
            self.failures.append(f"{what}: {e}{died}; request {payload[:REQUEST_SHOWN]!r}"
                                 f"{self.new_log()}")
            self.crashes += 1
            return None
        problem = check_response(status, headers, data, len(payload), target)
        if problem:
            self.failures.append(f"{what}: {problem}; status {status}, body {data[:200]!r}; "
                                 f"request {payload[:REQUEST_SHOWN]!r}{self.new_log()}")
            return None
        return status

    def alive(self, what):
        try:
            status, _, data = self.wire.send(DDB + "ListTables", b"{}")
            if status == 200 and self.wire.emu.running():
                return
        except (Hang, Dropped) as e:
            data = str(e).encode()
        rc = self.wire.revive(hung=self.wire.emu.running())
        self.failures.append(f"{what}: ListTables failed: {data[:200]!r} (exit code {rc})"
                             f"{self.new_log()}")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_malformed_requests_get_clean_answers(world, operation):
    ex = Exchange(world.wire, operation)
    for number, case in enumerate(world.cases[operation]):
        name = f"{operation}#{number + 1}"
        target, base = case.target + case.op, json.dumps(case.body).encode()
        if case.reset:
            case.reset(ex.wire)
        status, _, data = ex.wire.send(target, base)
        assert status == case.status, f"{name} base request: {status} {data[:300]!r}"
        dirty = True
        for path, label, payload in mutations(case.body):
            what = f"{name} {path} <- {label}"
            # A request whose 200 may change what the next one sees resets first.
            # The others each follow the valid base request, ROUNDS times (and
            # ACCEPTED_ROUNDS times when the server accepts the mutation, which then
            # gets past validation into the engine): a server that lets one
            # request's leftovers leak into the next is caught at the mutation.
            rounds = 1 if case.reset else ROUNDS
            done = 0
            while done < rounds:
                done += 1
                if case.reset:
                    if dirty:
                        case.reset(ex.wire)
                elif ex.send(f"{name} base request after an earlier mutation", target,
                             base) is None:
                    break
                status = ex.send(what, target, payload)
                dirty = status != 400
                if status is None:
                    break
                if status == 200 and not case.reset:
                    rounds = ACCEPTED_ROUNDS
            if ex.crashes >= MAX_CRASHES:
                ex.failures.append(f"{name}: {ex.crashes} hangs or crashes, "
                                   f"the remaining mutations were skipped")
                break
        ex.alive(f"{name} after its mutations")
        if ex.crashes >= MAX_CRASHES:
            break
        if case.reset:
            case.reset(ex.wire)
    assert not ex.failures, (f"{len(ex.failures)} bad answers to {ex.sent} {operation} "
                             f"requests:\n" + "\n".join(ex.failures))


def test_state_survives_the_mutations(world):
    wire = world.wire
    got = wire.ok("GetItem", {"TableName": SENTINEL, "Key": {"id": {"S": "sentinel"}},
                              "ConsistentRead": True})
    assert canon(got.get("Item")) == canon(SENTINEL_ITEM)
    scan = wire.ok("Scan", {"TableName": SENTINEL, "ConsistentRead": True})
    assert scan["Count"] == 1, scan
    described = {}
    for name in (HASH, RANGE, SENTINEL, DDL):
        described[name] = wire.ok("DescribeTable", {"TableName": name})["Table"]
    assert described[SENTINEL]["ItemCount"] == 1
    rng = described[RANGE]
    assert rng["KeySchema"] == range_table_request(RANGE)["KeySchema"]
    assert [i["IndexName"] for i in rng["GlobalSecondaryIndexes"]] == ["by-g"]
    assert [i["IndexName"] for i in rng["LocalSecondaryIndexes"]] == ["by-l"]
    assert described[HASH]["StreamSpecification"] == {"StreamEnabled": True,
                                                      "StreamViewType": "NEW_AND_OLD_IMAGES"}
    names = wire.ok("ListTables", {})["TableNames"]
    assert {HASH, RANGE, SENTINEL} <= set(names), names
