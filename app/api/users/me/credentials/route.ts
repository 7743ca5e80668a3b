import { route } from "@/lib/api/handler";
import { signOutEverywhere } from "@/lib/openapi/accounts";
import * as account from "@/lib/server/account";

/** Ends every session and revokes every token of the caller → `{sessions, tokens}`. */
export const DELETE = route(signOutEverywhere, async ({ caller }) => account.signOutEverywhere(caller.userId));
