// `prisma generate` does not use Prisma's schema engine, but the CLI insists that the engine binary exists and tries
// to download it when it does not, which fails offline. Point it at any existing executable (this Node binary)
// unless the caller chose one (`PRISMA_SCHEMA_ENGINE_BINARY`).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath };
const result = spawnSync(process.execPath, [cli, "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
