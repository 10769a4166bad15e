// The AWS SDK for JavaScript v3, unchanged, against the emulator.
//
// Run by tests/conformance/test_js_sdk.py, or by hand:
//   EMULATOR_ENDPOINT=http://127.0.0.1:8000 node --test tests/js/
//
// Every run uses an access key of its own, so it starts from an empty
// namespace (the emulator keeps tables per access key and region) and the
// exact-count assertions below hold even on an emulator that other clients use.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import {
  DynamoDBClient,
  DynamoDBServiceException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  GetItemCommand,
  QueryCommand as LowLevelQueryCommand,
  UpdateTimeToLiveCommand,
  DescribeTimeToLiveCommand,
  ConditionalCheckFailedException,
  ResourceNotFoundException,
  TransactionCanceledException,
  paginateListTables,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  NumberValue,
  PutCommand,
  GetCommand,
  UpdateCommand,
  DeleteCommand,
  QueryCommand,
  ScanCommand,
  BatchWriteCommand,
  BatchGetCommand,
  TransactWriteCommand,
  paginateQuery,
  paginateScan,
} from "@aws-sdk/lib-dynamodb";
import {
  DynamoDBStreamsClient,
  DescribeStreamCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
} from "@aws-sdk/client-dynamodb-streams";

const ENDPOINT = process.env.EMULATOR_ENDPOINT;
if (!ENDPOINT) {
  throw new Error("set EMULATOR_ENDPOINT (e.g. http://127.0.0.1:8000) to the emulator under test");
}
const REGION = "us-east-1";
const RUN = randomBytes(8).toString("hex").toUpperCase();

function clientConfig(accessKeyId) {
  return {
    endpoint: ENDPOINT,
    region: REGION,
    credentials: { accessKeyId, secretAccessKey: "js-sdk-secret" },
    // One attempt: an error the emulator returns must reach the test as is,
    // not be hidden (or repeated) by the SDK's retries.
    maxAttempts: 1,
  };
}

const ACCESS_KEY = `AKIDJS${RUN}`;
const ddb = new DynamoDBClient(clientConfig(ACCESS_KEY));
const doc = DynamoDBDocumentClient.from(ddb);
const streams = new DynamoDBStreamsClient(clientConfig(ACCESS_KEY));
const WAITER = { client: ddb, maxWaitTime: 20, minDelay: 1, maxDelay: 2 };

const MAIN = `js-main-${RUN}`;
let mainCreateOutput;
let mainWaiterResult;

before(async () => {
  mainCreateOutput = await ddb.send(new CreateTableCommand({
    TableName: MAIN,
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "N" },
      { AttributeName: "gpk", AttributeType: "S" },
      { AttributeName: "gsk", AttributeType: "N" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: "byGroup",
      KeySchema: [
        { AttributeName: "gpk", KeyType: "HASH" },
        { AttributeName: "gsk", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    }],
    BillingMode: "PAY_PER_REQUEST",
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
  }));
  mainWaiterResult = await waitUntilTableExists(WAITER, { TableName: MAIN });
});

after(() => {
  ddb.destroy();
  streams.destroy();
});

// -- helpers ------------------------------------------------------------------

/** Await `promise`, expect it to reject with an SDK error called `name`
 * (HTTP 400, client fault) and, when given, exactly `message`. Returns it. */
