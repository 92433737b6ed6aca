import {
  ATTR_BURNRATE_FEATURE,
  ATTR_BURNRATE_PROMPT_FINGERPRINT,
  ATTR_BURNRATE_TASK_TYPE,
  ATTR_BURNRATE_TENANT,
  ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS,
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
} from "@burnrate/core";

/** OTLP/JSON-shaped values, with ids as bytes, ready for protobufjs's `fromObject`. */
export type AnyValue =
  | { stringValue: string }
  | { intValue: number }
  | { arrayValue: { values: AnyValue[] } };
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface OtlpSpan {
  traceId: Buffer;
  spanId: Buffer;
  parentSpanId: Buffer;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
}

/** Where one span's stampable parts are: its ids, and the response id's 8-hex-digit slot. */
export interface SpanSlots {
  traceId: Buffer;
  spanId: Buffer;
  parentSpanId: Buffer;
  responseId: string;
}

interface ModelProfile {
  provider: "openai" | "anthropic";
  request: string;
  response: string;
  /** Share of calls, roughly as a mixed agent fleet would spend them. */
  share: number;
  input: [number, number];
  output: [number, number];
  reasoning?: boolean;
}

const MODELS: readonly ModelProfile[] = [
  {
    provider: "openai",
    request: "gpt-4o-mini",
    response: "gpt-4o-mini-2024-07-18",
    share: 0.45,
    input: [400, 6_000],
    output: [40, 600],
  },
  {
    provider: "openai",
    request: "gpt-4o",
    response: "gpt-4o-2024-08-06",
    share: 0.25,
    input: [1_500, 24_000],
    output: [80, 1_200],
  },
  {
    provider: "anthropic",
    request: "claude-sonnet-4-5",
    response: "claude-sonnet-4-5-20250929",
    share: 0.2,
    input: [2_000, 40_000],
    output: [100, 2_000],
  },
  {
    provider: "openai",
    request: "o4-mini",
    response: "o4-mini-2025-04-16",
    share: 0.1,
    input: [800, 12_000],
    output: [300, 4_000],
    reasoning: true,
  },
];

export const SERVICES = ["support-agent", "research-agent", "billing-assistant", "code-review-bot"] as const;
const FEATURES = ["ticket-triage", "kb-search", "summarise-thread", "draft-reply", "review-diff"];
const TASK_TYPES = ["classification", "summarisation", "generation", "extraction"];
const TENANTS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"];

/** The id bytes a request stamps with its sequence number (the first four of each id). */
export const STAMPED_ID_BYTES = 4;
/** Hex digits in a response id that a request stamps with its sequence number. */
export const STAMPED_HEX_DIGITS = 8;
/** What a response id's stamped digits hold before stamping. */
export const UNSTAMPED_HEX = "0".repeat(STAMPED_HEX_DIGITS);

/**
 * One agent run: `spansPerTrace` sequential LLM calls in one trace, the first the root and the
 * rest its children, each with the ~20 attributes an instrumented SDK call carries. Ids are random
 * (the request stamps their first bytes); the response id has an {@link UNSTAMPED_HEX} slot.
 */
