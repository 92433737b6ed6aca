import { z } from "zod";
import { incident } from "./incident.js";
import { callTotals, instant, tokens, usd } from "./money.js";

/** A trace id as OTLP carries it: 32 lowercase hex digits (other text is accepted and simply not found). */
export const traceId = z.string().min(1).max(128).describe("the trace id, 32 hex digits");

/** A call's cost parts. All null when the call is unpriced: an unknown price is not $0. */
export const callCost = z.object({
  source: z.enum(["provider", "computed", "unpriced"]),
  priceVersion: z.string(),
  totalUsd: usd.nullable(),
  inputUsd: usd.nullable(),
  outputUsd: usd.nullable(),
  cacheReadUsd: usd.nullable(),
  cacheWriteUsd: usd.nullable(),
});

/** A count of tokens or searches one call reported. */
const count = z.number().int().nonnegative();

/** The LLM call a span made, with its tokens, cost and attribution. */
export const spanCall = z.object({
  provider: z.string(),
  operation: z.string(),
  model: z.string().describe("the response model when reported, else the request model"),
  requestModel: z.string(),
  responseModel: z.string(),
  serviceTier: z.string(),
  feature: z.string(),
  user: z.string(),
  tenant: z.string(),
  agent: z.string(),
  sessionId: z.string(),
  tokens: tokens.extend({
    cacheWrite1h: count
      .optional()
      .describe(
        "the part of `cacheWrite` written to a one-hour cache (Anthropic's ttl 1h), billed at its own rate; absent when none",
      ),
    audioInput: count
      .optional()
      .describe("the part of `input` that was audio, billed at the audio input rate; absent when none"),
    audioOutput: count
      .optional()
      .describe("the part of `output` that was audio, billed at the audio output rate; absent when none"),
    webSearches: count
      .optional()
      .describe(
        "server-side web searches the call ran, each billed a fee (in the input cost); absent when none",
      ),
  }),
  cost: callCost,
  estimated: z.boolean().describe("usage came from a tokenizer estimate, not the provider"),
  status: z.enum(["ok", "error"]),
  errorType: z.string(),
});
export type SpanCall = z.infer<typeof spanCall>;

/** Calls and priced cost of a span and everything below it. */
export const subtreeTotals = z.object({
  calls: z.number().int().nonnegative(),
  unpricedCalls: z.number().int().nonnegative(),
  pricedCostUsd: usd,
});

/**
 * One span of the tree. The list is in tree order (each parent before its children,
 * siblings by start time), and `depth` is the distance from a root, so a client can indent
 * it as is.
 */
export const traceSpan = z.object({
  spanId: z.string(),
  parentSpanId: z.string(),
  depth: z.number().int().nonnegative(),
  name: z.string(),
  kind: z.string(),
  service: z.string(),
  startTime: instant,
  durationMs: z.number().nonnegative(),
  status: z.string().describe("unset, ok or error"),
  call: spanCall.nullable().describe("the LLM call this span made; null for other spans"),
  subtree: subtreeTotals,
});
export type TraceSpan = z.infer<typeof traceSpan>;

/** Calls, tokens and priced cost per model. */
export const modelTotals = z.object({
  provider: z.string(),
  model: z.string(),
  calls: z.number().int().nonnegative(),
  unpricedCalls: z.number().int().nonnegative(),
  pricedCostUsd: usd,
  tokens,
});

/** The distinct attribution values a trace or session carries, sorted. */
export const attribution = z.object({
  services: z.array(z.string()),
  features: z.array(z.string()),
  users: z.array(z.string()),
  tenants: z.array(z.string()),
  agents: z.array(z.string()),
  sessions: z.array(z.string()),
});

/** Priced cost split by token kind (priced calls only). */
export const costBreakdown = z.object({
  inputUsd: usd,
  outputUsd: usd,
  cacheReadUsd: usd,
  cacheWriteUsd: usd,
});

/** GET /v1/traces/:traceId */
export const traceResponse = z.object({
  traceId: z.string(),
  startTime: instant,
  endTime: instant,
  totals: callTotals.extend({ estimatedCalls: z.number().int().nonnegative(), costBreakdown }),
  models: z.array(modelTotals),
  attribution,
  spans: z.array(traceSpan),
  incidents: z.array(incident),
});
export type TraceResponse = z.infer<typeof traceResponse>;

export const traceParams = z.strictObject({ traceId });
