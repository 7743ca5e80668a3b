import "server-only";
import { getPrisma } from "./sql";

/**
 * What a request proved who it is with: a bearer token or a browser session. Requests check their credential each
 * time; an event stream is checked once when it opens and then ended when the credential ends (docs/realtime.md,
 * "Authorisation").
 *
 * A credential ends when its row is deleted (a token revoked, a session signed out, the account deleted, an
 * operator's SQL) or, for sessions, when it expires. A trigger on each table announces the deletion with
 * `NOTIFY <channel>, '<id>'` (migrations `token_revocation_notify` and `browser_sessions`); PostgreSQL delivers it to
 * every listening instance at commit, in commit order with the database's other notifications.
 */
export type Credential =
  /** `id`: the SHA-256 (hex) of the token's secret, as `api_tokens.token_hash` stores it. */
  | { kind: "token"; id: string; expiresAt: null }
  /** `id`: the session's id (`sessions.id`, the cookie's `sid` claim). `expiresAt`: when it stops working. */
  | { kind: "session"; id: string; expiresAt: Date };

/** Who a request is from, and the credential it showed. */
export interface Authenticated {
  userId: string;
  credential: Credential;
}

export type CredentialKind = Credential["kind"];

/** One string per credential, for maps and sets: `token:<hash>`, `session:<id>`. */
export const credentialKey = (kind: CredentialKind, id: string): string => `${kind}:${id}`;

/** The LISTEN channels on which the database announces ended credentials (payload: the id), and the kind of each. */
export const CREDENTIAL_CHANNELS = { parley_tokens: "token", parley_sessions: "session" } as const satisfies Record<
  string,
  CredentialKind
>;

/**
 * The key of the credential that a notification says has ended.
 * @returns `null` when the notification is not from a credential channel or has no id.
 */
export function endedCredentialKey(channel: string, payload: string | undefined): string | null {
  const kind = (CREDENTIAL_CHANNELS as Record<string, CredentialKind | undefined>)[channel];
  return kind && payload ? credentialKey(kind, payload) : null;
}

/** Why a credential stopped working, as an event stream's last event says it (`unauthorized`). */
export type CredentialEnd = "token_revoked" | "session_ended" | "session_expired";

/** The reason given when `kind`'s row is gone. */
export const endedBy = (kind: CredentialKind): CredentialEnd => (kind === "token" ? "token_revoked" : "session_ended");

/**
 * The keys of those `credentials` that still work now: the token or session row exists, and a session has not
 * expired. One statement, whatever the number of credentials.
 */
export async function workingCredentialKeys(credentials: Credential[]): Promise<Set<string>> {
  if (credentials.length === 0) return new Set();
  const tokens = credentials.filter((c) => c.kind === "token").map((c) => c.id);
  const sessions = credentials.filter((c) => c.kind === "session").map((c) => c.id);
  const rows = await getPrisma().$queryRaw<{ key: string }[]>`
    SELECT 'token:' || token_hash AS key FROM api_tokens WHERE token_hash = ANY(${tokens}::text[])
    UNION ALL
    SELECT 'session:' || id AS key FROM sessions WHERE id = ANY(${sessions}::text[]) AND expires_at > now()`;
  return new Set(rows.map((r) => r.key));
}
