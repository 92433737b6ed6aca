import { param, sql } from "@burnrate/storage";
import { HttpError } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { readIncidents } from "../queries/incidents.js";
import { incident, incidentParams } from "../schemas/incident.js";

/** GET /v1/incidents/:id — one detection with its evidence. */
export const getIncident = defineRoute({
  method: "get",
  path: "/v1/incidents/:id",
  tag: "incidents",
  summary: "One incident",
  role: "read",
  params: incidentParams,
  response: incident,
  errors: [404, 503],
  async handle({ params, project, context }) {
    const [found] = await readIncidents(context.db, project, sql`id = ${param("String", params.id)}`, 1);
    if (!found) throw new HttpError(404, `no incident ${params.id} in this project`);
    return found;
  },
});
