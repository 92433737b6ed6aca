import { param, sql } from "@burnrate/storage";
import { z } from "zod";
import { defineRoute } from "../http/route.js";
import { invalidCursor } from "../queries/cursor.js";
import { readIncidentPage } from "../queries/incidents.js";
import { incidentListQuery, incidentListResponse } from "../schemas/incident.js";
import { isSqlTime, millisecondCeiling, resolveRange, sqlTime } from "../schemas/time-range.js";

/**
 * An incident cursor as this route writes it: the last row's creation time as ClickHouse
 * prints a DateTime64(3), and its id. Cursors are not signed, so nothing else is let through
 * to the query.
 */
const cursorSchema = z.strictObject({
  c: z.string().refine((text) => isSqlTime(text, 3)),
  i: z.string().min(1).max(256),
});

/** GET /v1/incidents — detections, newest first. */
export const listIncidents = defineRoute({
  method: "get",
  path: "/v1/incidents",
  tag: "incidents",
  summary: "List incidents",
  description: "Loop and budget detections created in [from, to), newest first, with keyset pagination.",
  role: "read",
  query: incidentListQuery,
  response: incidentListResponse,
  errors: [503],
  async handle({ query, project, context }) {
    const range = resolveRange(query, context.now());
    const after = query.cursor === undefined ? undefined : decode(query.cursor);
    const conditions = [
      sql`created_at >= toDateTime64(${param("String", sqlTime(millisecondCeiling(range.from)))}, 3, 'UTC')`,
      sql`created_at < toDateTime64(${param("String", sqlTime(millisecondCeiling(range.to)))}, 3, 'UTC')`,
      query.detector !== undefined ? sql`detector = ${param("String", query.detector)}` : undefined,
      query.action !== undefined ? sql`action = ${param("String", query.action)}` : undefined,
      query.traceId !== undefined ? sql`trace_id = ${param("String", query.traceId)}` : undefined,
      query.sessionId !== undefined ? sql`session_id = ${param("String", query.sessionId)}` : undefined,
    ];
    const rows = await readIncidentPage(context.db, project, conditions, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = rows.length > query.limit ? page[page.length - 1] : undefined;
    return {
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      incidents: page.map((r) => r.incident),
      nextCursor: last
        ? Buffer.from(JSON.stringify({ c: last.createdText, i: last.incident.id })).toString("base64url")
        : null,
    };
  },
});

function decode(text: string): { createdText: string; id: string } {
  try {
    const { c, i } = cursorSchema.parse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return { createdText: c, id: i };
  } catch {
    throw invalidCursor();
  }
}
