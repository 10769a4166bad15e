// The plane's runtime interface client for nodejs18.x, nodejs20.x and nodejs22.x: what
// Lambda's /var/runtime/index.mjs does, on the machine's node. lambda-host starts it as
// `node index.mjs` in the function's code folder, with the environment of a managed runtime.
//
// - Speaks the Runtime API (AWS_LAMBDA_RUNTIME_API): next, response, error, init/error.
//   https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
// - Loads _HANDLER ("src/app.handler") from LAMBDA_TASK_ROOT as Lambda does: CommonJS or
//   ES module (.js by package.json "type", .mjs, .cjs, or a bare name Node resolves), async
//   handlers and callback handlers.
//   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
// - console.* lines as Lambda writes them: TIMESTAMP\tREQUEST_ID\tLEVEL\tmessage, a message's
//   own newlines turned into \r so that it stays one log event.
//   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
// - Errors in Lambda's shape: {errorType, errorMessage, trace}.
// - Routes the AWS host names the stack stands in for (_PLANE_AWS_HOSTS, from the host) to the
//   local services: see routing.mjs.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

import { installRouting } from './routing.mjs';

const require = createRequire(import.meta.url);

const env = process.env;
const RUNTIME_API = env.AWS_LAMBDA_RUNTIME_API;
const TASK_ROOT = env.LAMBDA_TASK_ROOT || process.cwd();
const HANDLER = env._HANDLER || '';

// ---- logging ------------------------------------------------------------------------------

let currentRequestId; // undefined outside an invocation, printed as such (as Lambda does)

function writeLine(level, args) {
  const message = util.format(...args).replace(/\n/g, '\r');
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`;
  try {
    fs.writeSync(1, line);
  } catch {
    // stdout gone: nothing to log to.
  }
}

console.log = (...a) => writeLine('INFO', a);
console.info = (...a) => writeLine('INFO', a);
console.warn = (...a) => writeLine('WARN', a);
console.error = (...a) => writeLine('ERROR', a);
console.debug = (...a) => writeLine('DEBUG', a);
console.trace = (...a) => {
  const where = new Error().stack.split('\n').slice(2).join('\n');
  writeLine('TRACE', [util.format(...a) + '\n' + where]);
};

// ---- errors -------------------------------------------------------------------------------

class RuntimeError extends Error {
  constructor(type, message) {
    super(message);
    this.name = 'Runtime.' + type;
  }
}

function isError(e) {
  return util.types.isNativeError(e) || (e && typeof e === 'object' && typeof e.message === 'string'
    && typeof e.name === 'string' && typeof e.stack === 'string');
}

// The payload Lambda's Node.js runtime posts: errorType, errorMessage and trace (the stack's
// lines); a thrown value that is no Error gives its type and text.
function toPayload(error) {
  try {
    if (isError(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there '
      + 'was a problem while retrieving one or more of its message, name, and stack' };
  }
}

// The log line beside it: "Invoke Error \t{...}", with the error's own enumerable properties
// (a Node.js error's "code"...) and the stack named "stack", as Lambda's is.
function logError(label, payload, error) {
  const { trace, ...rest } = payload;
  const own = {};
  if (isError(error)) {
    for (const key of Object.keys(error)) {
      if (!['name', 'message', 'stack'].includes(key)) own[key] = error[key];
    }
  }
  let text;
  try {
    text = JSON.stringify({ ...rest, ...own, stack: trace || [] });
  } catch {
    text = JSON.stringify({ ...rest, stack: trace || [] });
  }
  writeLine('ERROR', [label, '\t' + text]);
}

// ---- Runtime API --------------------------------------------------------------------------

const [apiHost, apiPort] = RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, pathName, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: apiHost, port: Number(apiPort), method, path: '/2018-06-01/runtime/' + pathName,
      agent,
      headers: body === undefined ? headers : {
        'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers,
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function postError(pathName, payload) {
  await call('POST', pathName, JSON.stringify(payload),
    { 'Lambda-Runtime-Function-Error-Type': payload.errorType });
}

// ---- loading the handler ------------------------------------------------------------------

// "src/app.handler": module root "src/", module "app", property path "handler" (may be nested).
function parseHandler(full) {
  const base = path.basename(full);
  const moduleRoot = full.substring(0, full.indexOf(base));
  const match = base.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new RuntimeError('MalformedHandlerName', 'Bad handler');
  if (moduleRoot.split('/').includes('..')) {
    throw new RuntimeError('MalformedHandlerName', `'${full}' is not a valid handler name. `
      + "Use absolute paths when specifying root directories in handler names.");
  }
  return { moduleRoot, module: match[1], property: match[2] };
}

function typeModule(file) {
  // The nearest package.json up from the file, within the code folder, says "type".
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dir === TASK_ROOT || dir === path.dirname(dir)) return false;
  }
}

const isFile = (f) => fs.existsSync(f) && fs.statSync(f).isFile();

// Lambda's order: the name as is (required), FILE.js (required unless "type": "module"),
// FILE.js imported (when it is), FILE.mjs imported, FILE.cjs required, then Node's own
// resolution of the bare name from the code folder (node_modules included).
async function loadModule(moduleRoot, module) {
  const base = path.resolve(TASK_ROOT, moduleRoot, module);
  if (isFile(base)) return require(base);
  const esm = typeModule(base + '.js');
  if (!esm && isFile(base + '.js')) return require(base + '.js');
  if (esm && isFile(base + '.js')) return import(pathToFileURL(base + '.js').href);
  if (isFile(base + '.mjs')) return import(pathToFileURL(base + '.mjs').href);
  if (isFile(base + '.cjs')) return require(base + '.cjs');
  const paths = [TASK_ROOT, path.resolve(TASK_ROOT, moduleRoot)];
  const resolved = require.resolve(module, { paths });
  return require(resolved);
}

async function loadHandler() {
  const { moduleRoot, module, property } = parseHandler(HANDLER);
  let app;
  try {
    app = await loadModule(moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) throw new RuntimeError('UserCodeSyntaxError', String(e));
    if (e && e.code === 'MODULE_NOT_FOUND') throw new RuntimeError('ImportModuleError', String(e));
    throw e;
  }
  const fn = property.split('.').reduce((o, key) => (o == null ? undefined : o[key]), app);
  if (fn === undefined || fn === null) {
    throw new RuntimeError('HandlerNotFound', `${HANDLER} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new RuntimeError('HandlerNotFound', `${HANDLER} is not a function`);
  }
  return fn;
}

