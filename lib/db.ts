import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

/**
 * The one PrismaClient of the process, over node-postgres through `@prisma/adapter-pg`.
 *
 * Created on first use (not at import) so that scripts and tests can choose `DATABASE_URL` before touching the
 * database. Cached on `globalThis` so that Next's dev-mode module reloading does not open a new pool per edit.
 * Pool size: `DATABASE_POOL_SIZE` (default 10, node-postgres' own default).
 *
 * @throws Error when `DATABASE_URL` is not set.
 */
export function getPrisma(): PrismaClient {
  const cached = globalForPrisma.parleyPrisma;
  if (cached) return cached;
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  const adapter = new PrismaPg({
    connectionString,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  });
  const client = new PrismaClient({ adapter });
  globalForPrisma.parleyPrisma = client;
  return client;
}

const globalForPrisma = globalThis as unknown as { parleyPrisma?: PrismaClient };

/** Closes the pool (tests, scripts, graceful shutdown). The next {@link getPrisma} opens a new one. */
export async function disconnectPrisma(): Promise<void> {
  const client = globalForPrisma.parleyPrisma;
  globalForPrisma.parleyPrisma = undefined;
  await client?.$disconnect();
}
