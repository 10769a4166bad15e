// A CommonJS module (.cjs) in a nested folder: Handler src/nested/app.handler.
module.exports.handler = async () => ({ module: "src/nested/app.cjs", type: typeof require });
