import { z } from "zod";
import { HttpError } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { incidentsOf } from "../queries/incidents.js";
import { listCalls, MAX_VIEW_CALLS, scopeModels, traceScope } from "../queries/trace-calls.js";
import { MAX_VIEW_SPANS, traceSpans } from "../queries/trace-spans.js";
import { isoFromSql } from "../schemas/time-range.js";
import { traceParams, traceResponse } from "../schemas/trace.js";
import { callsExtent, modelsOf, summariseModels } from "../views/call-summary.js";
import { buildSpanTree } from "../views/span-tree.js";

/**
 * GET /v1/traces/:traceId's body. `callsTruncated` is declared here, beside the cap it
 * reports, so the OpenAPI document (generated from this schema) carries it.
 */
const traceBody = traceResponse.extend({
  callsTruncated: z
    .boolean()
    .describe(
      `true when the trace has more than ${MAX_VIEW_CALLS} calls: \`spans\` then holds only the first ` +
        `${MAX_VIEW_CALLS} by start time (and subtree totals count only those), while \`totals\`, ` +
        "`models`, `attribution` and `endTime` always cover every call",
    ),
  spansTruncated: z
    .boolean()
    .describe(
      `true when the trace has more than ${MAX_VIEW_SPANS} spans: \`spans\` then holds its LLM calls and ` +
        `only the first ${MAX_VIEW_SPANS} of its spans by start time; the others (agent, tool and HTTP spans) ` +
        "are left out of the tree, and the totals still count every call",
    ),
});

/** GET /v1/traces/:traceId — what one trace cost, span by span. */
export const getTrace = defineRoute({
  method: "get",
  path: "/v1/traces/:traceId",
  tag: "traces",
  summary: "The cost of one trace",
  description:
    "The span tree with tokens and cost on each LLM call and subtree totals on every span; the trace's totals " +
    "(priced cost, tokens by kind, calls, models) over every call; and its incidents. Unpriced calls are " +
    "counted in `unpricedCalls` and have null costs: they are never counted as $0. A runaway trace lists " +
    `its first ${MAX_VIEW_CALLS} calls in the tree and says so in \`callsTruncated\`; a trace of more than ` +
    `${MAX_VIEW_SPANS} spans lists only the first ${MAX_VIEW_SPANS} and says so in \`spansTruncated\`.`,
  role: "read",
  params: traceParams,
  response: traceBody,
  errors: [404, 503],
  async handle({ params, project, context }) {
    const { db } = context;
    const scope = traceScope(project, params.traceId);
    // The calls say when the trace ran, which bounds the span lookup; the incidents need
    // neither, so they are read meanwhile.
    const callsAndSpans = listCalls(db, scope).then(async ({ calls, truncated }) => {
      // A list that holds every call sums exactly and saves a query (12-15 ms at 10M calls,
      // against a 20 ms budget for the whole view); a cut one is summed in SQL, over all calls.
      const models = truncated ? await scopeModels(db, scope) : modelsOf(calls);
      const extent = callsExtent(models);
      const { spans, truncated: spansTruncated } = await traceSpans(db, project, params.traceId, extent);
      return { calls, truncated, models, extent, spans, spansTruncated };
    });
    const [{ calls, truncated, models, extent, spans, spansTruncated }, incidents] = await Promise.all([
      callsAndSpans,
      incidentsOf(db, project, { traceId: params.traceId }),
    ]);
    if (!extent && spans.length === 0) {
      throw new HttpError(404, `no trace ${params.traceId} in this project`);
    }
    const starts = [...(extent ? [extent.start] : []), ...spans.map((s) => s.start)];
    const ends = [...(extent ? [extent.end] : []), ...spans.map((s) => s.end)];
    return {
      traceId: params.traceId,
      startTime: isoFromSql(starts.sort()[0]!),
      endTime: isoFromSql(ends.sort().at(-1)!),
      ...summariseModels(models),
      spans: buildSpanTree(spans, calls),
      incidents,
      callsTruncated: truncated,
      spansTruncated,
    };
  },
});
