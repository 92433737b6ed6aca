import { fileURLToPath } from "node:url";
import * as C from "@burnrate/core";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import type { ExporterKind } from "./otel.js";

export const OVERRIDES_FILE = fileURLToPath(new URL("../testdata/acme-prices.yaml", import.meta.url));

/** Every call starts at this instant, so each is priced at the same point of the price book. */
export const CALL_TIME = new Date("2026-11-02T09:30:00.000Z");
const DURATION_MS = 1_250;

interface Case {
  name: string;
  attributes: Record<string, string | number | string[]>;
  /** The llm_calls columns that differ between cases. */
  expected: Record<string, unknown>;
}

const attribution = {
  [C.ATTR_BURNRATE_FEATURE]: "ticket-summary",
  [C.ATTR_BURNRATE_USER]: "u-42",
  [C.ATTR_BURNRATE_TENANT]: "acme",
  [C.ATTR_GEN_AI_CONVERSATION_ID]: "conv-7",
  [C.ATTR_GEN_AI_AGENT_NAME]: "triage",
};

const zero = "0.000000000000";

/**
 * The calls the collector must price exactly (prices from genai-prices 0.1.8 at
 * CALL_TIME; the arithmetic is in each case's comments).
 */
export const CASES: Case[] = [
  {
    name: "OpenAI model with cached input",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-4o-2024-08-06",
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 12_000,
      [C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 10_240,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 500,
    },
    expected: {
      provider: "openai",
      request_model: "gpt-4o",
      response_model: "gpt-4o-2024-08-06",
      tokens: [12_000, 500, 10_240, 0, 0],
      cost_input: "0.004400000000", // (12000 - 10240) uncached * $2.50/M
      cost_cache_read: "0.012800000000", // 10240 cached * $1.25/M
      cost_cache_write: zero,
      cost_output: "0.005000000000", // 500 * $10/M
      cost_total: "0.022200000000",
      cost_source: "computed",
      price_version: "genai-prices@0.1.8",
    },
  },
  {
    name: "Anthropic model with cache read and cache write",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "claude-sonnet-4-5",
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "claude-sonnet-4-5-20250929",
      // semconv input includes both cache parts: 2000 uncached + 30000 read + 5000 written
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 37_000,
      [C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 30_000,
      [C.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 5_000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 800,
    },
    expected: {
      provider: "anthropic",
      request_model: "claude-sonnet-4-5",
      response_model: "claude-sonnet-4-5-20250929",
      tokens: [37_000, 800, 30_000, 5_000, 0],
      cost_input: "0.006000000000", // 2000 * $3/M
      cost_cache_read: "0.009000000000", // 30000 * $0.30/M
      cost_cache_write: "0.018750000000", // 5000 * $3.75/M
      cost_output: "0.012000000000", // 800 * $15/M
      cost_total: "0.045750000000",
      cost_source: "computed",
      price_version: "genai-prices@0.1.8",
    },
  },
  {
    name: "Anthropic model with one-hour cache writes",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "claude-sonnet-4-5",
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "claude-sonnet-4-5-20250929",
      // 1000 uncached + 8000 written, 6000 of them to the one-hour cache
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 9_000,
      [C.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 8_000,
      [C.ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS]: 6_000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100,
    },
    expected: {
      provider: "anthropic",
      request_model: "claude-sonnet-4-5",
      response_model: "claude-sonnet-4-5-20250929",
      tokens: [9_000, 100, 0, 8_000, 0, 6_000],
      cost_input: "0.003000000000", // 1000 * $3/M
      cost_cache_read: zero,
      cost_cache_write: "0.043500000000", // 2000 * $3.75/M (five-minute) + 6000 * $6/M (one-hour)
      cost_output: "0.001500000000", // 100 * $15/M
      cost_total: "0.048000000000",
      cost_source: "computed",
      price_version: "genai-prices@0.1.8",
    },
  },
  {
    name: "OpenAI audio model",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-audio",
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "gpt-audio-2025-08-28",
      // 500 text + 1500 audio prompt tokens; 200 text + 800 audio completion tokens
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2_000,
      [C.ATTR_BURNRATE_USAGE_AUDIO_INPUT_TOKENS]: 1_500,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 1_000,
      [C.ATTR_BURNRATE_USAGE_AUDIO_OUTPUT_TOKENS]: 800,
    },
    expected: {
      provider: "openai",
      request_model: "gpt-audio",
      response_model: "gpt-audio-2025-08-28",
      tokens: [2_000, 1_000, 0, 0, 0],
      audio_input_tokens: 1_500,
      audio_output_tokens: 800,
      // genai-prices' gpt-audio: input_mtok 2.5, output_mtok 10, input_audio_mtok 32, output_audio_mtok 64
      cost_input: "0.049250000000", // 500 text * $2.50/M + 1500 audio * $32/M = 0.00125 + 0.048
      cost_cache_read: zero,
      cost_cache_write: zero,
      cost_output: "0.053200000000", // 200 text * $10/M + 800 audio * $64/M = 0.002 + 0.0512
      cost_total: "0.102450000000", // as genai-prices' own calcPrice: input 0.04925 + output 0.0532
      cost_source: "computed",
      price_version: "genai-prices@0.1.8",
    },
  },
  {
    name: "Anthropic model with web searches",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "anthropic",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "claude-sonnet-4-5",
      [C.ATTR_GEN_AI_RESPONSE_MODEL]: "claude-sonnet-4-5-20250929",
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2_000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 300,
      [C.ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS]: 5,
    },
    expected: {
      provider: "anthropic",
      request_model: "claude-sonnet-4-5",
      response_model: "claude-sonnet-4-5-20250929",
      tokens: [2_000, 300, 0, 0, 0],
      web_searches: 5,
      // genai-prices' claude-sonnet-4-5: input_mtok 3, output_mtok 15, web_searches_kcount 10
      cost_input: "0.056000000000", // 2000 * $3/M + 5 searches * $10/1000 = 0.006 + 0.05 (the fee is in the input part)
      cost_cache_read: zero,
      cost_cache_write: zero,
      cost_output: "0.004500000000", // 300 * $15/M
      cost_total: "0.060500000000", // as genai-prices' own calcPrice total (it keeps the fee in neither part)
      cost_source: "computed",
      price_version: "genai-prices@0.1.8",
    },
  },
  {
    name: "reasoning model",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "o4-mini",
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 3_000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 4_000,
      [C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 3_500,
    },
    expected: {
      provider: "openai",
      request_model: "o4-mini",
      response_model: "",
      tokens: [3_000, 4_000, 0, 0, 3_500],
      cost_input: "0.003300000000", // 3000 * $1.10/M
      cost_cache_read: zero,
      cost_cache_write: zero,
      cost_output: "0.017600000000", // 4000 output (3500 of them reasoning, not priced again) * $4.40/M
      cost_total: "0.020900000000",
      cost_source: "computed",
      price_version: "genai-prices@0.1.8",
    },
  },
  {
    name: "batch-tier call",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o-mini",
      [C.ATTR_BURNRATE_REQUEST_SERVICE_TIER]: "batch",
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 100_000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 20_000,
    },
    expected: {
      provider: "openai",
      request_model: "gpt-4o-mini",
      response_model: "",
      service_tier: "batch",
      tokens: [100_000, 20_000, 0, 0, 0],
      cost_input: "0.007500000000", // 100000 * $0.15/M * 50%
      cost_cache_read: zero,
      cost_cache_write: zero,
      cost_output: "0.006000000000", // 20000 * $0.60/M * 50%
      cost_total: "0.013500000000",
      cost_source: "computed",
      price_version: "genai-prices@0.1.8",
    },
  },
  {
    name: "custom model priced by an override",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "self-hosted",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "acme-llama-70b",
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 40_000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 2_000,
    },
    expected: {
      provider: "self-hosted",
      request_model: "acme-llama-70b",
      response_model: "",
      tokens: [40_000, 2_000, 0, 0, 0],
      cost_input: "0.020000000000", // 40000 * $0.50/M (override)
      cost_cache_read: zero,
      cost_cache_write: zero,
      cost_output: "0.003000000000", // 2000 * $1.50/M (override)
      cost_total: "0.023000000000",
      cost_source: "computed",
      price_version: "override:acme-2026-11",
    },
  },
  {
    name: "unknown model",
    attributes: {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: "openai",
      [C.ATTR_GEN_AI_REQUEST_MODEL]: "mystery-model-9000",
      [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 5_000,
      [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100,
    },
    expected: {
      provider: "openai",
      request_model: "mystery-model-9000",
      response_model: "",
      tokens: [5_000, 100, 0, 0, 0],
      cost_input: zero,
      cost_cache_read: zero,
      cost_cache_write: zero,
      cost_output: zero,
      cost_total: zero,
      cost_source: "unpriced", // never $0: the source says no price was known
      price_version: "",
    },
  },
];

/** The whole llm_calls row each case must produce (every column but `version`). */
export function expectedRow(c: Case, ids: { traceId: string; spanId: string; parentSpanId: string }) {
  const { tokens, ...rest } = c.expected as { tokens: number[] } & Record<string, unknown>;
  const [input, output, cacheRead, cacheWrite, reasoning, cacheWrite1h = 0] = tokens;
  return {
    project_id: "default",
    start_time: "2026-11-02 09:30:00.000000000",
    trace_id: ids.traceId,
    span_id: ids.spanId,
    parent_span_id: ids.parentSpanId,
    session_id: "conv-7",
    service: "pricing-e2e",
    agent: "triage",
    feature: "ticket-summary",
    user_id: "u-42",
    tenant: "acme",
    operation: "chat",
    service_tier: "",
    input_tokens: input,
    output_tokens: output,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    cache_write_1h_tokens: cacheWrite1h,
    reasoning_tokens: reasoning,
    // 0 unless the case's `expected` sets them
    audio_input_tokens: 0,
    audio_output_tokens: 0,
    web_searches: 0,
    estimated: false,
    prompt_fingerprint: "",
    tool_call_fingerprints: [],
    status: "ok",
    error_type: "",
    duration_ns: DURATION_MS * 1_000_000,
    ...rest,
  };
}

/**
 * Exports the cases as spans through the real `@opentelemetry/sdk-node` and the named OTLP
 * exporter, as children of one root span. Ids are the SDK's own; `spanIds[i]` is case i's.
 */
export async function exportCases(
  kind: ExporterKind,
  collectorUrl: string,
): Promise<{ traceId: string; rootSpanId: string; spanIds: string[] }> {
  const url = `${collectorUrl}/v1/traces`;
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [C.ATTR_SERVICE_NAME]: "pricing-e2e" }),
    traceExporter: kind === "proto" ? new ProtoExporter({ url }) : new HttpJsonExporter({ url }),
    instrumentations: [],
  });
  sdk.start();
  const tracer = trace.getTracer("pricing-e2e");
  const root = tracer.startSpan("agent run", { startTime: CALL_TIME });
  const ctx = trace.setSpan(context.active(), root);
  const spanIds: string[] = [];
  for (const c of CASES) {
    const model = String(c.attributes[C.ATTR_GEN_AI_REQUEST_MODEL]);
    const span = tracer.startSpan(
      `chat ${model}`,
      {
        kind: SpanKind.CLIENT,
        startTime: CALL_TIME,
        attributes: { [C.ATTR_GEN_AI_OPERATION_NAME]: "chat", ...attribution, ...c.attributes },
      },
      ctx,
    );
    spanIds.push(span.spanContext().spanId);
    span.end(new Date(CALL_TIME.getTime() + DURATION_MS));
  }
  root.end(new Date(CALL_TIME.getTime() + 10_000));
  await sdk.shutdown();
  return { traceId: root.spanContext().traceId, rootSpanId: root.spanContext().spanId, spanIds };
}
