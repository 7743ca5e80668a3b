import { undeclaredRoute } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/openapi";

/** The OpenAPI 3.1 description of this API (public; rendered at /docs). */
export const GET = undeclaredRoute(async () =>
  Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } }),
);
