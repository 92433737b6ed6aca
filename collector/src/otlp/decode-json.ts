import type { Attributes, Span, SpanEvent, SpanLink } from "@burnrate/core";
import { JsonFieldError, nestError, OtlpDecodeError } from "./decode-error.js";
import { jsonAttributes } from "./json-any-value.js";
import {
  describe,
  InexactNumberSignal,
  isObject,
  type JsonObject,
  readArray,
  readEnum,
  readFixed64,
  readId,
  readObject,
  readString,
} from "./json-read.js";
import { DEFAULT_DECODE_OPTIONS, type DecodedTraces, type DecodeOptions } from "./options.js";
import { Rejections, rootIfZero, spanProblem } from "./validate.js";

/**
 * Decodes an OTLP/HTTP JSON body (`ExportTraceServiceRequest`) by the OTLP spec's JSON rules:
 * lowerCamelCase keys, hex trace and span ids, integer enums, 64-bit integers as decimal strings or
 * numbers, base64 bytes values; unknown fields are ignored. Original snake_case keys are not valid
 * OTLP/JSON and are ignored like any unknown field, except a top-level `resource_spans`, which is
 * refused with a message rather than silently accepted as an empty request.
 *
 * @throws OtlpDecodeError when the body is not JSON or a field has the wrong type, naming the field.
 * @example
 * decodeJsonTraces('{"resourceSpans":[]}', { maxAttributesPerSpan: 1024 });
 * // => { spans: [], rejectedSpans: 0, rejectionMessages: [] }
 */
export function decodeJsonTraces(
  body: string,
  options: DecodeOptions = DEFAULT_DECODE_OPTIONS,
): DecodedTraces {
  try {
    return decodeRequest(parse(body), options, false);
  } catch (error) {
    if (!(error instanceof InexactNumberSignal)) throw error;
    // JSON.parse has rounded a nanosecond time given as a bare number. That is rare (exporters send
    // strings), so only then re-read the body with such numbers quoted, keeping every digit.
    return decodeRequest(parse(quoteLongTimes(body)), options, true);
  }
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    if (!position) throw new OtlpDecodeError(`invalid JSON: ${message}`, { cause: error });
    const detail = message.replace(/ in JSON at position \d+.*$/, "");
    throw new OtlpDecodeError(`invalid JSON at position ${position[1]}: ${detail}`, { cause: error });
  }
}

const LONG_TIME = /("(?:startTimeUnixNano|endTimeUnixNano|timeUnixNano)"\s*:\s*)(\d{16,})(?=\s*[,}\]])/g;

/**
 * Quotes time values of 16 or more digits. The pattern cannot match inside a string value, because
 * there the quotes around a key-like text would be escaped.
 */
function quoteLongTimes(body: string): string {
  return body.replace(LONG_TIME, '$1"$2"');
}

/** What the walk accumulates; one per request, passed down instead of closures. */
interface Walk {
  spans: Span[];
  rejections: Rejections;
  options: DecodeOptions;
  /** Whether long times were quoted before parsing, so bare numbers are as exact as they will get. */
  exact: boolean;
}

function decodeRequest(request: unknown, options: DecodeOptions, exact: boolean): DecodedTraces {
  if (!isObject(request)) throw new JsonFieldError("", `expected a JSON object, got ${describe(request)}`);
  if (request.resourceSpans === undefined && request.resource_spans !== undefined) {
    throw new JsonFieldError(
      "resource_spans",
      "OTLP/JSON keys are lowerCamelCase; send resourceSpans, scopeSpans, traceId, startTimeUnixNano, …",
    );
  }
  const walk: Walk = { spans: [], rejections: new Rejections(), options, exact };
  const list = readArray(request.resourceSpans, "resourceSpans");
  for (let i = 0; i < list.length; i++) {
    try {
      decodeResourceSpans(list[i], walk);
    } catch (error) {
      throw nestError(error, `resourceSpans[${i}]`);
    }
  }
  return {
    spans: walk.spans,
    rejectedSpans: walk.rejections.count,
    rejectionMessages: walk.rejections.messages,
  };
}

