import { route } from "@/lib/api/handler";
import { log } from "@/lib/log";
import { exportAccount } from "@/lib/openapi/accounts";
import * as account from "@/lib/server/account";

export const dynamic = "force-dynamic";

/**
 * The caller's data as a JSON download, streamed as it is read. The first piece (the account) is read before the
 * answer starts, so a missing account is still a 401; a failure after that ends the body early (the JSON is then
 * incomplete, which a client notices) and is logged.
 */
export const GET = route(exportAccount, async ({ caller, requestId }) => {
  const pieces = account.exportAccount(caller.userId);
  const first = await pieces.next();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!first.done) controller.enqueue(encoder.encode(first.value));
    },
    async pull(controller) {
      try {
        const next = await pieces.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (e) {
        log.error({ requestId, err: e }, "export failed while streaming");
        controller.error(e);
      }
    },
    async cancel() {
      await pieces.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "content-disposition": `attachment; filename="parley-export-${new Date().toISOString().slice(0, 10)}.json"`,
    },
  });
});