// ---- invocations --------------------------------------------------------------------------

function makeContext(headers, finish) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const parse = (h) => (h ? JSON.parse(h) : undefined);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse(headers['lambda-runtime-client-context']),
    identity: parse(headers['lambda-runtime-cognito-identity']),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    // The legacy completion methods, still on Lambda's context.
    succeed: (result) => finish(null, result, false),
    fail: (error) => finish(error ?? 'handled', undefined, false),
    done: (error, result) => finish(error, result, false),
  };
  return context;
}

let pendingAfterEmptyLoop = null; // a callback's result waiting for the event loop to empty

process.on('beforeExit', () => {
  if (pendingAfterEmptyLoop) {
    const send = pendingAfterEmptyLoop;
    pendingAfterEmptyLoop = null;
    send();
  }
});

// Runs one invocation; resolves once its result (or error) is posted.
function invoke(handler, next) {
  return new Promise((resolveInvocation) => {
    const id = next.headers['lambda-runtime-aws-request-id'];
    let settled = false;
    const post = async (error, result) => {
      try {
        if (error !== null && error !== undefined) {
          const payload = toPayload(error);
          logError('Invoke Error', payload, error);
          await postError(`invocation/${id}/error`, payload);
        } else {
          let body;
          try {
            body = JSON.stringify(result === undefined ? null : result);
          } catch (e) {
            const payload = { errorType: 'Runtime.SerializationError', errorMessage: e.message,
              trace: e.stack.split('\n') };
            logError('Invoke Error', payload);
            await postError(`invocation/${id}/error`, payload);
            return;
          }
          await call('POST', `invocation/${id}/response`, body);
        }
      } finally {
        resolveInvocation();
      }
    };
    // wait: the callback's way (and context.done's), which by default waits until the event
    // loop is empty, as Lambda does (context.callbackWaitsForEmptyEventLoop).
    const finish = (error, result, wait) => {
      if (settled) return;
      settled = true;
      if (wait && context.callbackWaitsForEmptyEventLoop) {
        pendingAfterEmptyLoop = () => post(error, result);
      } else {
        post(error, result);
      }
    };
    const context = makeContext(next.headers, finish);
    currentRequestId = id;
    let event;
    try {
      event = JSON.parse(next.body);
    } catch (e) {
      finish(e, undefined, false);
      return;
    }
    try {
      const returned = handler(event, context, (error, result) => finish(error, result, true));
      if (returned && typeof returned.then === 'function') {
        returned.then((r) => finish(null, r, false),
          (e) => finish(e ?? new Error('Promise rejected with ' + String(e)), undefined, false));
      } else if (!settled) {
        // Not async, and the callback not called (yet): what it returned is not the answer;
        // with the event loop empty and still no callback, Lambda answers null.
        pendingAfterEmptyLoop = () => finish(null, null, false);
      }
    } catch (e) {
      finish(e, undefined, false);
    }
  });
}

// An exception nothing caught: Lambda reports it for the invocation running (or as the init
// error) and the process exits (129); a promise rejection nothing handled is reported as
// Runtime.UnhandledPromiseRejection, "TYPE: message", with the reason beside it (exit 128).
let running = null;
let dying = false;
function fatal(label, payload, code, error) {
  if (dying) return;
  dying = true;
  logError(label, payload, error);
  const where = running ? `invocation/${running}/error` : 'init/error';
  postError(where, payload).catch(() => {}).finally(() => process.exit(code));
}
process.on('uncaughtException', (e) => fatal('Uncaught Exception', toPayload(e), 129, e));
process.on('unhandledRejection', (reason) => {
  const { trace, ...cause } = toPayload(reason);
  const error = new RuntimeError('UnhandledPromiseRejection',
    isError(reason) ? `${reason.name}: ${reason.message}` : String(reason));
  fatal('Unhandled Promise Rejection',
    { ...toPayload(error), reason: { ...cause, stack: trace }, promise: {} }, 128);
});

async function main() {
  let handler;
  try {
    await installRouting();
    handler = await loadHandler();
  } catch (e) {
    const payload = toPayload(e);
    logError('Uncaught Exception', payload, e);
    await postError('init/error', payload);
    process.exit(129);
  }
  for (;;) {
    const next = await call('GET', 'invocation/next');
    if (next.status !== 200) {
      // 500: the environment is shutting down.
      process.exit(0);
    }
    running = next.headers['lambda-runtime-aws-request-id'];
    if (next.headers['lambda-runtime-trace-id']) {
      env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    }
    await invoke(handler, next);
    running = null;
  }
}

main();
