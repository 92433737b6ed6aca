import type { ApiKey, AttributeValue } from "@burnrate/core";
import * as C from "@burnrate/core";
import { keyValues } from "./otlp-json.js";

/** Keys of the two projects: the collector takes the ingest keys, the API the others. */
export const KEYS = {
  acmeIngest: { key: "acme-ingest-key-0001", project: "acme", role: "ingest" },
  acmeRead: { key: "acme-read-key-000001", project: "acme", role: "read" },
  acmeAdmin: { key: "acme-admin-key-00001", project: "acme", role: "admin" },
  betaIngest: { key: "beta-ingest-key-0001", project: "beta", role: "ingest" },
  betaRead: { key: "beta-read-key-000001", project: "beta", role: "read" },
} as const satisfies Record<string, ApiKey>;
export const ALL_KEYS: ApiKey[] = Object.values(KEYS);

/** An injection attempt for every filter; each must come back as plain data. */
export const EVIL = {
  service: `svc"; DROP TABLE spans; --`,
  feature: "x'); DROP TABLE llm_calls; --",
  user: "' OR 1=1 --",
  tenant: "{p0:String}",
  agent: "agent`; SELECT 1",
  provider: "x' or '1'='1",
  model: "gpt-4o'); --",
  operation: "chat\\'; --",
} as const;

/** Trace ids: 32 hex digits, readable in failures. */
export const T = {
  ticket: "a0000000000000000000000000000001",
  ticketFollowUp: "a0000000000000000000000000000002",
  digest1: "a0000000000000000000000000000003",
  digest2: "a0000000000000000000000000000004",
  digest3: "a0000000000000000000000000000005",
  rag1: "a0000000000000000000000000000006",
  rag2: "a0000000000000000000000000000007",
  rag3: "a0000000000000000000000000000008",
  evil: "a0000000000000000000000000000009",
  nextDay: "a000000000000000000000000000000a",
  beta: "b0000000000000000000000000000001",
} as const;

export const DAY1 = "2026-11-02";
export const DAY2 = "2026-11-03";

interface SeedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind?: number;
  start: string;
  durationMs: number;
  attributes?: Record<string, AttributeValue>;
}

/** One OTLP export: a project's ingest key, a service, its spans. */
export interface SeedExport {
  key: string;
  service: string;
  spans: SeedSpan[];
}

const ticketPerson = {
  [C.ATTR_BURNRATE_FEATURE]: "ticket-summary",
  [C.ATTR_BURNRATE_USER]: "u-42",
  [C.ATTR_BURNRATE_TENANT]: "acme-corp",
  [C.ATTR_GEN_AI_AGENT_NAME]: "triage",
  [C.ATTR_GEN_AI_CONVERSATION_ID]: "conv-7",
};

