/**
 * The test harness itself: every test file runs against a database of its own, copied from the migrated template.
 */
import { describe, expect, inject, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { DEFAULT_MIGRATIONS_DIR, readMigrations } from "@/scripts/migrate";

describe("test database", () => {
  it("is this file's own copy, not the template", async () => {
    const [row] = await getPrisma().$queryRaw<{ name: string }[]>`SELECT current_database() AS name`;
    expect(row?.name).toMatch(new RegExp(`^${inject("testDatabasePrefix")}[0-9a-f]{12}$`));
    expect(new URL(process.env.DATABASE_URL ?? "").pathname).toBe(`/${row?.name}`);
  });

  it("has every migration applied and no users yet", async () => {
    const prisma = getPrisma();
    const migrations = await readMigrations(DEFAULT_MIGRATIONS_DIR);
    const applied = await prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`;
    expect(applied.map((m) => m.migration_name)).toEqual(migrations.map((m) => m.name));
    expect(migrations.length).toBeGreaterThan(0);
    expect(await prisma.user.count()).toBe(0);
  });
});
