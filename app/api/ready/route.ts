import { route } from "@/lib/api/handler";
import { checkReadiness } from "@/lib/infra/health";
import { getReadiness } from "@/lib/openapi/probes";

export const dynamic = "force-dynamic";

/** Readiness for orchestrators and load balancers: 200 when this instance can serve, else 503 saying why. */
export const GET = route(getReadiness, async () => ({ status: "ready", ...(await checkReadiness()) }));
