import { defineConfig } from "prisma/config";

// Prisma 7 keeps connection URLs out of schema.prisma. `prisma generate` needs none; migrations are applied by
// `npm run db:migrate` (scripts/migrate.ts), which reads DATABASE_URL itself.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
