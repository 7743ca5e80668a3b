import "server-only";
import pino from "pino";
import { logLevel } from "./config";

/** Fields censored wherever they appear at the top level or one level down (`err.password`, `headers.cookie`). */
export const REDACTED_FIELDS = ["password", "token", "secret", "body", "text", "authorization", "cookie", "databaseUrl"];

/**
 * The process's logger: one JSON object per line on stdout (pino), at `LOG_LEVEL` (default `info`). Fields: `level`
 * (pino's number), `time` (ms since the epoch), `msg`, and whatever the call adds. Request lines carry `requestId`,
 * the value the response's `X-Request-Id` header carries.
 *
 * What never goes in: message bodies, passwords, tokens, cookies, `Authorization` headers and connection URLs. Call
 * sites log ids, methods, paths and statuses only; {@link REDACTED_FIELDS} are a net under them.
 * `LOG_LEVEL` is read on its own ({@link logLevel}), so that a logger exists to report a bad configuration.
 */
export const log = pino({
  level: logLevel(),
  base: { service: "parley" },
  redact: { paths: REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`]), censor: "[redacted]" },
  serializers: { err: pino.stdSerializers.errWithCause },
});

