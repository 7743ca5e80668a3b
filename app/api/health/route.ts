import { route } from "@/lib/api/handler";
import { getHealth } from "@/lib/openapi/probes";

export const dynamic = "force-dynamic";

/** Liveness for orchestrators: the process answers. Touches nothing else, the database included. */
export const GET = route(getHealth, async () => ({ status: "ok" }));
