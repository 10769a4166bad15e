// An ES module handler (.mjs).
export const handler = async (event) => ({ module: "esm.mjs", type: typeof require, event });
