import * as accounts from "./accounts";
import * as admin from "./admin";
import * as live from "./live";
import * as messages from "./messages";
import * as moderation from "./moderation";
import type { Operation } from "./operation";
import * as probes from "./probes";
import * as readState from "./read-state";
import * as search from "./search";
import * as threads from "./threads";

const isOperation = (value: unknown): value is Operation =>
  typeof value === "object" && value !== null && "operationId" in value && "method" in value && "path" in value;

const METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/**
 * Every operation of the API: each resource file's declarations (a new resource file is added here once), by path and
 * then method (GET, POST, PUT, PATCH, DELETE), the order the document lists them in.
 */
export const operations: readonly Operation[] = [threads, messages, readState, search, live, accounts, moderation, admin, probes]
  .flatMap((resource) => Object.values(resource).filter(isOperation))
  .sort((a, b) => (a.path === b.path ? METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) : a.path < b.path ? -1 : 1));