async function rejectsWith(promise, name, message) {
  let err;
  try {
    const out = await promise;
    assert.fail(`expected ${name}, but the call succeeded: ${JSON.stringify(out)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  assert.equal(err.name, name, `error name (message: ${err.message})`);
  assert.ok(err instanceof DynamoDBServiceException || err.$metadata,
    `not an SDK service exception: ${err}`);
  assert.equal(err.$metadata?.httpStatusCode, 400, "HTTP status");
  assert.equal(err.$fault, "client");
  if (message !== undefined) assert.equal(err.message, message);
  return err;
}

async function createTable(name, { hash = ["id", "S"], range, stream, client = ddb } = {}) {
  const defs = [{ AttributeName: hash[0], AttributeType: hash[1] }];
  const schema = [{ AttributeName: hash[0], KeyType: "HASH" }];
  if (range) {
    defs.push({ AttributeName: range[0], AttributeType: range[1] });
    schema.push({ AttributeName: range[0], KeyType: "RANGE" });
  }
  const input = {
    TableName: name, AttributeDefinitions: defs, KeySchema: schema, BillingMode: "PAY_PER_REQUEST",
  };
  if (stream) input.StreamSpecification = { StreamEnabled: true, StreamViewType: stream };
  const out = await client.send(new CreateTableCommand(input));
  await waitUntilTableExists({ ...WAITER, client }, { TableName: name });
  return out.TableDescription;
}

/** BatchWrite all puts, 25 a request, resending anything unprocessed. */
async function putAll(table, items) {
  for (let i = 0; i < items.length; i += 25) {
    let request = { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
    for (let round = 0; Object.keys(request).length > 0; round++) {
      assert.ok(round < 10, "BatchWrite keeps returning UnprocessedItems");
      const out = await doc.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems ?? {};
    }
  }
}

async function collect(paginator) {
  const pages = [];
  for await (const page of paginator) pages.push(page);
  return pages;
}

const bySk = (a, b) => a.sk - b.sk;

// -- tables -------------------------------------------------------------------

test("CreateTable with a GSI and a stream, waitUntilTableExists, DescribeTable", async () => {
  const created = mainCreateOutput.TableDescription;
  assert.equal(created.TableName, MAIN);
  assert.ok(["CREATING", "ACTIVE"].includes(created.TableStatus), created.TableStatus);
  assert.equal(mainWaiterResult.state, "SUCCESS");

  const { Table: t } = await ddb.send(new DescribeTableCommand({ TableName: MAIN }));
  assert.equal(t.TableName, MAIN);
  assert.equal(t.TableStatus, "ACTIVE");
  assert.deepEqual(t.KeySchema, [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ]);
  const defs = [...t.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName));
  assert.deepEqual(defs, [
    { AttributeName: "gpk", AttributeType: "S" },
    { AttributeName: "gsk", AttributeType: "N" },
    { AttributeName: "pk", AttributeType: "S" },
    { AttributeName: "sk", AttributeType: "N" },
  ]);
  assert.equal(t.BillingModeSummary?.BillingMode, "PAY_PER_REQUEST");
  assert.equal(t.ItemCount, 0);
  assert.ok(t.CreationDateTime instanceof Date, "CreationDateTime is parsed as a Date");
  assert.ok(Math.abs(t.CreationDateTime.getTime() - Date.now()) < 120_000, `${t.CreationDateTime}`);
  assert.match(t.TableArn, new RegExp(`^arn:aws:dynamodb:us-east-1:[0-9]{12}:table/${MAIN}$`));

  assert.equal(t.GlobalSecondaryIndexes?.length, 1);
  const gsi = t.GlobalSecondaryIndexes[0];
  assert.equal(gsi.IndexName, "byGroup");
  assert.deepEqual(gsi.KeySchema, [
    { AttributeName: "gpk", KeyType: "HASH" },
    { AttributeName: "gsk", KeyType: "RANGE" },
  ]);
  assert.deepEqual(gsi.Projection, { ProjectionType: "ALL" });
  assert.equal(gsi.IndexStatus, "ACTIVE");
  assert.equal(gsi.IndexArn, `${t.TableArn}/index/byGroup`);

  assert.deepEqual(t.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
  assert.ok(t.LatestStreamLabel, "LatestStreamLabel");
  assert.equal(t.LatestStreamArn, `${t.TableArn}/stream/${t.LatestStreamLabel}`);
  assert.equal(created.LatestStreamArn, t.LatestStreamArn);

  const listed = await ddb.send(new ListTablesCommand({}));
  assert.ok(listed.TableNames.includes(MAIN), JSON.stringify(listed.TableNames));
});

test("ListTables pages in name order; DeleteTable and waitUntilTableNotExists", async () => {
  // A namespace of its own, so the listing is exact.
  const own = new DynamoDBClient(clientConfig(`AKIDJSLIST${RUN}`));
  try {
    for (const n of ["lt-c", "lt-a", "lt-b"]) await createTable(n, { client: own });
    const all = await own.send(new ListTablesCommand({}));
    assert.deepEqual(all.TableNames, ["lt-a", "lt-b", "lt-c"]);
    assert.equal(all.LastEvaluatedTableName, undefined);

    const pages = await collect(paginateListTables({ client: own, pageSize: 2 }, {}));
    assert.deepEqual(pages.map((p) => p.TableNames), [["lt-a", "lt-b"], ["lt-c"]]);
    assert.equal(pages[0].LastEvaluatedTableName, "lt-b");

    const deleted = await own.send(new DeleteTableCommand({ TableName: "lt-a" }));
    assert.equal(deleted.TableDescription.TableName, "lt-a");
    const gone = await waitUntilTableNotExists({ ...WAITER, client: own }, { TableName: "lt-a" });
    assert.equal(gone.state, "SUCCESS");
    assert.deepEqual((await own.send(new ListTablesCommand({}))).TableNames, ["lt-b", "lt-c"]);
    await rejectsWith(own.send(new DescribeTableCommand({ TableName: "lt-a" })),
      "ResourceNotFoundException", "Requested resource not found: Table: lt-a not found");

    // The main namespace does not see these tables.
    const main = await ddb.send(new ListTablesCommand({}));
    assert.ok(!main.TableNames.includes("lt-b"), JSON.stringify(main.TableNames));
  } finally {
    own.destroy();
  }
});

// -- DocumentClient items ----------------------------------------------------------

const ORIGINAL = Object.freeze({
  pk: "doc",
  sk: 1,
  str: "héllo, wörld ☃ 𝄞",
  emptyStr: "",
  int: 42,
  neg: -17,
  float: 3.25,
  tenth: 0.1,
  zero: 0,
  maxSafe: Number.MAX_SAFE_INTEGER,
  yes: true,
  no: false,
  nothing: null,
  map: { a: 1, b: { c: "deep", d: [1, "two", false, null] }, e: {} },
  list: [1, "x", { y: 2 }, [3, 4], []],
  tags: new Set(["red", "green", "blue"]),
  nums: new Set([1, 2, 3]),
  bin: new Uint8Array([0, 1, 2, 127, 128, 253, 254, 255]),
  bins: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
});

const DOC_KEY = { pk: "doc", sk: 1 };

test("DocumentClient Put/Get round-trips native JS values exactly", async () => {
  const put = await doc.send(new PutCommand({ TableName: MAIN, Item: ORIGINAL }));
  assert.equal(put.Attributes, undefined);
  assert.equal(put.$metadata.httpStatusCode, 200);

  const got = await doc.send(new GetCommand({ TableName: MAIN, Key: DOC_KEY, ConsistentRead: true }));
  assert.deepEqual(got.Item, { ...ORIGINAL });

  const projected = await doc.send(new GetCommand({
    TableName: MAIN,
    Key: DOC_KEY,
    ProjectionExpression: "#m.b.c, #l[2].y, tags, bin",
    ExpressionAttributeNames: { "#m": "map", "#l": "list" },
  }));
  assert.deepEqual(projected.Item, {
    map: { b: { c: "deep" } },
    list: [{ y: 2 }],
    tags: new Set(["red", "green", "blue"]),
    bin: new Uint8Array([0, 1, 2, 127, 128, 253, 254, 255]),
  });

  const missing = await doc.send(new GetCommand({ TableName: MAIN, Key: { pk: "doc", sk: 999 } }));
  assert.equal(missing.Item, undefined);
});

test("UpdateCommand SET/ADD/REMOVE/DELETE with ReturnValues ALL_NEW, UPDATED_OLD, UPDATED_NEW; Delete ALL_OLD", async () => {
  await doc.send(new PutCommand({ TableName: MAIN, Item: ORIGINAL }));
  const updated = await doc.send(new UpdateCommand({
    TableName: MAIN,
    Key: DOC_KEY,
    UpdateExpression:
      "SET #s = :s, #m.b.c = :c, #l[1] = :x, #cnt = if_not_exists(#cnt, :zero) + :one, " +
      "#m.b.d = list_append(#m.b.d, :more) " +
      "ADD nums :addNums, #i :five " +
      "REMOVE nothing, #m.a, emptyStr " +
      "DELETE tags :delTags",
    ExpressionAttributeNames: { "#s": "str", "#m": "map", "#l": "list", "#cnt": "counter", "#i": "int" },
    ExpressionAttributeValues: {
      ":s": "updated",
      ":c": "deeper",
      ":x": "X",
      ":zero": 0,
      ":one": 1,
      ":more": ["three", 4],
      ":addNums": new Set([3, 10]),
      ":five": 5,
      ":delTags": new Set(["red", "purple"]),
    },
    ReturnValues: "ALL_NEW",
  }));
  const { nothing, emptyStr, ...rest } = ORIGINAL;
  const expected = {
    ...rest,
    str: "updated",
    int: 47,
    counter: 1,
    map: { b: { c: "deeper", d: [1, "two", false, null, "three", 4] }, e: {} },
    list: [1, "X", { y: 2 }, [3, 4], []],
    nums: new Set([1, 2, 3, 10]),
    tags: new Set(["green", "blue"]),
  };
  assert.deepEqual(updated.Attributes, expected);
  assert.deepEqual((await doc.send(new GetCommand({ TableName: MAIN, Key: DOC_KEY }))).Item, expected);

  const old = await doc.send(new UpdateCommand({
    TableName: MAIN, Key: DOC_KEY,
    UpdateExpression: "SET #i = #i - :one, #cnt = #cnt + :one",
    ExpressionAttributeNames: { "#i": "int", "#cnt": "counter" },
    ExpressionAttributeValues: { ":one": 1 },
    ReturnValues: "UPDATED_OLD",
  }));
  assert.deepEqual(old.Attributes, { int: 47, counter: 1 });
  const fresh = await doc.send(new UpdateCommand({
    TableName: MAIN, Key: DOC_KEY,
    UpdateExpression: "SET #i = #i - :one",
    ExpressionAttributeNames: { "#i": "int" },
    ExpressionAttributeValues: { ":one": 1 },
    ReturnValues: "UPDATED_NEW",
  }));
  assert.deepEqual(fresh.Attributes, { int: 45 });

  const deleted = await doc.send(new DeleteCommand({ TableName: MAIN, Key: DOC_KEY, ReturnValues: "ALL_OLD" }));
  assert.deepEqual(deleted.Attributes, { ...expected, int: 45, counter: 2 });
  const afterDelete = await doc.send(new GetCommand({ TableName: MAIN, Key: DOC_KEY, ConsistentRead: true }));
  assert.equal(afterDelete.Item, undefined);
  const again = await doc.send(new DeleteCommand({ TableName: MAIN, Key: DOC_KEY, ReturnValues: "ALL_OLD" }));
  assert.equal(again.Attributes, undefined);
});

// DynamoDB keeps 38 significant digits and trims leading and trailing zeroes
// (developer guide, "Naming rules and data types", Number).
test("numbers keep 38 digits and are normalised (NumberValue, wrapNumbers)", async () => {
  // A base client of its own: DynamoDBDocumentClient.from() stores its
  // translateConfig on the wrapped client's config, shared by every wrapper.
  const base = new DynamoDBClient(clientConfig(ACCESS_KEY));
  const precise = DynamoDBDocumentClient.from(base, { unmarshallOptions: { wrapNumbers: true } });
  try {
  await precise.send(new PutCommand({
    TableName: MAIN,
    Item: {
      pk: "precise",
      sk: 1,
      huge: NumberValue.from("12345678901234567890123456789012345678"),
      padded: NumberValue.from("0012.3400"),
    },
  }));
  const { Item } = await precise.send(new GetCommand({ TableName: MAIN, Key: { pk: "precise", sk: 1 } }));
  assert.ok(Item.huge instanceof NumberValue, "wrapNumbers gives NumberValue");
  assert.deepEqual(
    Object.fromEntries(Object.entries(Item).map(([k, v]) => [k, v instanceof NumberValue ? v.toString() : v])),
    {
      pk: "precise",
      sk: "1",
      huge: "12345678901234567890123456789012345678",
      padded: "12.34",
    },
  );
  } finally {
    base.destroy();
  }
});

// -- errors --------------------------------------------------------------------

test("PutCommand with a failing ConditionExpression: ConditionalCheckFailedException, Item with ALL_OLD", async () => {
  const key = { pk: "cond", sk: 1 };
  await doc.send(new PutCommand({ TableName: MAIN, Item: { ...key, v: "first", n: 1 } }));

  const err = await rejectsWith(doc.send(new PutCommand({
    TableName: MAIN,
    Item: { ...key, v: "second" },
    ConditionExpression: "attribute_not_exists(pk)",
  })), "ConditionalCheckFailedException", "The conditional request failed");
  assert.ok(err instanceof ConditionalCheckFailedException);
  assert.equal(err.Item, undefined);

  const withOld = await rejectsWith(doc.send(new PutCommand({
    TableName: MAIN,
    Item: { ...key, v: "third" },
    ConditionExpression: "attribute_not_exists(pk)",
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  })), "ConditionalCheckFailedException", "The conditional request failed");
  assert.ok(withOld instanceof ConditionalCheckFailedException);
  // The DocumentClient does not unmarshall errors: Item is in AttributeValue form.
  assert.deepEqual(withOld.Item, { pk: { S: "cond" }, sk: { N: "1" }, v: { S: "first" }, n: { N: "1" } });

  const upd = await rejectsWith(doc.send(new UpdateCommand({
    TableName: MAIN,
    Key: key,
    UpdateExpression: "SET v = :v",
    ConditionExpression: "n > :lim",
    ExpressionAttributeValues: { ":v": "fourth", ":lim": 1 },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  })), "ConditionalCheckFailedException", "The conditional request failed");
  assert.deepEqual(upd.Item, { pk: { S: "cond" }, sk: { N: "1" }, v: { S: "first" }, n: { N: "1" } });

  const got = await doc.send(new GetCommand({ TableName: MAIN, Key: key, ConsistentRead: true }));
  assert.deepEqual(got.Item, { ...key, v: "first", n: 1 });

  // A condition that holds lets the write through.
  await doc.send(new PutCommand({
    TableName: MAIN, Item: { ...key, v: "fifth" },
    ConditionExpression: "v = :was", ExpressionAttributeValues: { ":was": "first" },
  }));
  assert.deepEqual((await doc.send(new GetCommand({ TableName: MAIN, Key: key }))).Item, { ...key, v: "fifth" });
});

test("ResourceNotFoundException for GetItem on a missing table", async () => {
  const err = await rejectsWith(ddb.send(new GetItemCommand({
    TableName: `no-such-table-${RUN}`,
    Key: { id: { S: "x" } },
  })), "ResourceNotFoundException", "Requested resource not found");
  assert.ok(err instanceof ResourceNotFoundException);
});

test("ValidationException for a bad KeyConditionExpression and a consistent GSI query", async () => {
  await rejectsWith(doc.send(new QueryCommand({
    TableName: MAIN,
    KeyConditionExpression: "sk = :s",
    ExpressionAttributeValues: { ":s": 1 },
  })), "ValidationException", "Query condition missed key schema element: pk");

  await rejectsWith(ddb.send(new LowLevelQueryCommand({
    TableName: MAIN,
    KeyConditionExpression: "pk = :p AND sk = :s",
    ExpressionAttributeValues: { ":p": { S: "x" } },
  })), "ValidationException",
  "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :s");

  await rejectsWith(doc.send(new QueryCommand({
    TableName: MAIN,
    IndexName: "byGroup",
    KeyConditionExpression: "gpk = :g",
    ExpressionAttributeValues: { ":g": "x" },
    ConsistentRead: true,
  })), "ValidationException", "Consistent reads are not supported on global secondary indexes");
});

// -- Query, Scan ---------------------------------------------------------------

test("paginateQuery over 250 items of ~1 KB, Limit 40, both directions; Select COUNT", async () => {
  const N = 250;
  const items = Array.from({ length: N }, (_, i) => ({
    pk: "page",
    sk: i,
    payload: `${String(i).padStart(4, "0")}:`.padEnd(1000, String.fromCharCode(97 + (i % 26))),
  }));
  await putAll(MAIN, items);

  for (const forward of [true, false]) {
    const pages = await collect(paginateQuery({ client: doc, pageSize: 40 }, {
      TableName: MAIN,
      KeyConditionExpression: "pk = :p",
      ExpressionAttributeValues: { ":p": "page" },
      ScanIndexForward: forward,
    }));
    const label = forward ? "ascending" : "descending";
    assert.deepEqual(pages.map((p) => p.Items.length), [40, 40, 40, 40, 40, 40, 10], label);
    for (const [i, p] of pages.entries()) {
      assert.equal(p.Count, p.Items.length);
      assert.equal(p.ScannedCount, p.Items.length);
      if (i < pages.length - 1) {
        const last = p.Items.at(-1);
        assert.deepEqual(p.LastEvaluatedKey, { pk: "page", sk: last.sk }, `${label} page ${i}`);
      } else {
        assert.equal(p.LastEvaluatedKey, undefined, `${label} last page`);
      }
    }
    const got = pages.flatMap((p) => p.Items);
    const want = forward ? items : [...items].reverse();
    // Numeric order (9 before 10), every item once, payload intact.
    assert.deepEqual(got.map((x) => x.sk), want.map((x) => x.sk), label);
    assert.deepEqual(got, want, label);
  }

  const between = await doc.send(new QueryCommand({
    TableName: MAIN,
    KeyConditionExpression: "pk = :p AND sk BETWEEN :lo AND :hi",
    ExpressionAttributeValues: { ":p": "page", ":lo": 95, ":hi": 105 },
    ProjectionExpression: "sk",
  }));
  assert.deepEqual(between.Items, [95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105].map((sk) => ({ sk })));

  const counted = await doc.send(new QueryCommand({
    TableName: MAIN,
    KeyConditionExpression: "pk = :p AND sk >= :lo",
    ExpressionAttributeValues: { ":p": "page", ":lo": 200 },
    Select: "COUNT",
  }));
  assert.equal(counted.Count, 50);
  assert.equal(counted.ScannedCount, 50);
  assert.equal(counted.Items, undefined);
  assert.equal(counted.LastEvaluatedKey, undefined);
});

test("Query on a GSI: key condition, order, LastEvaluatedKey with index and table keys, sparse index", async () => {
  const rows = [
    { pk: "gsi-src", sk: 1, gpk: "team-a", gsk: 30, who: "ann" },
    { pk: "gsi-src", sk: 2, gpk: "team-b", gsk: 10, who: "bob" },
    { pk: "gsi-src", sk: 3, gpk: "team-a", gsk: 10, who: "cid" },
    { pk: "gsi-other", sk: 4, gpk: "team-a", gsk: 20, who: "dee" },
    { pk: "gsi-src", sk: 5, gpk: "team-a", gsk: 50, who: "eve" },
    { pk: "gsi-src", sk: 6, gpk: "team-a", who: "fay" }, // no gsk: not in the index
  ];
  await putAll(MAIN, rows);

  const all = await doc.send(new QueryCommand({
    TableName: MAIN,
    IndexName: "byGroup",
    KeyConditionExpression: "gpk = :g",
    ExpressionAttributeValues: { ":g": "team-a" },
  }));
  assert.deepEqual(all.Items.map((x) => x.who), ["cid", "dee", "ann", "eve"]);
  assert.deepEqual(all.Items[0], rows[2]);

  const pages = {
    TableName: MAIN,
    IndexName: "byGroup",
    KeyConditionExpression: "gpk = :g AND gsk BETWEEN :lo AND :hi",
    ExpressionAttributeValues: { ":g": "team-a", ":lo": 15, ":hi": 60 },
    ScanIndexForward: false,
    Limit: 2,
  };
  const page = await doc.send(new QueryCommand(pages));
  assert.deepEqual(page.Items.map((x) => x.who), ["eve", "ann"]);
  assert.deepEqual(page.LastEvaluatedKey, { gpk: "team-a", gsk: 30, pk: "gsi-src", sk: 1 });
  const rest = await doc.send(new QueryCommand({ ...pages, ExclusiveStartKey: page.LastEvaluatedKey }));
  assert.deepEqual(rest.Items.map((x) => x.who), ["dee"]);
  assert.equal(rest.LastEvaluatedKey, undefined);
});

test("Scan with FilterExpression, paginateScan, Select COUNT", async () => {
  const table = `js-scan-${RUN}`;
  await createTable(table);
  const items = Array.from({ length: 30 }, (_, n) => ({ id: `i${n}`, n, even: n % 2 === 0 }));
  await putAll(table, items);

  const filter = {
    FilterExpression: "n >= :min AND even = :t",
    ExpressionAttributeValues: { ":min": 10, ":t": true },
  };
  const wanted = items.filter((x) => x.n >= 10 && x.even);
  assert.equal(wanted.length, 10);

  const scanned = await doc.send(new ScanCommand({ TableName: table, ...filter }));
  assert.equal(scanned.Count, 10);
  assert.equal(scanned.ScannedCount, 30);
  assert.equal(scanned.LastEvaluatedKey, undefined);
  assert.deepEqual([...scanned.Items].sort((a, b) => a.n - b.n), wanted);

  const pages = await collect(paginateScan({ client: doc, pageSize: 7 }, { TableName: table, ...filter }));
  assert.deepEqual(pages.map((p) => p.ScannedCount), [7, 7, 7, 7, 2]);
  assert.equal(pages.reduce((s, p) => s + p.Count, 0), 10);
  const paged = pages.flatMap((p) => p.Items).sort((a, b) => a.n - b.n);
  assert.deepEqual(paged, wanted);

  const counted = await doc.send(new ScanCommand({ TableName: table, Select: "COUNT", ...filter }));
  assert.equal(counted.Count, 10);
  assert.equal(counted.ScannedCount, 30);
  assert.equal(counted.Items, undefined);
});

// -- batches -------------------------------------------------------------------------

test("BatchWriteCommand of 25 items and BatchGetCommand of them", async () => {
  const items = Array.from({ length: 25 }, (_, i) => ({
    pk: "batch",
    sk: i,
    label: `item ${i}`,
    odd: i % 2 === 1,
    parts: [i, `${i}`],
  }));
  const out = await doc.send(new BatchWriteCommand({
    RequestItems: { [MAIN]: items.map((Item) => ({ PutRequest: { Item } })) },
  }));
  assert.equal(Object.keys(out.UnprocessedItems ?? {}).length, 0, JSON.stringify(out.UnprocessedItems));

  const keys = items.map(({ pk, sk }) => ({ pk, sk })).reverse();
  const got = await doc.send(new BatchGetCommand({ RequestItems: { [MAIN]: { Keys: keys } } }));
  assert.deepEqual(Object.keys(got.Responses), [MAIN]);
  assert.deepEqual([...got.Responses[MAIN]].sort(bySk), items);
  assert.equal(Object.keys(got.UnprocessedKeys ?? {}).length, 0, JSON.stringify(got.UnprocessedKeys));

  // Deletes and puts mixed in one batch; a projection on the read.
  const mixed = await doc.send(new BatchWriteCommand({
    RequestItems: {
      [MAIN]: [
        ...items.filter((x) => x.odd).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })),
        { PutRequest: { Item: { pk: "batch", sk: 0, label: "replaced" } } },
      ],
    },
  }));
  assert.equal(Object.keys(mixed.UnprocessedItems ?? {}).length, 0);
  const again = await doc.send(new BatchGetCommand({
    RequestItems: {
      [MAIN]: { Keys: keys, ProjectionExpression: "sk, label", ConsistentRead: true },
    },
  }));
  assert.deepEqual(
    [...again.Responses[MAIN]].sort(bySk),
    items.filter((x) => !x.odd).map(({ sk, label }) => ({ sk, label: sk === 0 ? "replaced" : label })),
  );
});

// -- transactions -----------------------------------------------------------------

test("TransactWriteCommand commits all four kinds of action; a cancelled one writes nothing", async () => {
  await putAll(MAIN, [
    { pk: "tx", sk: 2, n: 1 },
    { pk: "tx", sk: 3, v: "checked" },
    { pk: "tx", sk: 4, v: "doomed" },
  ]);
  const ok = await doc.send(new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: MAIN, Item: { pk: "tx", sk: 1, v: "new" }, ConditionExpression: "attribute_not_exists(pk)" } },
      {
        Update: {
          TableName: MAIN, Key: { pk: "tx", sk: 2 },
          UpdateExpression: "SET n = n + :one", ConditionExpression: "n = :one",
          ExpressionAttributeValues: { ":one": 1 },
        },
      },
      { ConditionCheck: { TableName: MAIN, Key: { pk: "tx", sk: 3 }, ConditionExpression: "attribute_exists(v)" } },
      { Delete: { TableName: MAIN, Key: { pk: "tx", sk: 4 } } },
    ],
  }));
  assert.equal(ok.$metadata.httpStatusCode, 200);
  const state = async () => (await doc.send(new QueryCommand({
    TableName: MAIN, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": "tx" },
    ConsistentRead: true,
  }))).Items;
  const committed = [
    { pk: "tx", sk: 1, v: "new" },
    { pk: "tx", sk: 2, n: 2 },
    { pk: "tx", sk: 3, v: "checked" },
  ];
  assert.deepEqual(await state(), committed);

  const err = await rejectsWith(doc.send(new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: MAIN, Item: { pk: "tx", sk: 5, v: "never" } } },
      {
        Put: {
          TableName: MAIN, Item: { pk: "tx", sk: 1, v: "overwrite" },
          ConditionExpression: "attribute_not_exists(pk)",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        },
      },
      { Update: { TableName: MAIN, Key: { pk: "tx", sk: 2 }, UpdateExpression: "REMOVE n" } },
    ],
  })), "TransactionCanceledException",
  "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None]");
  assert.ok(err instanceof TransactionCanceledException);
  assert.deepEqual(err.CancellationReasons.map((r) => r.Code), ["None", "ConditionalCheckFailed", "None"]);
  assert.deepEqual(err.CancellationReasons, [
    { Code: "None" },
    {
      Code: "ConditionalCheckFailed",
      Message: "The conditional request failed",
      Item: { pk: { S: "tx" }, sk: { N: "1" }, v: { S: "new" } },
    },
    { Code: "None" },
  ]);
  assert.deepEqual(await state(), committed);
});

// -- streams -------------------------------------------------------------------------

async function readToEnd(iterator) {
  const records = [];
  for (let page = 0; page < 50; page++) {
    const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...out.Records);
    if (!out.NextShardIterator || out.Records.length === 0) return records;
    iterator = out.NextShardIterator;
  }
  assert.fail("GetRecords did not reach the end of an open shard in 50 pages");
}

async function shardIterator(arn, shardId, type, seq) {
  const out = await streams.send(new GetShardIteratorCommand({
    StreamArn: arn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: seq,
  }));
  assert.equal(typeof out.ShardIterator, "string");
  return out.ShardIterator;
}

test("DynamoDB Streams: DescribeStream, GetShardIterator, GetRecords give INSERT/MODIFY/REMOVE in order", async () => {
  const table = `js-stream-${RUN}`;
  const desc = await createTable(table, { stream: "NEW_AND_OLD_IMAGES" });
  const arn = desc.LatestStreamArn;
  assert.ok(arn, "CreateTable returned LatestStreamArn");

  await doc.send(new PutCommand({ TableName: table, Item: { id: "a", v: 1, s: "x" } }));
  await doc.send(new UpdateCommand({
    TableName: table, Key: { id: "a" }, UpdateExpression: "SET v = :v REMOVE s", ExpressionAttributeValues: { ":v": 2 },
  }));
  await doc.send(new PutCommand({ TableName: table, Item: { id: "b", tags: new Set(["t"]), bin: new Uint8Array([9, 8]) } }));
  // A write that changes nothing writes no stream record.
  await doc.send(new PutCommand({ TableName: table, Item: { id: "b", tags: new Set(["t"]), bin: new Uint8Array([9, 8]) } }));
  await doc.send(new DeleteCommand({ TableName: table, Key: { id: "a" } }));

  const { StreamDescription: sd } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  assert.equal(sd.StreamArn, arn);
  assert.equal(sd.StreamStatus, "ENABLED");
  assert.equal(sd.StreamViewType, "NEW_AND_OLD_IMAGES");
  assert.equal(sd.TableName, table);
  assert.equal(sd.StreamLabel, desc.LatestStreamLabel);
  assert.deepEqual(sd.KeySchema, [{ AttributeName: "id", KeyType: "HASH" }]);
  assert.ok(sd.CreationRequestDateTime instanceof Date);
  assert.equal(sd.LastEvaluatedShardId, undefined);
  assert.equal(sd.Shards.length, 1, JSON.stringify(sd.Shards));
  const shard = sd.Shards[0];
  assert.equal(shard.ParentShardId, undefined);
  assert.equal(shard.SequenceNumberRange.EndingSequenceNumber, undefined, "the only shard is open");
  assert.match(shard.SequenceNumberRange.StartingSequenceNumber, /^[0-9]+$/);

  const records = await readToEnd(await shardIterator(arn, shard.ShardId, "TRIM_HORIZON"));
  const S = (s) => ({ S: s });
  const N = (n) => ({ N: String(n) });
  assert.deepEqual(records.map((r) => [r.eventName, r.dynamodb.Keys, r.dynamodb.NewImage, r.dynamodb.OldImage]), [
    ["INSERT", { id: S("a") }, { id: S("a"), v: N(1), s: S("x") }, undefined],
    ["MODIFY", { id: S("a") }, { id: S("a"), v: N(2) }, { id: S("a"), v: N(1), s: S("x") }],
    ["INSERT", { id: S("b") }, { id: S("b"), tags: { SS: ["t"] }, bin: { B: new Uint8Array([9, 8]) } }, undefined],
    ["REMOVE", { id: S("a") }, undefined, { id: S("a"), v: N(2) }],
  ]);
  const seqs = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `sequence numbers increase: ${seqs}`);
  assert.ok(seqs[0] >= BigInt(shard.SequenceNumberRange.StartingSequenceNumber));
  assert.equal(new Set(records.map((r) => r.eventID)).size, records.length, "eventIDs are distinct");
  for (const r of records) {
    assert.equal(r.eventSource, "aws:dynamodb");
    assert.equal(r.eventVersion, "1.1");
    assert.equal(r.awsRegion, "us-east-1");
    assert.equal(r.userIdentity, undefined);
    assert.equal(r.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
    assert.ok(Number.isInteger(r.dynamodb.SizeBytes) && r.dynamodb.SizeBytes > 0, `${r.dynamodb.SizeBytes}`);
    assert.ok(r.dynamodb.ApproximateCreationDateTime instanceof Date);
    assert.ok(Math.abs(r.dynamodb.ApproximateCreationDateTime.getTime() - Date.now()) < 120_000);
  }

  // Other iterator types start where they say.
  const second = records[1].dynamodb.SequenceNumber;
  const at = await readToEnd(await shardIterator(arn, shard.ShardId, "AT_SEQUENCE_NUMBER", second));
  assert.deepEqual(at.map((r) => r.eventID), records.slice(1).map((r) => r.eventID));
  const afterSeq = await readToEnd(await shardIterator(arn, shard.ShardId, "AFTER_SEQUENCE_NUMBER", second));
  assert.deepEqual(afterSeq.map((r) => r.eventID), records.slice(2).map((r) => r.eventID));
  const latest = await shardIterator(arn, shard.ShardId, "LATEST");
  const empty = await streams.send(new GetRecordsCommand({ ShardIterator: latest }));
  assert.deepEqual(empty.Records, []);
  assert.equal(typeof empty.NextShardIterator, "string");
  await doc.send(new PutCommand({ TableName: table, Item: { id: "c" } }));
  const fresh = await readToEnd(empty.NextShardIterator);
  assert.deepEqual(fresh.map((r) => [r.eventName, r.dynamodb.Keys]), [["INSERT", { id: S("c") }]]);
});

// -- TTL ---------------------------------------------------------------------------

test("UpdateTimeToLive enables TTL; DescribeTimeToLive shows it; enabling twice is refused", async () => {
  const initially = await ddb.send(new DescribeTimeToLiveCommand({ TableName: MAIN }));
  assert.deepEqual(initially.TimeToLiveDescription, { TimeToLiveStatus: "DISABLED" });

  const out = await ddb.send(new UpdateTimeToLiveCommand({
    TableName: MAIN, TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" },
  }));
  assert.deepEqual(out.TimeToLiveSpecification, { Enabled: true, AttributeName: "expires" });

  // DynamoDB may report ENABLING for a while before ENABLED.
  let described;
  for (const deadline = Date.now() + 5_000; ;) {
    described = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: MAIN }))).TimeToLiveDescription;
    if (described.TimeToLiveStatus !== "ENABLING" || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(described, { TimeToLiveStatus: "ENABLED", AttributeName: "expires" });

  await rejectsWith(ddb.send(new UpdateTimeToLiveCommand({
    TableName: MAIN, TimeToLiveSpecification: { Enabled: true, AttributeName: "other" },
  })), "ValidationException", "TimeToLive is already enabled");
});

// DynamoDB deletes expired items "within a few days"; the emulator's sweeper
// runs every --ttl-interval-ms (100 under test_js_sdk.py, 1000 by default).
// The deletion's stream record and what never expires (a TTL attribute that
// is not a Number) are as documented.
test("an expired item is deleted by TTL with a service REMOVE record; others stay", async () => {
  const table = `js-ttl-${RUN}`;
  const desc = await createTable(table, { stream: "OLD_IMAGE" });
  await ddb.send(new UpdateTimeToLiveCommand({
    TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: "exp" },
  }));
  const now = Math.floor(Date.now() / 1000);
  await putAll(table, [
    { id: "old", exp: now - 3600 },
    { id: "future", exp: now + 3600 },
    { id: "string-exp", exp: String(now - 3600) }, // not a Number: never expires
    { id: "none" },
  ]);

  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = await doc.send(new GetCommand({ TableName: table, Key: { id: "old" }, ConsistentRead: true }));
    if (got.Item === undefined) break;
    assert.ok(Date.now() < deadline, "the expired item was not deleted within 10 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  const left = (await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items;
  assert.deepEqual(left.map((x) => x.id).sort(), ["future", "none", "string-exp"]);

  const { StreamDescription: sd } = await streams.send(new DescribeStreamCommand({ StreamArn: desc.LatestStreamArn }));
  const records = await readToEnd(await shardIterator(desc.LatestStreamArn, sd.Shards[0].ShardId, "TRIM_HORIZON"));
  const removes = records.filter((r) => r.eventName === "REMOVE");
  assert.equal(removes.length, 1, JSON.stringify(records.map((r) => r.eventName)));
  assert.deepEqual(removes[0].userIdentity, { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" });
  assert.deepEqual(removes[0].dynamodb.OldImage, { id: { S: "old" }, exp: { N: String(now - 3600) } });
  assert.equal(records.filter((r) => r.eventName === "INSERT").length, 4);
});