function decodeResourceSpans(value: unknown, walk: Walk): void {
  const resourceSpans = readObject(value, "") ?? {};
  // One object per resource, shared by its spans: resources repeat on every span otherwise.
  const resource = decodeResource(resourceSpans.resource);
  const list = readArray(resourceSpans.scopeSpans, "scopeSpans");
  for (let i = 0; i < list.length; i++) {
    try {
      decodeScopeSpans(list[i], resource, walk);
    } catch (error) {
      throw nestError(error, `scopeSpans[${i}]`);
    }
  }
}

function decodeResource(value: unknown): Attributes {
  const resource = readObject(value, "resource");
  if (resource === undefined) return {};
  try {
    return attributesAt(resource.attributes);
  } catch (error) {
    throw nestError(error, "resource");
  }
}

function decodeScopeSpans(value: unknown, resource: Attributes, walk: Walk): void {
  const scopeSpans = readObject(value, "") ?? {};
  const scopeJson = readObject(scopeSpans.scope, "scope");
  const scope = {
    name: readString(scopeJson?.name, "scope.name"),
    version: readString(scopeJson?.version, "scope.version"),
  };
  const list = readArray(scopeSpans.spans, "spans");
  for (let i = 0; i < list.length; i++) {
    try {
      decodeSpan(readObject(list[i], "") ?? {}, resource, scope, walk);
    } catch (error) {
      throw nestError(error, `spans[${i}]`);
    }
  }
}

function decodeSpan(json: JsonObject, resource: Attributes, scope: Span["scope"], walk: Walk): void {
  const traceId = readId(json.traceId, "traceId", 32);
  const spanId = readId(json.spanId, "spanId", 16);
  const parentSpanId = rootIfZero(readId(json.parentSpanId, "parentSpanId", 16));
  const attributeList = readArray(json.attributes, "attributes");
  // Checked before the attributes are converted, so an oversized span costs little.
  const problem = spanProblem(traceId, spanId, parentSpanId, attributeList.length, walk.options);
  if (problem !== undefined) {
    walk.rejections.add(traceId, spanId, problem);
    return;
  }
  const status = readObject(json.status, "status");
  walk.spans.push({
    traceId,
    spanId,
    parentSpanId,
    traceState: readString(json.traceState, "traceState"),
    name: readString(json.name, "name"),
    kind: readEnum(json.kind, "kind"),
    startTimeUnixNano: readFixed64(json.startTimeUnixNano, "startTimeUnixNano", walk.exact),
    endTimeUnixNano: readFixed64(json.endTimeUnixNano, "endTimeUnixNano", walk.exact),
    attributes: attributesAt(attributeList),
    resource,
    scope,
    status: {
      code: readEnum(status?.code, "status.code"),
      message: readString(status?.message, "status.message"),
    },
    events: decodeEvents(readArray(json.events, "events"), walk.exact),
    links: decodeLinks(readArray(json.links, "links")),
  });
}

function attributesAt(value: unknown): Attributes {
  const items = readArray(value, "attributes");
  try {
    return jsonAttributes(items);
  } catch (error) {
    throw nestError(error, "attributes");
  }
}

function decodeEvents(items: readonly unknown[], exact: boolean): SpanEvent[] {
  const events: SpanEvent[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    try {
      const event = readObject(items[i], "") ?? {};
      events[i] = {
        timeUnixNano: readFixed64(event.timeUnixNano, "timeUnixNano", exact),
        name: readString(event.name, "name"),
        attributes: attributesAt(event.attributes),
      };
    } catch (error) {
      throw nestError(error, `events[${i}]`);
    }
  }
  return events;
}

function decodeLinks(items: readonly unknown[]): SpanLink[] {
  const links: SpanLink[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    try {
      const link = readObject(items[i], "") ?? {};
      links[i] = {
        traceId: readId(link.traceId, "traceId", 32),
        spanId: readId(link.spanId, "spanId", 16),
        traceState: readString(link.traceState, "traceState"),
        attributes: attributesAt(link.attributes),
      };
    } catch (error) {
      throw nestError(error, `links[${i}]`);
    }
  }
  return links;
}
