import { route } from "@/lib/api/handler";
import { getAdminStats } from "@/lib/openapi/admin";
import { adminStats } from "@/lib/server/admin";

/** The admin overview's figures. */
export const GET = route(getAdminStats, async () => adminStats());
