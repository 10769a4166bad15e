// Connects where the event says, with Node's own clients (no SDK), and says what happened.
import https from "node:https";
import tls from "node:tls";

function request(url, method, body) {
  return new Promise((resolve) => {
    // DynamoDB's headers, for the dynamodb host name; the gateway ignores them.
    const headers = {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": "DynamoDB_20120810.ListTables",
      Authorization: "AWS4-HMAC-SHA256 Credential=a/20250101/us-east-1/dynamodb/aws4_request, "
        + "SignedHeaders=host, Signature=0",
    };
    const req = https.request(url, { method, headers }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => resolve({ status: res.statusCode, body: data }));
    });
    req.on("error", (e) => resolve({ error: e.code || e.message }));
    req.end(body);
  });
}

// Resolves every name to loopback: a name the runtime does not route then meets port 443 of
// this machine, where nothing listens.
const toLoopback = (host, options, cb) => (options && options.all
  ? cb(null, [{ address: "127.0.0.1", family: 4 }])
  : cb(null, "127.0.0.1", 4));

function connect(host) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port: 443, servername: host, lookup: toLoopback });
    socket.on("secureConnect", () => {
      resolve({ connected: true, remotePort: socket.remotePort, authorized: socket.authorized });
      socket.destroy();
    });
    socket.on("error", (e) => resolve({ error: e.code || e.message }));
  });
}

export const handler = async (event) => {
  if (event.requestContext) {
    // A message on the $default route: answer through https://${domainName}/${stage}.
    const { domainName, stage, connectionId } = event.requestContext;
    const url = `https://${domainName}/${stage}/@connections/${encodeURIComponent(connectionId)}`;
    await request(url, "POST", JSON.stringify({ connectionId, domainName, stage }));
    return { statusCode: 200 };
  }
  switch (event.op) {
    case "post":
      return request(event.url, "POST", event.data);
    case "fetch": {
      const r = await fetch(event.url, { method: "POST", body: event.data });
      return { status: r.status };
    }
    case "connect":
      return connect(event.host);
    default:
      throw new Error("unknown op " + event.op);
  }
};

// A callback handler (the answer waits for an empty event loop) that used dynamodb's name:
// the runtime's own end of that connection must not keep the loop alive.
export const viaCallback = (event, context, callback) => {
  request(event.url, "POST", "{}").then((r) => callback(null, r));
};
