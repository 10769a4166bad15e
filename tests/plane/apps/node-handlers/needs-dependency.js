// Requires a package the function does not ship.
const missing = require("left-pad-that-is-not-installed");
exports.handler = async () => missing;
