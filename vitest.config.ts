import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Unit and integration tests against a real PostgreSQL. `npm test` (scripts/test.ts) provides the server through
// TEST_DATABASE_URL; tests/setup/global-setup.ts migrates a template database once, and tests/setup/per-file.ts gives
// every test file its own copy of it. See tests/setup/README.md.
export default defineConfig({
  resolve: {
    // tsconfig's `@/*` → `./*`. A regex, so that scoped packages such as `@prisma/client` are left alone.
    alias: [
      { find: /^@\//, replacement: fileURLToPath(new URL("./", import.meta.url)) },
      // Server modules carry `import "server-only"`, which throws outside React's server condition; tests run them as
      // Next's server does, so they get the marker's empty server build.
      { find: /^server-only$/, replacement: fileURLToPath(new URL("./node_modules/server-only/empty.js", import.meta.url)) },
    ],
  },
  test: {
    environment: "node",
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/per-file.ts"],
    // Files run in parallel, each in its own process with its own database; tests inside a file run in order.
    pool: "forks",
    fileParallelism: true,
    testTimeout: 30_000,
    // next-auth imports `next/server` without an extension, which only a bundler resolves: let Vite transform it.
    server: { deps: { inline: ["next-auth"] } },
    hookTimeout: 60_000,
  },
});
