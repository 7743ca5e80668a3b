import "server-only";
import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { isDatabaseUnavailable } from "./api/problem";
import { AppError } from "./errors";
import { log } from "./log";
import { clientIp } from "./infra/rate-limit";
import { authenticateSession, createSession, SESSION_MAX_AGE_SECONDS } from "./server/sessions";
import { verifyCredentialsLimited } from "./server/users";

declare module "next-auth" {
  interface Session {
    user: { id: string; username: string } & DefaultSession["user"];
  }
  interface User {
    username?: string;
    /** At sign-in only: the hash the password matched, for createSession (never copied into the token). */
    passwordHash?: string;
  }
}

/**
 * Sign-in refused by the `signIn` rate limit. Auth.js passes `code` on (as `?code=` on its redirect, and on the error
 * that server-side `signIn` throws), so the form can say why (Auth.js docs, "Credentials": custom error codes).
 */
export class SignInRateLimited extends CredentialsSignin {
  code = "rate_limited";
}

/** Sign-in refused because an admin suspended the account (the password was right); the form then says why. */
export class SignInSuspended extends CredentialsSignin {
  code = "suspended";
}

const credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

/**
 * Auth.js (next-auth v5): username and password through the Credentials provider, sessions as sealed JWT cookies
 * (the Credentials provider requires the JWT strategy) that name a server-side session row (`sid`), so that a session
 * can be ended everywhere at once (lib/server/sessions.ts). `trustHost` lets self-hosted deployments behind a proxy
 * work without AUTH_URL (Auth.js docs, "Deployment").
 */
export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/sign-in" },
  logger: {
    // A wrong password is an expected outcome, not a server error: Auth.js would log it with a stack trace.
    error(error) {
      if (error instanceof CredentialsSignin || (error as { type?: string }).type === "CredentialsSignin") return;
      log.error({ err: error }, "Auth.js error");
    },
  },
  providers: [
    Credentials({
      credentials: { username: { label: "Username" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) return null;
        try {
          const user = await verifyCredentialsLimited(clientIp(request.headers), parsed.data.username, parsed.data.password);
          return user ? { id: user.id, name: user.name ?? user.username, username: user.username, passwordHash: user.passwordHash } : null;
        } catch (e) {
          if (e instanceof AppError && e.type === "too_many_requests") throw new SignInRateLimited();
          if (e instanceof AppError && e.type === "forbidden") throw new SignInSuspended();
          throw e;
        }
      },
    }),
  ],
  callbacks: {
    /**
     * At sign-in (`user` present) a session row is created and the cookie names it; on every later read (`auth()` in
     * pages) the session must still be current, or Auth.js treats the request as signed out (a `null` token).
     */
    async jwt({ token, user }) {
      if (user?.id) {
        token.sid = (await createSession(user.id, user.passwordHash ?? null)).id;
        if (user.username) token.username = user.username;
        return token;
      }
      try {
        return (await authenticateSession(token)) ? token : null;
      } catch (e) {
        // Auth.js would turn the error into "signed out" (and send the person to sign in) while the database is
        // away. The page's own queries fail instead, and the error page says so; nothing is shown without them.
        if (isDatabaseUnavailable(e)) return token;
        throw e;
      }
    },
    session({ session, token }) {
      // `token` holds `sid`; it stays on the server (the session object can reach the browser through Auth.js's own
      // session endpoint), so only what the UI shows is copied.
      if (token.sub) session.user.id = token.sub;
      if (typeof token.username === "string") session.user.username = token.username;
      return session;
    },
  },
});
