import "server-only";

export { openApiDocument } from "./document";
export { operations } from "./operations";
