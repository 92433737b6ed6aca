import { ATTR_GEN_AI_RESPONSE_ID, ATTR_SERVICE_NAME } from "@burnrate/core";
import protobuf from "protobufjs";
import { seededRandom } from "../seeded-random.js";
import {
  agentTrace,
  type OtlpSpan,
  SERVICES,
  type SpanSlots,
  STAMPED_HEX_DIGITS,
  STAMPED_ID_BYTES,
  UNSTAMPED_HEX,
} from "./genai-spans.js";

/** The collector's vendored OTLP protos; from `bench/dist/ingest/` that is three levels up. */
const PROTO_DIR = new URL("../../../collector/proto/", import.meta.url).pathname;

/** One pre-encoded OTLP/protobuf export request and where its ids sit in the bytes. */
interface Template {
  bytes: Buffer;
  /** Offsets of every trace, span and parent id; a request writes its sequence number there. */
  idOffsets: Int32Array;
  /** Offsets of every response id's {@link UNSTAMPED_HEX} slot. */
  hexOffsets: Int32Array;
}

/**
 * Export requests for the load generator, encoded once up front. The collector drops spans it has
 * already seen (same trace and span id), so each request stamps its own sequence number into the
 * first bytes of every id, and into every response id, of a copy of a template: a few thousand
 * byte writes instead of re-encoding half a megabyte.
 */
export class RequestPool {
  readonly #templates: Template[];
  readonly #type: protobuf.Type;
  #sent = 0;

  constructor(options: { templates: number; spansPerRequest: number; spansPerTrace: number }) {
    this.#type = loadRequestType();
    const random = seededRandom(20_251_129);
    const nowMs = Date.now();
    this.#templates = Array.from({ length: options.templates }, (_, index) =>
      this.#encode(index, options, random, nowMs),
    );
    this.#check(options.spansPerRequest);
  }

  /** Average encoded size of a request, in bytes. */
  get requestBytes(): number {
    return Math.round(this.#templates.reduce((sum, t) => sum + t.bytes.length, 0) / this.#templates.length);
  }

  /** The next request body, with ids no earlier request used. */
  next(): Buffer {
    this.#sent++;
    return this.stamp(this.#sent % this.#templates.length, this.#sent);
  }

  /** A copy of template `index` with every id stamped with `sequence` (1 to 2³² − 1). */
  stamp(index: number, sequence: number): Buffer {
    const template = this.#templates[index]!;
    const body = Buffer.from(template.bytes);
    for (const offset of template.idOffsets) body.writeUInt32BE(sequence, offset);
    const hex = sequence.toString(16).padStart(STAMPED_HEX_DIGITS, "0");
    for (const offset of template.hexOffsets) body.write(hex, offset, "latin1");
    return body;
  }

  #encode(
    index: number,
    options: { spansPerRequest: number; spansPerTrace: number },
    random: () => number,
    nowMs: number,
  ): Template {
    const spans: OtlpSpan[] = [];
    const slots: SpanSlots[] = [];
    while (spans.length < options.spansPerRequest) {
      const spansPerTrace = Math.min(options.spansPerTrace, options.spansPerRequest - spans.length);
      const trace = agentTrace(random, { spansPerTrace, nowMs });
      spans.push(...trace.spans);
      slots.push(...trace.slots);
    }
    const request = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: ATTR_SERVICE_NAME, value: { stringValue: SERVICES[index % SERVICES.length] } },
            ],
          },
          scopeSpans: [{ scope: { name: "@burnrate/instrumentation", version: "0.1.0" }, spans }],
        },
      ],
    };
    const encoded = this.#type.encode(this.#type.fromObject(request)).finish();
    const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    return { bytes, ...findSlots(bytes, slots) };
  }

  /** Proves stamping works before any load is sent: decodes two stamped copies and checks every id. */
  #check(spansPerRequest: number): void {
    const seen = new Set<string>();
    for (const sequence of [0xfffffffe, 0xffffffff]) {
      const decoded = this.#type.toObject(this.#type.decode(this.stamp(0, sequence)), { bytes: String });
      const spans = decoded.resourceSpans[0].scopeSpans[0].spans as DecodedSpan[];
      if (spans.length !== spansPerRequest) broken(`${spans.length} spans, expected ${spansPerRequest}`);
      const prefix = sequence.toString(16).padStart(STAMPED_ID_BYTES * 2, "0");
      const keys = new Set(spans.map((span) => `${hex(span.traceId)}/${hex(span.spanId)}`));
      if (keys.size !== spans.length) broken("span ids repeat within a request");
      for (const span of spans) {
        if (!hex(span.traceId).startsWith(prefix) || !hex(span.spanId).startsWith(prefix))
          broken("an id is unstamped");
        if (span.parentSpanId && !keys.has(`${hex(span.traceId)}/${hex(span.parentSpanId)}`))
          broken("a parent id points outside its trace");
        const responseId = span.attributes.find((a) => a.key === ATTR_GEN_AI_RESPONSE_ID)?.value.stringValue;
        if (!responseId?.includes(sequence.toString(16))) broken("a response id is unstamped");
      }
      for (const key of keys) seen.add(key);
    }
    if (seen.size !== 2 * spansPerRequest) broken("two requests share span ids");
  }
}

interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** protobufjs's `toObject` writes bytes as base64. */
const hex = (base64: string) => Buffer.from(base64, "base64").toString("hex");

function broken(why: string): never {
  throw new Error(`bench: stamping request ids is broken (${why}); see RequestPool in request-pool.ts`);
}

/** The OTLP `ExportTraceServiceRequest` type, from the collector's vendored protos. */
export function loadRequestType(): protobuf.Type {
  const root = new protobuf.Root();
  // The vendored files import each other relative to the proto root, as protoc's include path would.
  root.resolvePath = (_origin, target) => PROTO_DIR + target;
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto");
  return root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
}

/**
 * Finds each span's ids and response-id slot in the encoded bytes. protobufjs writes fields in
 * field-number order and spans in order, so a forward scan finds each in turn; ids are random,
 * so a match elsewhere is vanishingly unlikely, and the decode check in `#check` would catch it.
 */
function findSlots(bytes: Buffer, slots: SpanSlots[]): Omit<Template, "bytes"> {
  const ids: number[] = [];
  const hex: number[] = [];
  let cursor = 0;
  const find = (needle: Buffer | string, what: string) => {
    const at = bytes.indexOf(needle, cursor);
    if (at < 0) throw new Error(`bench: cannot find a span's ${what} in its encoded request`);
    cursor = at + needle.length;
    return at;
  };
  for (const slot of slots) {
    ids.push(find(slot.traceId, "trace id"));
    ids.push(find(slot.spanId, "span id"));
    if (slot.parentSpanId.length > 0) ids.push(find(slot.parentSpanId, "parent span id"));
    const responseId = find(slot.responseId, "response id");
    hex.push(responseId + slot.responseId.indexOf(UNSTAMPED_HEX));
  }
  return { idOffsets: Int32Array.from(ids), hexOffsets: Int32Array.from(hex) };
}
