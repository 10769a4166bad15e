// Connections to the AWS host names the stack stands in for go to the local services.
//
// lambda-host gives _PLANE_AWS_HOSTS = "NAME=URL,...": the region's execute-api host of each of
// the stack's APIs (https://127.0.0.1:GATEWAY_PORT: the gateway speaks TLS there, with a
// certificate for *.execute-api.REGION.amazonaws.com from the plane's CA, which
// NODE_EXTRA_CA_CERTS trusts), and dynamodb / streams.dynamodb (http://127.0.0.1:EMULATOR_PORT:
// plain HTTP, so this process terminates TLS for it on a loopback port of its own, with the
// certificate and key in _PLANE_TLS_CERT / _PLANE_TLS_KEY, and passes the bytes on).
//
// tls.connect (which https, the AWS SDK's node-http-handler and fetch all use) is wrapped: a
// connection to one of those names on port 443 is made to the local address instead, with the
// name kept as the server name, so the certificate is still checked against it. Any other
// host, or another port, is untouched.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

function parseRoutes(text) {
  const routes = new Map();
  for (const entry of (text || '').split(',')) {
    const at = entry.indexOf('=');
    if (at <= 0) continue;
    const url = new URL(entry.slice(at + 1));
    routes.set(entry.slice(0, at).toLowerCase(), {
      host: url.hostname, port: Number(url.port), plain: url.protocol === 'http:',
    });
  }
  return routes;
}

// A loopback TLS listener that passes the decrypted bytes to a plain-HTTP target.
function terminator(target, cert, key) {
  return new Promise((resolve, reject) => {
    const server = tls.createServer({ cert, key }, (client) => {
      const upstream = net.connect(target.port, target.host);
      // An idle kept-alive connection must not hold the event loop either; the handler's own
      // end of it is in use (and holds it) while a request is on it.
      client.unref();
      upstream.unref();
      client.pipe(upstream).pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref(); // it must not keep the event loop alive (callbackWaitsForEmptyEventLoop)
      resolve({ host: '127.0.0.1', port: server.address().port });
    });
  });
}

// tls.connect(options[, cb]) or tls.connect(port[, host][, options][, cb]).
function normalize(args) {
  const list = [...args];
  const cb = typeof list[list.length - 1] === 'function' ? list.pop() : undefined;
  if (list[0] !== null && typeof list[0] === 'object') return { options: { ...list[0] }, cb };
  const options = { ...(list.find((a, i) => i > 0 && a && typeof a === 'object') || {}) };
  if (typeof list[0] === 'number' || (typeof list[0] === 'string' && /^\d+$/.test(list[0]))) {
    options.port = Number(list[0]);
    if (typeof list[1] === 'string') options.host = list[1];
    return { options, cb };
  }
  return null; // a path: not ours
}

export async function installRouting() {
  const env = process.env;
  const routes = parseRoutes(env._PLANE_AWS_HOSTS);
  const certFile = env._PLANE_TLS_CERT;
  const keyFile = env._PLANE_TLS_KEY;
  // The function sees Lambda's environment, not the plane's plumbing.
  delete env._PLANE_AWS_HOSTS;
  delete env._PLANE_TLS_CERT;
  delete env._PLANE_TLS_KEY;
  if (routes.size === 0) return;
  const plainTargets = new Map();
  for (const [name, route] of routes) {
    if (!route.plain) continue;
    if (!certFile || !keyFile) {
      routes.delete(name);
      continue;
    }
    const key = `${route.host}:${route.port}`;
    if (!plainTargets.has(key)) {
      plainTargets.set(key, await terminator(route, fs.readFileSync(certFile),
        fs.readFileSync(keyFile)));
    }
    routes.set(name, plainTargets.get(key));
  }
  const original = tls.connect;
  tls.connect = function connect(...args) {
    const parsed = normalize(args);
    if (parsed) {
      const name = String(parsed.options.host || '').toLowerCase().replace(/\.$/, '');
      const port = Number(parsed.options.port || 443);
      const route = routes.get(name);
      if (route && port === 443 && !parsed.options.socket) {
        const options = { ...parsed.options, host: route.host, port: route.port,
          servername: parsed.options.servername || name };
        delete options.lookup; // the local address needs no resolving
        return original.call(this, options, parsed.cb);
      }
    }
    return original.apply(this, args);
  };
}
