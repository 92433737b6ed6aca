import { formatUsd, parseUsd } from "@burnrate/core";
import { z } from "zod";
import { HttpError } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { incidentsOf } from "../queries/incidents.js";
import {
  type CallRow,
  listCalls,
  MAX_VIEW_TRACES,
  type SessionTraceRow,
  scopeModels,
  sessionScope,
  sessionTraces,
} from "../queries/trace-calls.js";
import { sessionParams, sessionResponse } from "../schemas/session.js";
import { isoFromSql } from "../schemas/time-range.js";
import { callsExtent, compareText, modelsOf, summariseModels } from "../views/call-summary.js";

/**
 * GET /v1/sessions/:id's body. `tracesTruncated` is declared here, beside the cap it
 * reports, so the OpenAPI document (generated from this schema) carries it.
 */
const sessionBody = sessionResponse.extend({
  tracesTruncated: z
    .boolean()
    .describe(
      `true when the session has more than ${MAX_VIEW_TRACES} traces: \`traces\` then lists only the first ` +
        `${MAX_VIEW_TRACES} by start time, while \`totals\`, \`models\` and \`attribution\` always cover every call`,
    ),
});

/** GET /v1/sessions/:id — what a conversation cost across its traces. */
export const getSession = defineRoute({
  method: "get",
  path: "/v1/sessions/:id",
  tag: "sessions",
  summary: "The cost of a session across its traces",
  description:
    "Totals, models and attribution over every call of the session, one line per trace (each over all its " +
    `calls; the first ${MAX_VIEW_TRACES} traces by start time, and \`tracesTruncated\` when there are more), ` +
    "and its incidents.",
  role: "read",
  params: sessionParams,
  response: sessionBody,
  errors: [404, 503],
  async handle({ params, project, context }) {
    const scope = sessionScope(project, params.id);
    const list = await listCalls(context.db, scope);
    // A list that holds every call is summed here, exactly: a session of ordinary size needs
    // that one read, where the sums in SQL would add two (~30 ms at 10M calls on chDB). A
    // runaway session, whose list is cut, is summed in SQL over every call.
    const [models, traces] = list.truncated
      ? await Promise.all([scopeModels(context.db, scope), sessionTraces(context.db, scope)])
      : [modelsOf(list.calls), { traces: tracesOf(list.calls), truncated: false }];
    const extent = callsExtent(models);
    if (!extent) throw new HttpError(404, `no session ${params.id} in this project`);
    const incidents = await incidentsOf(context.db, project, { sessionId: params.id });
    return {
      sessionId: params.id,
      startTime: isoFromSql(extent.start),
      endTime: isoFromSql(extent.end),
      ...summariseModels(models),
      traces: traces.traces.map((t) => ({
        traceId: t.trace_id,
        startTime: isoFromSql(t.start),
        endTime: isoFromSql(t.end),
        calls: Number(t.calls),
        unpricedCalls: Number(t.unpricedCalls),
        pricedCostUsd: formatUsd(parseUsd(t.pricedCostUsd)),
      })),
      tracesTruncated: traces.truncated,
      incidents,
    };
  },
});

/** The per-trace lines `sessionTraces` sums in SQL, from a list that holds every call. */
function tracesOf(calls: readonly CallRow[]): SessionTraceRow[] {
  const traces = new Map<string, SessionTraceRow & { cost: bigint }>();
  for (const call of calls) {
    const t = traces.get(call.trace_id) ?? {
      trace_id: call.trace_id,
      start: call.start,
      end: call.end,
      calls: 0,
      unpricedCalls: 0,
      pricedCostUsd: "",
      cost: 0n,
    };
    t.calls++;
    if (call.end > t.end) t.end = call.end;
    if (call.cost_source === "unpriced") t.unpricedCalls++;
    else t.cost += parseUsd(call.cost_total);
    traces.set(call.trace_id, t);
  }
  // The order `sessionTraces` gives: by first start, then trace id.
  return [...traces.values()]
    .sort((a, b) => compareText(a.start, b.start) || compareText(a.trace_id, b.trace_id))
    .map(({ cost, ...t }) => ({ ...t, pricedCostUsd: formatUsd(cost) }));
}
