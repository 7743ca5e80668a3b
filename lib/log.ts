import pino from "pino";

/** Fields censored wherever they appear at the top level or one level down (`err.password`, `headers.cookie`). */
export const REDACTED_FIELDS = ["password", "token", "secret", "body", "text", "authorization", "cookie", "databaseUrl"];

/**
 * The process's logger: one JSON object per line on stdout (pino), at `LOG_LEVEL` (default `info`). Fields: `level`
 * (pino's number), `time` (ms since the epoch), `msg`, and whatever the call adds. Request lines carry `requestId`,
 * the value the response's `X-Request-Id` header carries.
 *
 * What never goes in: message bodies, passwords, tokens, cookies, `Authorization` headers and connection URLs. Call
 * sites log ids, methods, paths and statuses only; {@link REDACTED_FIELDS} are a net under them.
 * `LOG_LEVEL` is read here directly rather than through lib/config.ts, so that a logger exists to report a bad
 * configuration.
 */
export const log = pino({
  // An unknown level would make pino throw here; lib/config.ts reports it as a setting error instead.
  level: Object.hasOwn(pino.levels.values, process.env.LOG_LEVEL ?? "") || process.env.LOG_LEVEL === "silent" ? process.env.LOG_LEVEL! : "info",
  base: { service: "parley" },
  redact: { paths: REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`]), censor: "[redacted]" },
  serializers: { err: pino.stdSerializers.errWithCause },
});

