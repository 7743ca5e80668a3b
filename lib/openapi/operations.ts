import * as accounts from "./accounts";
import * as live from "./live";
import * as messages from "./messages";
import type { Operation } from "./operation";
import * as probes from "./probes";
import * as readState from "./read-state";
import * as threads from "./threads";

const isOperation = (value: unknown): value is Operation =>
  typeof value === "object" && value !== null && "operationId" in value && "method" in value && "path" in value;

/**
 * Every operation of the API, in the order the document lists them: each resource file's declarations, resource by
 * resource. A new resource file is added here once.
 */
export const operations: readonly Operation[] = [threads, messages, readState, live, accounts, probes].flatMap((resource) =>
  Object.values(resource).filter(isOperation),
);
