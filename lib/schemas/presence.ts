import { z } from "zod";
import { timestamp } from "./common";

/** Whether someone is online, and when they were last (docs/realtime.md, "Presence"). */
export const presence = z
  .object({
    status: z.enum(["online", "offline"]).meta({
      description: "`online` while they have the app (an event stream) open anywhere, and for a minute after.",
    }),
    lastSeenAt: timestamp.nullable().meta({
      description: "When they last had it open; `null` when they hide it, when you hide yours (you then see nobody's), or never.",
    }),
  })
  .meta({ id: "Presence" });

export type Presence = z.infer<typeof presence>;
