import { and, build, type ClickHouse, type Fragment, param, sql } from "@burnrate/storage";
import type { Incident } from "../schemas/incident.js";
import { isoFromSql } from "../schemas/time-range.js";
import { POINT_READ_SETTINGS } from "./read-settings.js";

interface IncidentRow {
  id: string;
  created_text: string;
  expires_text: string;
  detector: string;
  action: string;
  scope: Record<string, string>;
  reason: string;
  evidence: string;
  trace_id: string;
  session_id: string;
}

const COLUMNS = sql`id, toString(created_at) AS created_text, toString(expires_at) AS expires_text,
  detector, action, scope, reason, evidence, trace_id, session_id`;

/** Reads incidents of one project matching `where`, newest first. */
export async function readIncidents(
  db: ClickHouse,
  project: string,
  where: Fragment | undefined,
  limit: number,
  settings: Fragment = sql``,
): Promise<Incident[]> {
  const rows = await db.query<IncidentRow>(
    build(sql`SELECT ${COLUMNS} FROM incidents FINAL
      WHERE ${and([sql`project_id = ${param("String", project)}`, where])}
      ORDER BY created_at DESC, id DESC
      LIMIT ${param("UInt32", limit)} ${settings}`),
  );
  return rows.map(toIncident);
}

/**
 * A page of incidents, newest first, strictly after `after` (the last row of the previous
 * page by (created_at, id)), with each row's stored creation time for the next cursor.
 */
export async function readIncidentPage(
  db: ClickHouse,
  project: string,
  conditions: readonly (Fragment | undefined)[],
  after: { createdText: string; id: string } | undefined,
  limit: number,
): Promise<{ incident: Incident; createdText: string }[]> {
  const keyset = after
    ? sql`created_at < toDateTime64(${param("String", after.createdText)}, 3, 'UTC')
        OR (created_at = toDateTime64(${param("String", after.createdText)}, 3, 'UTC') AND id < ${param("String", after.id)})`
    : undefined;
  const rows = await db.query<IncidentRow>(
    build(sql`SELECT ${COLUMNS} FROM incidents FINAL
      WHERE ${and([sql`project_id = ${param("String", project)}`, ...conditions, keyset])}
      ORDER BY created_at DESC, id DESC
      LIMIT ${param("UInt32", limit)}`),
  );
  return rows.map((row) => ({ incident: toIncident(row), createdText: row.created_text }));
}

/** Incidents raised on a trace, or on a session. */
export function incidentsOf(
  db: ClickHouse,
  project: string,
  of: { traceId: string } | { sessionId: string },
): Promise<Incident[]> {
  const where =
    "traceId" in of
      ? sql`trace_id = ${param("String", of.traceId)}`
      : sql`session_id = ${param("String", of.sessionId)}`;
  return readIncidents(db, project, where, 1_000, POINT_READ_SETTINGS);
}

function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    createdAt: isoFromSql(row.created_text),
    expiresAt: isoFromSql(row.expires_text),
    detector: row.detector,
    action: row.action,
    scope: row.scope,
    reason: row.reason,
    evidence: parseEvidence(row.evidence),
    traceId: row.trace_id,
    sessionId: row.session_id,
  };
}

/** Evidence is stored as JSON text; anything that is not JSON is returned as the text it is. */
function parseEvidence(text: string): unknown {
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
