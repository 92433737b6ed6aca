import { createPriceBook, UNPRICED } from "@burnrate/core";
import { callRow } from "./empty-store-api.js";

const book = createPriceBook();
let made = 0;

/** `2026-11-02 hh:mm:00` as `llm_calls.start_time` text. */
export function onDay1(hour: number, minute = 0): string {
  return `2026-11-02 ${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00.000000000`;
}

/**
 * An `llm_calls` row of project `default` (see `callRow`) with its own trace and span ids,
 * its cost computed by today's price book from its tokens, model and tier, as the collector
 * would store it; a `cost_total` in `over` is stored as given instead.
 */
export function pricedCall(over: Record<string, unknown>): Record<string, unknown> {
  made++;
  const row: Record<string, unknown> = {
    ...callRow({ trace_id: `trace-${made}`, span_id: `span-${made}` }),
    cache_write_1h_tokens: 0,
    audio_input_tokens: 0,
    audio_output_tokens: 0,
    web_searches: 0,
    ...over,
  };
  if (over.cost_total !== undefined) return row;
  const n = (key: string) => Number(row[key]);
  const { cost } = book.price({
    provider: String(row.provider),
    requestModel: String(row.request_model),
    responseModel: String(row.response_model),
    serviceTier: String(row.service_tier),
    startTimeUnixNano:
      BigInt(Date.parse(`${String(row.start_time).replace(" ", "T").slice(0, 23)}Z`)) * 1_000_000n,
    cost: UNPRICED,
    tokens: {
      input: n("input_tokens"),
      output: n("output_tokens"),
      cacheRead: n("cache_read_tokens"),
      cacheWrite: n("cache_write_tokens"),
      cacheWrite1h: n("cache_write_1h_tokens"),
      reasoning: n("reasoning_tokens"),
      audioInput: n("audio_input_tokens"),
      audioOutput: n("audio_output_tokens"),
      webSearches: n("web_searches"),
    },
  });
  return {
    ...row,
    cost_input: cost.input,
    cost_output: cost.output,
    cost_cache_read: cost.cacheRead,
    cost_cache_write: cost.cacheWrite,
    cost_total: cost.total,
    cost_source: cost.source,
    price_version: cost.priceVersion,
  };
}

/** A span row carrying `attributes`, for the call `row` (same trace, span and start). */
export function spanOf(
  row: Record<string, unknown>,
  attributes: Record<string, string>,
): Record<string, unknown> {
  return {
    ProjectId: row.project_id,
    Timestamp: row.start_time,
    TraceId: row.trace_id,
    SpanId: row.span_id,
    SpanName: "chat",
    ServiceName: row.service,
    SpanAttributes: attributes,
  };
}

/** The insights of one kind from a `/v1/insights` answer. */
export function ofKind(body: unknown, kind: string): unknown[] {
  return ((body as { insights: { kind: string }[] }).insights ?? []).filter((i) => i.kind === kind);
}
