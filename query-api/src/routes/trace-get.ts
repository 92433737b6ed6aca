import { HttpError } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { incidentsOf } from "../queries/incidents.js";
import { traceCalls } from "../queries/trace-calls.js";
import { traceSpans } from "../queries/trace-spans.js";
import { isoFromSql } from "../schemas/time-range.js";
import { traceParams, traceResponse } from "../schemas/trace.js";
import { summariseCalls } from "../views/call-summary.js";
import { buildSpanTree } from "../views/span-tree.js";

/** GET /v1/traces/:traceId — what one trace cost, span by span. */
export const getTrace = defineRoute({
  method: "get",
  path: "/v1/traces/:traceId",
  tag: "traces",
  summary: "The cost of one trace",
  description:
    "The span tree with tokens and cost on each LLM call and subtree totals on every span; the trace's totals " +
    "(priced cost, tokens by kind, calls, models); and its incidents. Unpriced calls are counted in " +
    "`unpricedCalls` and have null costs: they are never counted as $0.",
  role: "read",
  params: traceParams,
  response: traceResponse,
  errors: [404],
  async handle({ params, project, context }) {
    const { db } = context;
    // The calls say when the trace ran, which lets the span lookup skip other days; the
    // incidents need neither, so they are read meanwhile.
    const callsAndSpans = traceCalls(db, project, params.traceId).then(async (calls) => {
      const window =
        calls.length > 0 ? { from: calls[0]!.start, to: latest(calls.map((c) => c.end)) } : undefined;
      return { calls, spans: await traceSpans(db, project, params.traceId, window) };
    });
    const [{ calls, spans }, incidents] = await Promise.all([
      callsAndSpans,
      incidentsOf(db, project, { traceId: params.traceId }),
    ]);
    if (calls.length === 0 && spans.length === 0) {
      throw new HttpError(404, `no trace ${params.traceId} in this project`);
    }
    const summary = summariseCalls(calls);
    const tree = buildSpanTree(spans, calls);
    return {
      traceId: params.traceId,
      startTime: isoFromSql(earliest([...calls.map((c) => c.start), ...spans.map((s) => s.start)])),
      endTime: isoFromSql(latest([...calls.map((c) => c.end), ...spans.map((s) => s.end)])),
      ...summary,
      spans: tree,
      incidents,
    };
  },
});

/** Times as ClickHouse text sort as strings do, so the first and last after sorting are the extremes. */
function earliest(values: string[]): string {
  return values.sort()[0]!;
}

function latest(values: string[]): string {
  return values.sort().at(-1)!;
}
