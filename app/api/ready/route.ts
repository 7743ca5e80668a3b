import { json, withoutUser } from "@/lib/api/handler";
import { checkReadiness } from "@/lib/infra/health";

export const dynamic = "force-dynamic";

/** Readiness for orchestrators and load balancers: 200 when this instance can serve, else 503 saying why. */
export const GET = withoutUser(async () => json({ status: "ready", ...(await checkReadiness()) }), { accessLog: "debug" });
