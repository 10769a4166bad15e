// The AWS SDK for JavaScript v3 (client-apigatewaymanagementapi, client-lambda,
// client-dynamodb), unchanged, against the plane: the WebSocket echo stack
// (tests/plane/templates/websocket_echo.yaml) started by scripts/launch.py.
//
// Run by tests/plane/test_js_sdk_plane.py, which starts the stack and sets:
//   PLANE_WS_URL           ws://127.0.0.1:P/test    (ready: websocket ...)
//   PLANE_CONNECTIONS_URL  http://127.0.0.1:P/test  (ready: connections ...)
//   PLANE_LAMBDA_URL       http://127.0.0.1:L       (ready: lambda)
//   PLANE_DYNAMODB_URL     http://127.0.0.1:D       (ready: dynamodb)
//   PLANE_STACK_NAME       echo                     (--stack-name: functions echo-*, table echo-connections)
//
// Without PLANE_WS_URL (as when tests/conformance/test_js_sdk.py runs every
// file in tests/js against the emulator alone) the suite is skipped.
//
// The WebSocket client is Node's own (global WebSocket: Node 22 and later, or
// Node 20/21 with --experimental-websocket, which the driver passes).

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

const WS_URL = process.env.PLANE_WS_URL;

if (!WS_URL) {
  test("the plane with the AWS SDK for JavaScript v3", {
    skip: "PLANE_WS_URL is not set: run tests/plane/test_js_sdk_plane.py, which starts the plane and sets it",
  }, () => {});
} else {
  await planeSuite();
}