export function agentTrace(
  random: () => number,
  options: { spansPerTrace: number; nowMs: number },
): { spans: OtlpSpan[]; slots: SpanSlots[] } {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const hex = (digits: number) =>
    Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join("");
  const tokens = ([min, max]: [number, number]) => Math.round(min * (max / min) ** random());
  const traceId = randomId(16, random);
  const feature = pick(FEATURES);
  const attribution: KeyValue[] = [
    str(ATTR_GEN_AI_CONVERSATION_ID, `conv_${hex(20)}`),
    str(ATTR_GEN_AI_AGENT_NAME, `${feature}-agent`),
    str(ATTR_BURNRATE_FEATURE, feature),
    str(ATTR_BURNRATE_USER, `user-${Math.floor(random() * 5_000)}`),
    str(ATTR_BURNRATE_TENANT, pick(TENANTS)),
    str(ATTR_BURNRATE_TASK_TYPE, pick(TASK_TYPES)),
  ];
  const model = chooseModel(random());
  let startNs = BigInt(options.nowMs - Math.floor(random() * 300_000)) * 1_000_000n;
  let rootId: Buffer | undefined;
  const spans: OtlpSpan[] = [];
  const slots: SpanSlots[] = [];
  for (let i = 0; i < options.spansPerTrace; i++) {
    const spanId = randomId(8, random);
    const last = i === options.spansPerTrace - 1;
    const input = tokens(model.input);
    const cacheRead = i > 0 && random() < 0.6 ? Math.floor((input * (0.3 + random() * 0.6)) / 128) * 128 : 0;
    const output = tokens(model.output);
    const toolCall = !last && random() < 0.6;
    const responseId =
      model.provider === "openai" ? `chatcmpl-${UNSTAMPED_HEX}${hex(21)}` : `msg_${UNSTAMPED_HEX}${hex(16)}`;
    const attributes: KeyValue[] = [
      str(ATTR_GEN_AI_PROVIDER_NAME, model.provider),
      str(ATTR_GEN_AI_OPERATION_NAME, "chat"),
      str(ATTR_GEN_AI_REQUEST_MODEL, model.request),
      str(ATTR_GEN_AI_RESPONSE_MODEL, model.response),
      str(ATTR_GEN_AI_RESPONSE_ID, responseId),
      strings(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, [finishReason(model, toolCall)]),
      int(ATTR_GEN_AI_USAGE_INPUT_TOKENS, input),
      int(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, output),
      int(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, cacheRead),
      ...attribution,
      str(ATTR_BURNRATE_PROMPT_FINGERPRINT, hex(16)),
    ];
    if (model.reasoning) {
      attributes.push(int(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, Math.floor(output * 0.7)));
    }
    if (model.provider === "anthropic") {
      attributes.push(
        int(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, i === 0 ? Math.floor(input / 2) : 0),
      );
    } else {
      attributes.push(str(ATTR_OPENAI_REQUEST_SERVICE_TIER, "auto"));
      attributes.push(str(ATTR_OPENAI_RESPONSE_SERVICE_TIER, "default"));
    }
    if (toolCall) attributes.push(strings(ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS, [hex(16)]));
    const durationNs = BigInt(300 + Math.floor(output * (8 + random() * 12))) * 1_000_000n;
    spans.push({
      traceId,
      spanId,
      parentSpanId: rootId ?? Buffer.alloc(0),
      name: `chat ${model.request}`,
      kind: 3, // SPAN_KIND_CLIENT
      startTimeUnixNano: startNs.toString(),
      endTimeUnixNano: (startNs + durationNs).toString(),
      attributes,
    });
    slots.push({ traceId, spanId, parentSpanId: rootId ?? Buffer.alloc(0), responseId });
    rootId ??= spanId;
    startNs += durationNs + 50_000_000n; // the agent's own work between calls
  }
  return { spans, slots };
}

function chooseModel(r: number): ModelProfile {
  let sum = 0;
  for (const model of MODELS) {
    sum += model.share;
    if (r < sum) return model;
  }
  return MODELS[MODELS.length - 1]!;
}

function finishReason(model: ModelProfile, toolCall: boolean): string {
  if (model.provider === "anthropic") return toolCall ? "tool_use" : "end_turn";
  return toolCall ? "tool_calls" : "stop";
}

/** Random id bytes; never all zero in the unstamped part, so stamping cannot produce an invalid id. */
function randomId(bytes: number, random: () => number): Buffer {
  const id = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) id[i] = Math.floor(random() * 256);
  id[bytes - 1] = id[bytes - 1]! | 1;
  return id;
}

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): KeyValue => ({ key, value: { intValue: value } });
const strings = (key: string, values: string[]): KeyValue => ({
  key,
  value: { arrayValue: { values: values.map((v) => ({ stringValue: v })) } },
});
