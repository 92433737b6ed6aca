import { formatUsd, parseUsd } from "@burnrate/core";
import { HttpError } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { incidentsOf } from "../queries/incidents.js";
import { type CallRow, sessionCalls } from "../queries/trace-calls.js";
import { sessionParams, sessionResponse } from "../schemas/session.js";
import { isoFromSql } from "../schemas/time-range.js";
import { summariseCalls } from "../views/call-summary.js";

/** GET /v1/sessions/:id — what a conversation cost across its traces. */
export const getSession = defineRoute({
  method: "get",
  path: "/v1/sessions/:id",
  tag: "sessions",
  summary: "The cost of a session across its traces",
  description:
    "Totals, models and attribution over every call of the session, one line per trace, and its incidents.",
  role: "read",
  params: sessionParams,
  response: sessionResponse,
  errors: [404],
  async handle({ params, project, context }) {
    const calls = await sessionCalls(context.db, project, params.id);
    if (calls.length === 0) throw new HttpError(404, `no session ${params.id} in this project`);
    const incidents = await incidentsOf(context.db, project, { sessionId: params.id });
    return {
      sessionId: params.id,
      startTime: isoFromSql(calls[0]!.start),
      endTime: isoFromSql(
        calls
          .map((c) => c.end)
          .sort()
          .at(-1)!,
      ),
      ...summariseCalls(calls),
      traces: perTrace(calls),
      incidents,
    };
  },
});

/** One line per trace, in the order the traces started (calls arrive sorted by start). */
function perTrace(calls: readonly CallRow[]) {
  const traces = new Map<
    string,
    { start: string; end: string; calls: number; unpriced: number; cost: bigint }
  >();
  for (const call of calls) {
    const t = traces.get(call.trace_id) ?? {
      start: call.start,
      end: call.end,
      calls: 0,
      unpriced: 0,
      cost: 0n,
    };
    t.calls++;
    if (call.end > t.end) t.end = call.end;
    if (call.cost_source === "unpriced") t.unpriced++;
    else t.cost += parseUsd(call.cost_total);
    traces.set(call.trace_id, t);
  }
  return [...traces].map(([traceId, t]) => ({
    traceId,
    startTime: isoFromSql(t.start),
    endTime: isoFromSql(t.end),
    calls: t.calls,
    unpricedCalls: t.unpriced,
    pricedCostUsd: formatUsd(t.cost),
  }));
}
