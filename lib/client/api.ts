/**
 * The browser's side of the REST API: same-origin `fetch` with the session cookie, JSON in and out, and
 * problem+json errors turned into {@link ApiError}s whose `detail` can be shown to people.
 */

/** An RFC 9457 problem returned by the API (or a network failure, with `status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: { pointer?: string; parameter?: string; detail: string }[],
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

/**
 * Calls `/api…` and returns the parsed JSON body (`undefined` for 204).
 * @throws ApiError with the problem's status and detail; status 0 when the server could not be reached.
 */
export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? "GET",
      headers: init.body !== undefined ? { "content-type": "application/json" } : undefined,
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      credentials: "same-origin",
      signal: init.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "Cannot reach Parley. Check your connection.");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const problem = (body ?? {}) as { detail?: string; errors?: ApiError["errors"] };
    throw new ApiError(res.status, problem.detail ?? `Request failed (${res.status}).`, problem.errors);
  }
  return body as T;
}
