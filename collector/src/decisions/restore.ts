import type { Decision } from "@burnrate/core";
import type { ClickHouse } from "@burnrate/storage";
import type { Logger } from "../writer/writer.js";
import type { DecisionHub } from "./hub.js";

/** An `incidents` row as it is read back. */
interface IncidentRow {
  id: string;
  project_id: string;
  action: Decision["action"];
  releases: string;
  scope: Record<string, string>;
  detector: string;
  reason: string;
  evidence: string;
  /** Named apart from the columns: an alias of a column's own name would replace it in WHERE. */
  created_text: string;
  expires_text: string;
}

/**
 * Reads the kills, tool blocks and releases an earlier run of the collector made that are still
 * in force back from `incidents` into the hub, so the apps that connect to this run are sent
 * them: a restart must not let a killed scope call again. Storage that cannot be read now only
 * costs the apps those decisions (new ones still flow), so it is logged, not thrown.
 */
export async function restoreDecisions(db: ClickHouse, hub: DecisionHub, log: Logger): Promise<number> {
  try {
    const rows = await db.query<IncidentRow>({
      query: `SELECT id, project_id, action, releases, scope, detector, reason, evidence,
          toString(created_at) AS created_text, toString(expires_at) AS expires_text
        FROM incidents FINAL
        WHERE action != 'warn' AND expires_at > now64(3)
        ORDER BY created_at, id`,
      params: {},
    });
    hub.restore(rows.map(decisionOf));
    return rows.length;
  } catch (error) {
    log.warn(
      `burnrate: the decisions still in force could not be read back from incidents (${(error as Error).message}); apps connecting now are sent only new ones`,
    );
    return 0;
  }
}

/** The decision an `incidents` row stored (see `incidentRow`). */
function decisionOf(row: IncidentRow): Decision {
  let evidence: Record<string, unknown> = {};
  try {
    evidence = JSON.parse(row.evidence) as Record<string, unknown>;
  } catch {
    // stored by us as JSON; an unreadable one keeps the decision, without its numbers
  }
  return {
    decision_id: row.id,
    project_id: row.project_id,
    action: row.action,
    ...(row.releases ? { releases: row.releases } : {}),
    scope: Object.fromEntries(Object.entries(row.scope).filter(([, value]) => value !== "")),
    detector: row.detector,
    reason: row.reason,
    evidence,
    created_at: isoOf(row.created_text),
    expires_at: isoOf(row.expires_text),
  };
}

/** `2026-11-30 12:00:00.000` (UTC) as `2026-11-30T12:00:00.000Z`. */
function isoOf(text: string): string {
  return `${text.replace(" ", "T")}Z`;
}
