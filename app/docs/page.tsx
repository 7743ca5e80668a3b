import type { Metadata } from "next";
import { ApiReference } from "@/components/api-reference";

export const metadata: Metadata = {
  title: "API reference · Parley",
  description: "Parley's REST API: authentication, pagination, errors, idempotency, every operation.",
};

/** The API reference, rendered from /api/openapi.json. Public: integrators read it before they have an account. */
export default function DocsPage() {
  return <ApiReference />;
}
