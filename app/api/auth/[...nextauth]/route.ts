import type { NextRequest } from "next/server";
import { requestIdOf } from "@/lib/api/handler";
import { errorResponse } from "@/lib/api/problem";
import { handlers } from "@/lib/auth";
import { check, clientIp } from "@/lib/server/rate-limit";

export const { GET } = handlers;

/**
 * Auth.js's endpoints. A credentials sign-in posted here directly (not through the app's form, whose server action
 * calls Auth.js in-process) is answered `429` with `Retry-After` while the `signIn` limit holds for its client IP and
 * username, instead of Auth.js's redirect to the sign-in page; `authorize` enforces the same limit either way.
 */
export async function POST(req: NextRequest): Promise<Response> {
  if (req.nextUrl.pathname.endsWith("/callback/credentials")) {
    const form = await req
      .clone()
      .formData()
      .catch(() => null);
    const username = form?.get("username");
    if (typeof username === "string" && username.length <= 64) {
      try {
        await check("signIn", `${clientIp(req.headers)}:${username.trim().toLowerCase()}`);
      } catch (e) {
        return errorResponse(e, requestIdOf(req), req);
      }
    }
  }
  return handlers.POST(req);
}
