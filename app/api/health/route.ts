import { json, withoutUser } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

/** Liveness for orchestrators: the process answers. Touches nothing else, the database included. */
export const GET = withoutUser(async () => json({ status: "ok" }), { accessLog: "debug" });
