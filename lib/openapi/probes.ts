import { health, readiness } from "../schemas/health";
import { defineOperation } from "./operation";

export const getHealth = defineOperation({
  method: "GET",
  path: "/api/health",
  operationId: "getHealth",
  summary: "Liveness",
  description:
    "`200` while the process serves requests. It checks nothing else: a database outage does not fail it, so an orchestrator does not restart instances that cannot fix it.",
  tag: "Operations",
  auth: "none",
  database: false,
  ok: { 200: { description: "The process is up.", schema: health } },
  accessLog: "debug",
});

export const getReadiness = defineOperation({
  method: "GET",
  path: "/api/ready",
  operationId: "getReadiness",
  summary: "Readiness",
  description:
    "`200` when this instance can serve: the database answers and has every migration this version needs. Send traffic only to ready instances.",
  tag: "Operations",
  auth: "none",
  ok: { 200: { description: "Ready.", schema: readiness } },
  errors: { 503: "The database cannot be reached, migrations are not applied yet, or the instance is shutting down." },
  accessLog: "debug",
});
