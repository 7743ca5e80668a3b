import { requestIdOf, UNKNOWN_PATH } from "@/lib/api/handler";
import { problemResponse } from "@/lib/api/problem";

/** Unknown API paths answer problem+json like every other API error, not Next's HTML 404 page. */
async function notFound(req: Request): Promise<Response> {
  return problemResponse("not_found", UNKNOWN_PATH, requestIdOf(req));
}

export { notFound as GET, notFound as POST, notFound as PATCH, notFound as PUT, notFound as DELETE };
