// Imports a package the function does not ship.
import missing from "left-pad-that-is-not-installed";

export const handler = async () => missing;
