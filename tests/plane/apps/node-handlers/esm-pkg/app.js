// An ES module by its package.json's "type": "module" (a .js file).
import { basename } from "node:path";

export async function handler() {
  return { module: basename(import.meta.url), type: typeof require };
}
