import { badInput } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { type Cursor, decodeCursor, encodeCursor, filtersDigest } from "../queries/cursor.js";
import {
  incidentCounts,
  MOST_RANKED,
  positionOf,
  type SearchPosition,
  searchTraces,
  type TraceSearchRow,
} from "../queries/trace-search.js";
import { traceSearchQuery, traceSearchResponse } from "../schemas/search.js";
import { instantFromIso, isoFromSql, resolveRange } from "../schemas/time-range.js";

/** GET /v1/traces — find traces by time, attribution, model, cost and incidents. */
export const searchTracesRoute = defineRoute({
  method: "get",
  path: "/v1/traces",
  tag: "traces",
  summary: "Search traces",
  description:
    "Traces whose first LLM call started in [from, to), with at least one call matching every dimension " +
    "filter, sorted by start time or priced cost. Pagination is keyset-based: `nextCursor` encodes the last " +
    "trace's sort key and id plus the first page's range and filters, so traces arriving while a client pages " +
    "never make a page repeat or skip a trace that was already there. A page is full while more traces match, " +
    `except when one request has passed over ${MOST_RANKED.toLocaleString("en")} traces that began before \`from\`: ` +
    "it then comes back short, possibly empty, with a `nextCursor` that goes on from there.",
  role: "read",
  query: traceSearchQuery,
  response: traceSearchResponse,
  errors: [503],
  async handle({ query, project, context }) {
    const { cursor: cursorText, sort, order, limit, from: _from, to: _to, ...filters } = query;
    const digest = filtersDigest(filters);
    let range = resolveRange(query, context.now());
    let after: { key: string; traceId: string } | undefined;
    if (cursorText !== undefined) {
      const cursor = decodeCursor(cursorText);
      if (cursor.sort !== sort || cursor.order !== order || cursor.filters !== digest) {
        throw badInput(
          "query",
          "cursor",
          "was issued for a different sort, order or filters; start again without it",
        );
      }
      // The first page's range stays in force, so `to` defaulting to "now" cannot move;
      // decodeCursor has held it to the checks a request's range passes.
      range = { from: instantFromIso(cursor.from), to: instantFromIso(cursor.to) };
      after = { key: cursor.key, traceId: cursor.traceId };
    }
    const { rows, resume } = await searchTraces(context.db, {
      project,
      range,
      filters,
      sort,
      order,
      after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const incidents = await incidentCounts(
      context.db,
      project,
      page.map((r) => r.trace_id),
    );
    const last = page[page.length - 1];
    // Past a full page, the next one starts after its last trace; a search that stopped
    // before it had a full page goes on from where it stopped.
    const position: SearchPosition | undefined =
      rows.length > limit && last ? positionOf(sort, last) : resume;
    const next: Cursor | undefined = position && {
      sort,
      order,
      ...position,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      filters: digest,
    };
    return {
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      sort,
      order,
      traces: page.map((row) => toSummary(row, incidents.get(row.trace_id) ?? 0)),
      nextCursor: next ? encodeCursor(next) : null,
    };
  },
});

function toSummary(row: TraceSearchRow, incidents: number) {
  const calls = Number(row.calls);
  const unpriced = Number(row.unpriced_calls);
  return {
    traceId: row.trace_id,
    startTime: isoFromSql(row.started_text),
    endTime: isoFromSql(row.ended_text),
    services: row.services,
    features: row.features,
    users: row.users,
    tenants: row.tenants,
    agents: row.agents,
    models: row.models,
    sessions: row.sessions,
    calls,
    pricedCalls: calls - unpriced,
    unpricedCalls: unpriced,
    errorCalls: Number(row.error_calls),
    pricedCostUsd: row.cost,
    tokens: {
      input: Number(row.input_tokens),
      output: Number(row.output_tokens),
      cacheRead: Number(row.cache_read_tokens),
      cacheWrite: Number(row.cache_write_tokens),
      reasoning: Number(row.reasoning_tokens),
    },
    incidents,
  };
}
