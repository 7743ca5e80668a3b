"use client";

import { ApiReferenceReact } from "@scalar/api-reference-react";
import "@scalar/api-reference-react/style.css";
import "./api-reference.css";

/**
 * Scalar's API reference (bundled from npm) over /api/openapi.json. Everything it loads comes from this origin:
 * no web fonts, no telemetry, no agent or MCP panels, and "try it" requests go straight to this server (no proxy).
 */
export function ApiReference() {
  return (
    <ApiReferenceReact
      configuration={{
        url: "/api/openapi.json",
        withDefaultFonts: false,
        telemetry: false,
        agent: { disabled: true },
        mcp: { disabled: true },
        hideClientButton: true,
        documentDownloadType: "json",
        metaData: { title: "Parley API reference" },
        showDeveloperTools: "never",
      }}
    />
  );
}