async function planeSuite() {
  // Imported here, not at the top, so that the skipped run needs none of these packages.
  const {
    ApiGatewayManagementApiClient,
    ApiGatewayManagementApiServiceException,
    PostToConnectionCommand,
    GetConnectionCommand,
    DeleteConnectionCommand,
    GoneException,
    PayloadTooLargeException,
    ForbiddenException,
  } = await import("@aws-sdk/client-apigatewaymanagementapi");
  const {
    LambdaClient,
    LambdaServiceException,
    InvokeCommand,
    ResourceNotFoundException,
  } = await import("@aws-sdk/client-lambda");
  const { DynamoDBClient, ScanCommand } = await import("@aws-sdk/client-dynamodb");

  function required(name) {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name} (see the top of tests/js/plane.test.mjs)`);
    return value;
  }
  const CONNECTIONS_URL = required("PLANE_CONNECTIONS_URL");
  const LAMBDA_URL = required("PLANE_LAMBDA_URL");
  const DYNAMODB_URL = required("PLANE_DYNAMODB_URL");
  const STACK = required("PLANE_STACK_NAME");
  const TABLE = `${STACK}-connections`;
  const STAGE = new URL(CONNECTIONS_URL).pathname.split("/").filter(Boolean).pop();
  // The template's other allowed stage: no API of the stack has it.
  const OTHER_STAGE = STAGE === "prod" ? "test" : "prod";

  if (typeof globalThis.WebSocket !== "function") {
    throw new Error(`Node ${process.version} has no global WebSocket: use Node 22 or later, ` +
                    "or run Node 20/21 with --experimental-websocket");
  }

  const REGION = "us-east-1";
  const config = (endpoint) => ({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: "AKIDPLANEJS", secretAccessKey: "plane-js-secret" },
    // One attempt: what the plane answers reaches the test as is.
    maxAttempts: 1,
  });
  const connections = new ApiGatewayManagementApiClient(config(CONNECTIONS_URL));
  const otherStageUrl = new URL(CONNECTIONS_URL);
  otherStageUrl.pathname = otherStageUrl.pathname.replace(/[^/]+\/?$/, OTHER_STAGE);
  const otherStage = new ApiGatewayManagementApiClient(config(otherStageUrl.toString()));
  const lambda = new LambdaClient(config(LAMBDA_URL));
  const ddb = new DynamoDBClient(config(DYNAMODB_URL));
  // Their keep-alive sockets would hold the process open after the last test.
  after(() => {
    for (const client of [connections, otherStage, lambda, ddb]) client.destroy();
  });

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  // A timer that does not hold the process open (the suite races it against
  // frames and close events, which usually win).
  const timer = (ms) => sleep(ms, undefined, { ref: false });

  async function waitFor(what, predicate, ms = 10000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await predicate();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(25);
    }
  }

  // The echo stack's $connect function records each connection in the table;
  // $disconnect deletes it.
  async function recordedIds() {
    const out = await ddb.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
    return new Set(out.Items.map((item) => item.connectionId.S));
  }

  // A client connection: its frames, its close event, and its connection id
  // (the one row the stack's $connect added to the table).
  async function connect() {
    const before = await recordedIds();
    const ws = new WebSocket(WS_URL);
    const frames = [];
    const waiters = [];
    ws.addEventListener("message", (event) => {
      frames.push(event.data);
      while (waiters.length) waiters.shift()();
    });
    const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
    const openedAfter = Date.now();
    await new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve, { once: true });
      ws.addEventListener("error", () => reject(new Error(`could not connect to ${WS_URL}`)),
                          { once: true });
    });
    const openedBefore = Date.now();
    const id = await waitFor("$connect to record the connection in " + TABLE, async () => {
      const fresh = [...(await recordedIds())].filter((x) => !before.has(x));
      assert.ok(fresh.length <= 1, `more than one new connection: ${fresh}`);
      return fresh[0];
    });
    async function next(ms = 10000) {
      const deadline = Date.now() + ms;
      while (!frames.length) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no frame within ${ms} ms`);
        await Promise.race([new Promise((r) => waiters.push(r)), timer(left)]);
      }
      return frames.shift();
    }
    return { ws, id, frames, next, closed, openedAfter, openedBefore };
  }

  // After a test: the connection is closed and its $disconnect has run, so the
  // next test starts from an empty table.
  async function gone(conn) {
    if (conn.ws.readyState !== WebSocket.CLOSED) conn.ws.close(1000);
    await conn.closed;
    await waitFor("$disconnect to delete " + conn.id, async () => !(await recordedIds()).has(conn.id));
  }

  async function assertGone(promise, what) {
    await assert.rejects(promise, (err) => {
      assert.equal(err.name, "GoneException", `${what}: ${err.name}: ${err.message}`);
      assert.ok(err instanceof GoneException, `${what}: not an instance of GoneException`);
      assert.ok(err instanceof ApiGatewayManagementApiServiceException);
      assert.equal(err.$metadata.httpStatusCode, 410);
      assert.equal(err.$fault, "client");
      return true;
    });
  }

  const randomId = () => randomBytes(11).toString("base64").replace(/=+$/, "") + "=";

  test("PostToConnectionCommand: the open connection receives the bytes as a text frame", async () => {
    const conn = await connect();
    try {
      const text = `{"hello":"world","n":${Date.now()}}`;
      const out = await connections.send(new PostToConnectionCommand({
        ConnectionId: conn.id, Data: encoder.encode(text),
      }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(await conn.next(), text);
      // A string Data is sent as its UTF-8 bytes.
      await connections.send(new PostToConnectionCommand({ ConnectionId: conn.id, Data: "héllo ✓" }));
      assert.equal(await conn.next(), "héllo ✓");
    } finally {
      await gone(conn);
    }
  });

  test("GetConnectionCommand: connectedAt and lastActiveAt as Dates, identity.sourceIp", async () => {
    const conn = await connect();
    try {
      const first = await connections.send(new GetConnectionCommand({ ConnectionId: conn.id }));
      assert.equal(first.$metadata.httpStatusCode, 200);
      assert.ok(first.ConnectedAt instanceof Date, `ConnectedAt: ${first.ConnectedAt}`);
      assert.ok(first.LastActiveAt instanceof Date, `LastActiveAt: ${first.LastActiveAt}`);
      assert.ok(!Number.isNaN(first.ConnectedAt.getTime()));
      // Connected while the client was opening (the plane runs without a clock offset).
      assert.ok(first.ConnectedAt.getTime() >= conn.openedAfter - 1000 &&
                first.ConnectedAt.getTime() <= conn.openedBefore + 1000,
                `ConnectedAt ${first.ConnectedAt.toISOString()} outside the handshake ` +
                `${new Date(conn.openedAfter).toISOString()}..${new Date(conn.openedBefore).toISOString()}`);
      assert.ok(first.LastActiveAt >= first.ConnectedAt);
      assert.equal(first.Identity.SourceIp, "127.0.0.1");
      assert.equal(typeof first.Identity.UserAgent, "string");

      // A message from the client (the $default route, whose function posts it
      // back) moves lastActiveAt and not connectedAt.
      await sleep(50);
      conn.ws.send("touch");
      assert.equal(await conn.next(), "echo: touch");
      const second = await connections.send(new GetConnectionCommand({ ConnectionId: conn.id }));
      assert.equal(second.ConnectedAt.getTime(), first.ConnectedAt.getTime());
      assert.ok(second.LastActiveAt > first.LastActiveAt,
                `LastActiveAt ${second.LastActiveAt.toISOString()} not after ${first.LastActiveAt.toISOString()}`);
    } finally {
      await gone(conn);
    }
  });

  test("DeleteConnectionCommand closes the socket with 1000; the deleted id is then Gone", async () => {
    const conn = await connect();
    const out = await connections.send(new DeleteConnectionCommand({ ConnectionId: conn.id }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    const event = await Promise.race([conn.closed, timer(10000).then(() => null)]);
    assert.ok(event, "the client saw no close within 10 s of DeleteConnection");
    assert.equal(event.code, 1000);
    assert.equal(event.wasClean, true);
    await assertGone(connections.send(new PostToConnectionCommand({ ConnectionId: conn.id, Data: "x" })),
                     "PostToConnection on a deleted id");
    await assertGone(connections.send(new GetConnectionCommand({ ConnectionId: conn.id })),
                     "GetConnection on a deleted id");
    await assertGone(connections.send(new DeleteConnectionCommand({ ConnectionId: conn.id })),
                     "DeleteConnection on a deleted id");
    await gone(conn);
  });

  test("GoneException (410) for a connection the client closed", async () => {
    const conn = await connect();
    conn.ws.close(1000, "bye");
    const event = await conn.closed;
    assert.equal(event.code, 1000);
    await gone(conn); // $disconnect has run
    await assertGone(connections.send(new PostToConnectionCommand({ ConnectionId: conn.id, Data: "x" })),
                     "PostToConnection on a closed id");
    await assertGone(connections.send(new GetConnectionCommand({ ConnectionId: conn.id })),
                     "GetConnection on a closed id");
    await assertGone(connections.send(new DeleteConnectionCommand({ ConnectionId: conn.id })),
                     "DeleteConnection on a closed id");
  });

  test("GoneException (410) for a connection id never seen", async () => {
    // The second has the base64 characters the SDK percent-encodes in the path.
    for (const id of ["AAAAAAAAAAAAAAA=", "Zm9v+/YmFyYmF6="]) {
      await assertGone(connections.send(new PostToConnectionCommand({ ConnectionId: id, Data: "x" })),
                       `PostToConnection on ${id}`);
      await assertGone(connections.send(new GetConnectionCommand({ ConnectionId: id })),
                       `GetConnection on ${id}`);
      await assertGone(connections.send(new DeleteConnectionCommand({ ConnectionId: id })),
                       `DeleteConnection on ${id}`);
    }
  });

  test("PayloadTooLargeException (413) over 128 KB; exactly 128 KB is delivered", async () => {
    const conn = await connect();
    try {
      await assert.rejects(
        connections.send(new PostToConnectionCommand({
          ConnectionId: conn.id, Data: new Uint8Array(128 * 1024 + 1).fill(0x78),
        })),
        (err) => {
          assert.equal(err.name, "PayloadTooLargeException", `${err.name}: ${err.message}`);
          assert.ok(err instanceof PayloadTooLargeException);
          assert.equal(err.$metadata.httpStatusCode, 413);
          return true;
        });
      await connections.send(new PostToConnectionCommand({
        ConnectionId: conn.id, Data: new Uint8Array(128 * 1024).fill(0x79),
      }));
      assert.equal(await conn.next(), "y".repeat(128 * 1024));
      // The connection is still open and the refused post delivered nothing.
      await sleep(100);
      assert.deepEqual(conn.frames, []);
      assert.equal(conn.ws.readyState, WebSocket.OPEN);
    } finally {
      await gone(conn);
    }
  });

  test("ForbiddenException (403) from a client whose endpoint has another stage", async () => {
    const conn = await connect();
    try {
      for (const command of [
        new PostToConnectionCommand({ ConnectionId: conn.id, Data: "x" }),
        new GetConnectionCommand({ ConnectionId: conn.id }),
        new DeleteConnectionCommand({ ConnectionId: conn.id }),
      ]) {
        await assert.rejects(otherStage.send(command), (err) => {
          assert.equal(err.name, "ForbiddenException",
                       `${command.constructor.name} on /${OTHER_STAGE}: ${err.name}: ${err.message}`);
          assert.ok(err instanceof ForbiddenException);
          assert.equal(err.$metadata.httpStatusCode, 403);
          return true;
        });
      }
      // Nothing reached the connection, which is still open on its own stage.
      await sleep(100);
      assert.deepEqual(conn.frames, []);
      const info = await connections.send(new GetConnectionCommand({ ConnectionId: conn.id }));
      assert.equal(info.$metadata.httpStatusCode, 200);
    } finally {
      await gone(conn);
    }
  });

  // API Gateway's MESSAGE event for a route, as the gateway would send it.
  function messageEvent(routeKey, connectionId, body) {
    const now = Date.now();
    return {
      requestContext: {
        routeKey,
        messageId: randomBytes(6).toString("base64"),
        eventType: "MESSAGE",
        extendedRequestId: randomBytes(6).toString("base64"),
        requestTime: new Date(now).toUTCString(),
        messageDirection: "IN",
        stage: STAGE,
        connectedAt: now - 1000,
        requestTimeEpoch: now,
        identity: { sourceIp: "127.0.0.1" },
        requestId: randomBytes(6).toString("base64"),
        domainName: "abcdef1234.execute-api.us-east-1.amazonaws.com",
        connectionId,
        apiId: "abcdef1234",
      },
      body,
      isBase64Encoded: false,
    };
  }
  const payload = (event) => encoder.encode(JSON.stringify(event));

  test("InvokeCommand RequestResponse on echo-send with a hand-made MESSAGE event", async () => {
    const count = (await recordedIds()).size;
    const out = await lambda.send(new InvokeCommand({
      FunctionName: `${STACK}-send`,
      Payload: payload(messageEvent("sendMessage", randomId(), '{"action":"sendMessage","message":"hi"}')),
      LogType: "Tail",
    }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.ExecutedVersion, "$LATEST");
    assert.ok(out.Payload instanceof Uint8Array, `Payload: ${out.Payload}`);
    const result = JSON.parse(decoder.decode(out.Payload));
    assert.equal(result.statusCode, 200);
    // The function's answer: the message and the table's row count (scanned by
    // the function through the endpoint the host gives it).
    assert.deepEqual(JSON.parse(result.body), { sent: "hi", connections: count });
    const log = Buffer.from(out.LogResult, "base64").toString("utf8");
    assert.match(log, /^START RequestId: \S+ Version: \$LATEST/m);
    assert.match(log, /^REPORT RequestId: \S+\tDuration: /m);
  });

  test("InvokeCommand DryRun is 204 and runs nothing; Event is 202 and runs echo-default, which posts to the connection", async () => {
    const conn = await connect();
    try {
      const dry = await lambda.send(new InvokeCommand({
        FunctionName: `${STACK}-default`, InvocationType: "DryRun",
        Payload: payload(messageEvent("$default", conn.id, "from DryRun")),
      }));
      assert.equal(dry.StatusCode, 204);
      const queued = await lambda.send(new InvokeCommand({
        FunctionName: `${STACK}-default`, InvocationType: "Event",
        Payload: payload(messageEvent("$default", conn.id, "from Event")),
      }));
      assert.equal(queued.StatusCode, 202);
      assert.equal(await conn.next(), "echo: from Event");
      await sleep(200);
      assert.deepEqual(conn.frames, [], "DryRun must not run the function");

      // RequestResponse on the same function: its result, and its post.
      const sync = await lambda.send(new InvokeCommand({
        FunctionName: `${STACK}-default`, InvocationType: "RequestResponse",
        Payload: payload(messageEvent("$default", conn.id, "from RequestResponse")),
      }));
      assert.equal(sync.StatusCode, 200);
      assert.deepEqual(JSON.parse(decoder.decode(sync.Payload)), { statusCode: 200 });
      assert.equal(await conn.next(), "echo: from RequestResponse");
    } finally {
      await gone(conn);
    }
  });

  test("InvokeCommand on an unknown function: ResourceNotFoundException (404)", async () => {
    for (const InvocationType of ["RequestResponse", "Event", "DryRun"]) {
      await assert.rejects(
        lambda.send(new InvokeCommand({
          FunctionName: `${STACK}-no-such-function-${randomUUID().slice(0, 8)}`,
          InvocationType, Payload: payload({}),
        })),
        (err) => {
          assert.equal(err.name, "ResourceNotFoundException", `${InvocationType}: ${err.name}: ${err.message}`);
          assert.ok(err instanceof ResourceNotFoundException);
          assert.ok(err instanceof LambdaServiceException);
          assert.equal(err.$metadata.httpStatusCode, 404);
          assert.match(err.message, /^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:/);
          return true;
        });
    }
  });
}