/** A GenAI chat span's attributes: provider, model and tokens, plus attribution. */
export function chat(
  provider: string,
  model: string,
  tokens: { input: number; output: number; cacheRead?: number; cacheWrite?: number },
  extra: Record<string, AttributeValue> = {},
): Record<string, AttributeValue> {
  return {
    [C.ATTR_GEN_AI_PROVIDER_NAME]: provider,
    [C.ATTR_GEN_AI_OPERATION_NAME]: "chat",
    [C.ATTR_GEN_AI_REQUEST_MODEL]: model,
    [C.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: tokens.input,
    [C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: tokens.output,
    ...(tokens.cacheRead ? { [C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: tokens.cacheRead } : {}),
    ...(tokens.cacheWrite ? { [C.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: tokens.cacheWrite } : {}),
    ...extra,
  };
}

const span = (n: number) => n.toString(16).padStart(16, "0");

/**
 * The seed: a support bot's ticket trace (a root, a tool span, three calls, one of them to
 * a model nobody prices) and its follow-up in the same session; a nightly digest making the
 * same short gpt-4o call in three traces with no user (exact-cache, routing, batch and
 * prefix candidates); three RAG answers with large uncached prompts (prefix candidate); a
 * trace whose every dimension is an injection attempt; a call on the next day; and one
 * call in project beta under the same names, which acme must never see.
 */
export const SEED: SeedExport[] = [
  {
    key: KEYS.acmeIngest.key,
    service: "support-bot",
    spans: [
      {
        traceId: T.ticket,
        spanId: span(1),
        name: "handle ticket",
        kind: 2,
        start: `${DAY1}T09:00:00.000`,
        durationMs: 5_000,
      },
      {
        traceId: T.ticket,
        spanId: span(2),
        parentSpanId: span(1),
        name: "chat gpt-4o",
        start: `${DAY1}T09:00:01.000`,
        durationMs: 1_200,
        attributes: chat("openai", "gpt-4o", { input: 12_000, cacheRead: 10_240, output: 500 }, ticketPerson),
      },
      {
        traceId: T.ticket,
        spanId: span(3),
        parentSpanId: span(1),
        name: "execute_tool lookup_order",
        kind: 1,
        start: `${DAY1}T09:00:02.500`,
        durationMs: 300,
      },
      {
        traceId: T.ticket,
        spanId: span(4),
        parentSpanId: span(3),
        name: "chat mystery-model-9000",
        start: `${DAY1}T09:00:02.600`,
        durationMs: 150,
        attributes: chat("openai", "mystery-model-9000", { input: 5_000, output: 100 }, ticketPerson),
      },
      {
        traceId: T.ticket,
        spanId: span(5),
        parentSpanId: span(1),
        name: "chat gpt-4o-mini",
        start: `${DAY1}T09:00:03.000`,
        durationMs: 800,
        attributes: chat("openai", "gpt-4o-mini", { input: 2_000, output: 100 }, ticketPerson),
      },
      {
        traceId: T.ticketFollowUp,
        spanId: span(6),
        name: "chat claude-sonnet-4-5",
        start: `${DAY1}T09:10:00.000`,
        durationMs: 2_000,
        attributes: chat(
          "anthropic",
          "claude-sonnet-4-5",
          { input: 37_000, cacheRead: 30_000, cacheWrite: 5_000, output: 800 },
          ticketPerson,
        ),
      },
      ...[T.rag1, T.rag2, T.rag3].map((traceId, i) => ({
        traceId,
        spanId: span(20 + i),
        name: "chat claude-sonnet-4-5",
        start: `${DAY1}T10:0${i}:00.000`,
        durationMs: 1_500,
        attributes: chat(
          "anthropic",
          "claude-sonnet-4-5",
          { input: 8_000, output: 300 },
          {
            [C.ATTR_BURNRATE_FEATURE]: "rag-answer",
            [C.ATTR_BURNRATE_USER]: `u-${i + 1}`,
            [C.ATTR_BURNRATE_TENANT]: "acme-corp",
            [C.ATTR_GEN_AI_AGENT_NAME]: "answerer",
          },
        ),
      })),
      {
        traceId: T.nextDay,
        spanId: span(30),
        name: "chat gpt-4o-mini",
        start: `${DAY2}T08:00:00.000`,
        durationMs: 900,
        attributes: chat(
          "openai",
          "gpt-4o-mini",
          { input: 10_000, output: 1_000 },
          {
            [C.ATTR_BURNRATE_FEATURE]: "ticket-summary",
            [C.ATTR_BURNRATE_USER]: "u-7",
            [C.ATTR_BURNRATE_TENANT]: "globex",
            [C.ATTR_GEN_AI_AGENT_NAME]: "triage",
            [C.ATTR_GEN_AI_CONVERSATION_ID]: "conv-9",
          },
        ),
      },
    ],
  },
  {
    key: KEYS.acmeIngest.key,
    service: "nightly-digest",
    spans: [T.digest1, T.digest2, T.digest3].map((traceId, i) => ({
      traceId,
      spanId: span(10 + i),
      name: "chat gpt-4o",
      start: `${DAY1}T02:${String(i * 5).padStart(2, "0")}:00.000`,
      durationMs: 700,
      attributes: chat(
        "openai",
        "gpt-4o",
        { input: 3_000, output: 200 },
        {
          [C.ATTR_BURNRATE_FEATURE]: "digest",
          [C.ATTR_GEN_AI_AGENT_NAME]: "digest-writer",
          [C.ATTR_BURNRATE_PROMPT_FINGERPRINT]: "fp00digest000001",
        },
      ),
    })),
  },
  {
    key: KEYS.acmeIngest.key,
    service: EVIL.service,
    spans: [
      {
        traceId: T.evil,
        spanId: span(40),
        name: "chat evil",
        start: `${DAY1}T11:00:00.000`,
        durationMs: 100,
        attributes: {
          ...chat(EVIL.provider, EVIL.model, { input: 100, output: 10 }),
          [C.ATTR_GEN_AI_OPERATION_NAME]: EVIL.operation,
          [C.ATTR_BURNRATE_FEATURE]: EVIL.feature,
          [C.ATTR_BURNRATE_USER]: EVIL.user,
          [C.ATTR_BURNRATE_TENANT]: EVIL.tenant,
          [C.ATTR_GEN_AI_AGENT_NAME]: EVIL.agent,
        },
      },
    ],
  },
  {
    key: KEYS.betaIngest.key,
    service: "support-bot",
    spans: [
      {
        traceId: T.beta,
        spanId: span(50),
        name: "chat gpt-4o",
        start: `${DAY1}T09:30:00.000`,
        durationMs: 3_000,
        attributes: chat("openai", "gpt-4o", { input: 100_000, output: 5_000 }, ticketPerson),
      },
    ],
  },
];

/** The number of LLM calls the seed holds per project. */
export const SEEDED_CALLS = { acme: 12, beta: 1 };

/** Sends one export to the collector over OTLP/HTTP JSON; fails unless it is accepted. */
export async function sendExport(collectorUrl: string, e: SeedExport): Promise<void> {
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: keyValues({ [C.ATTR_SERVICE_NAME]: e.service }) },
        scopeSpans: [
          {
            scope: { name: "query-api-seed", version: "1" },
            spans: e.spans.map((s) => {
              const start = BigInt(Date.parse(`${s.start}Z`)) * 1_000_000n;
              return {
                traceId: s.traceId,
                spanId: s.spanId,
                ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
                name: s.name,
                kind: s.kind ?? 3,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + BigInt(s.durationMs) * 1_000_000n),
                attributes: keyValues(s.attributes ?? {}),
                status: {},
              };
            }),
          },
        ],
      },
    ],
  });
  const res = await fetch(`${collectorUrl}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${e.key}` },
    body,
  });
  if (res.status !== 200) throw new Error(`collector answered ${res.status}: ${await res.text()}`);
}
