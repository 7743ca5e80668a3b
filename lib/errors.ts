/**
 * The one error class of the domain and the API. `lib/server` throws it; `lib/api` turns it into an
 * `application/problem+json` response (RFC 9457) with the status that {@link statusOf} gives.
 */

/** Problem kinds. Each maps to one HTTP status (names as RFC 9110 has them). */
export type ProblemType =
  | "bad_request"
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "too_many_requests"
  | "internal"
  | "service_unavailable";

const STATUS: Record<ProblemType, { status: number; title: string }> = {
  bad_request: { status: 400, title: "Bad Request" },
  validation: { status: 400, title: "Invalid request" },
  unauthorized: { status: 401, title: "Unauthorized" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not Found" },
  method_not_allowed: { status: 405, title: "Method Not Allowed" },
  conflict: { status: 409, title: "Conflict" },
  payload_too_large: { status: 413, title: "Content Too Large" },
  unsupported_media_type: { status: 415, title: "Unsupported Media Type" },
  too_many_requests: { status: 429, title: "Too Many Requests" },
  internal: { status: 500, title: "Internal Server Error" },
  service_unavailable: { status: 503, title: "Service Unavailable" },
};

/**
 * One invalid input field. `pointer` is a JSON Pointer into the body (RFC 6901, as in RFC 9457's example);
 * `parameter` names a query or path parameter.
 */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  detail: string;
}

/** A failure the caller can act on; `detail` is written for a person. */
export class AppError extends Error {
  readonly type: ProblemType;
  readonly detail: string;
  readonly errors?: FieldError[];
  /** Extra response headers, such as a `WWW-Authenticate` challenge. */
  readonly headers?: Record<string, string>;

  constructor(type: ProblemType, detail: string, errors?: FieldError[], headers?: Record<string, string>) {
    super(detail);
    this.name = "AppError";
    this.type = type;
    this.detail = detail;
    this.errors = errors;
    this.headers = headers;
  }
}

/** HTTP status and RFC 9110 reason phrase of a problem type. */
export function statusOf(type: ProblemType): { status: number; title: string } {
  return STATUS[type];
}

/** `404`: the resource does not exist, or the caller may not know that it exists. */
export const notFound = (what: string) => new AppError("not_found", `${what} not found.`);
