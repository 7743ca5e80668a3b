import { z } from "zod";

/** `GET /api/health`: the process is up and serving. */
export const health = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

/** `GET /api/ready`: this instance can serve requests. */
export const readiness = z
  .object({
    status: z.literal("ready"),
    migrations: z.number().int().meta({ description: "Migrations applied to the database, all that this version has." }),
  })
  .meta({ id: "Readiness" });
