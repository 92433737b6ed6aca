/**
 * Measures decode throughput; not a test. The collector must sustain 50,000 spans/s end to end on
 * two cores, so one core has to decode several times that. Run after `npx tsc -b`:
 *
 *   node collector/dist/otlp/decode-speed.js
 */
import { decodeJsonTraces } from "./decode-json.js";
import { decodeProtobufTraces } from "./decode-protobuf.js";
import type { DecodedTraces } from "./options.js";
import { otlpTypes } from "./proto-root.js";

const SPANS = 512;
const ROUNDS = 200;

function id(bytes: number, seed: number): string {
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buffer[i] = (seed * 31 + i * 7 + 1) & 0xff;
  return buffer.toString("hex");
}

function keyValue(key: string, value: Record<string, unknown>) {
  return { key, value };
}

/** A GenAI-like span in OTLP/JSON shape: model, token counts, cost, agent step and loop metadata. */
function llmSpan(index: number) {
  const start = 1_700_000_000_000_000_000n + BigInt(index) * 1_000_000n;
  return {
    traceId: id(16, index >> 4),
    spanId: id(8, index),
    parentSpanId: index % 16 === 0 ? "" : id(8, index - 1),
    name: "chat gpt-4o-mini",
    kind: 3,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 850_000_000n).toString(),
    attributes: [
      keyValue("gen_ai.operation.name", { stringValue: "chat" }),
      keyValue("gen_ai.system", { stringValue: "openai" }),
      keyValue("gen_ai.request.model", { stringValue: "gpt-4o-mini" }),
      keyValue("gen_ai.response.model", { stringValue: "gpt-4o-mini-2024-07-18" }),
      keyValue("gen_ai.response.id", { stringValue: `chatcmpl-${index}abcdefghijklmnop` }),
      keyValue("gen_ai.request.temperature", { doubleValue: 0.2 }),
      keyValue("gen_ai.request.max_tokens", { intValue: 1024 }),
      keyValue("gen_ai.usage.input_tokens", { intValue: 1200 + index }),
      keyValue("gen_ai.usage.output_tokens", { intValue: 180 + (index % 50) }),
      keyValue("gen_ai.usage.cache_read_input_tokens", { intValue: 512 }),
      keyValue("gen_ai.response.finish_reasons", { arrayValue: { values: [{ stringValue: "stop" }] } }),
      keyValue("server.address", { stringValue: "api.openai.com" }),
      keyValue("server.port", { intValue: 443 }),
      keyValue("burnrate.agent.name", { stringValue: "research-agent" }),
      keyValue("burnrate.agent.step", { intValue: index % 40 }),
      keyValue("burnrate.session.id", { stringValue: "sess-7f3a9c" }),
      keyValue("burnrate.cost.usd", { doubleValue: 0.000123 * (index + 1) }),
      keyValue("burnrate.loop.fingerprint", { stringValue: "a1b2c3d4e5f60718" }),
      keyValue("burnrate.budget.trace", { doubleValue: 2 }),
      keyValue("burnrate.tool.calls", { intValue: index % 3 }),
    ],
    status: { code: 0, message: "" },
  };
}

const resourceSpans = [
  {
    resource: {
      attributes: [
        keyValue("service.name", { stringValue: "research-agent" }),
        keyValue("telemetry.sdk.language", { stringValue: "nodejs" }),
        keyValue("telemetry.sdk.version", { stringValue: "2.12.1" }),
      ],
    },
    scopeSpans: [
      {
        scope: { name: "@burnrate/instrumentation", version: "0.1.0" },
        spans: Array.from({ length: SPANS }, (_, i) => llmSpan(i)),
      },
    ],
  },
];
const jsonBody = JSON.stringify({ resourceSpans });
// protobufjs's fromObject reads bytes from base64, so turn the hex ids into Buffers first.
for (const span of resourceSpans[0]!.scopeSpans[0]!.spans as Record<string, unknown>[]) {
  for (const field of ["traceId", "spanId", "parentSpanId"])
    span[field] = Buffer.from(span[field] as string, "hex");
}
const { ExportTraceServiceRequest } = otlpTypes;
const protobufBody = ExportTraceServiceRequest.encode(
  ExportTraceServiceRequest.fromObject({ resourceSpans }),
).finish();

function measure(format: string, bytes: number, decode: () => DecodedTraces): void {
  // Warm up so the JIT has optimised the decoder before timing.
  for (let i = 0; i < 20; i++) decode();
  const started = process.hrtime.bigint();
  let decoded = 0;
  for (let i = 0; i < ROUNDS; i++) decoded += decode().spans.length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = Math.round(decoded / seconds).toLocaleString("en-US");
  console.log(`${format}: ${SPANS} spans × ${ROUNDS} rounds, ${bytes} bytes/request: ${rate} spans/s`);
}

const options = { maxAttributesPerSpan: 1024 };
measure("protobuf", protobufBody.length, () => decodeProtobufTraces(protobufBody, options));
measure("json", Buffer.byteLength(jsonBody), () => decodeJsonTraces(jsonBody, options));
