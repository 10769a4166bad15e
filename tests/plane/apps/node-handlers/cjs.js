// CommonJS handlers. The module is loaded once per instance: `count` goes up across invocations.
let count = 0;
console.log("loading cjs.js");

exports.context = async (event, context) => {
  count += 1;
  console.log("context for", event.tag);
  console.warn("a warning\non two lines");
  console.error("an error line");
  return {
    count,
    pid: process.pid,
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(),
    callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    executionEnv: process.env.AWS_EXECUTION_ENV,
    plumbing: Object.keys(process.env).filter((k) => k.startsWith("_PLANE")),
  };
};

exports.callback = (event, context, callback) => {
  // By default the answer waits until the event loop is empty: the timer runs first, and the
  // result is serialized after it changed it.
  const result = { via: "callback", timerRan: false };
  setTimeout(() => { result.timerRan = true; }, 50);
  callback(null, result);
};

exports.callbackNoWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  const result = { via: "callback", timerRan: false };
  setTimeout(() => { result.timerRan = true; }, 50);
  callback(null, result);
};

exports.returnsWithoutCallback = (event, context, callback) => "not the answer";

exports.callbackError = (event, context, callback) => {
  callback(new RangeError("out of range"));
};

exports.counter = async () => count;

exports.throws = async () => {
  class DatabaseError extends Error {}
  throw new DatabaseError("the table is on fire");
};

exports.throwsString = async () => {
  throw "just a string";
};

exports.throwsLater = () => {
  setTimeout(() => {
    throw new Error("thrown from a timer");
  }, 10);
};

exports.rejectsUnhandled = async () => {
  Promise.reject(new Error("nobody waits for me"));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return "too late";
};

exports.notAFunction = 42;

exports.nested = { deeper: { handler: async () => "nested property" } };
