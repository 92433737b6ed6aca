import type { Attributes, Span, SpanEvent, SpanLink } from "@burnrate/core";
import { readKeyValue } from "./any-value.js";
import { DEFAULT_DECODE_OPTIONS, type DecodedTraces, type DecodeOptions } from "./options.js";
import { Rejections, rootIfZero, spanProblem } from "./validate.js";
import {
  asDecodeError,
  enterMessage,
  I64,
  LEN,
  type Reader,
  readerFor,
  readFixed64,
  readHex,
  skipField,
  tag,
  VARINT,
} from "./wire.js";

// Field tags from the vendored trace_service.proto, trace.proto, resource.proto and common.proto.
const REQUEST_RESOURCE_SPANS = tag(1, LEN);
const RESOURCE_SPANS_RESOURCE = tag(1, LEN);
const RESOURCE_SPANS_SCOPE_SPANS = tag(2, LEN);
const RESOURCE_ATTRIBUTES = tag(1, LEN);
const SCOPE_SPANS_SCOPE = tag(1, LEN);
const SCOPE_SPANS_SPANS = tag(2, LEN);
const SCOPE_NAME = tag(1, LEN);
const SCOPE_VERSION = tag(2, LEN);
const SPAN_TRACE_ID = tag(1, LEN);
const SPAN_SPAN_ID = tag(2, LEN);
const SPAN_TRACE_STATE = tag(3, LEN);
const SPAN_PARENT_SPAN_ID = tag(4, LEN);
const SPAN_NAME = tag(5, LEN);
const SPAN_KIND = tag(6, VARINT);
const SPAN_START_TIME = tag(7, I64);
const SPAN_END_TIME = tag(8, I64);
const SPAN_ATTRIBUTES = tag(9, LEN);
const SPAN_EVENTS = tag(11, LEN);
const SPAN_LINKS = tag(13, LEN);
const SPAN_STATUS = tag(15, LEN);
const EVENT_TIME = tag(1, I64);
const EVENT_NAME = tag(2, LEN);
const EVENT_ATTRIBUTES = tag(3, LEN);
const LINK_TRACE_ID = tag(1, LEN);
const LINK_SPAN_ID = tag(2, LEN);
const LINK_TRACE_STATE = tag(3, LEN);
const LINK_ATTRIBUTES = tag(4, LEN);
const STATUS_MESSAGE = tag(2, LEN);
const STATUS_CODE = tag(3, VARINT);

/** What the walk accumulates; one per request, passed down instead of closures. */
interface Walk {
  spans: Span[];
  rejections: Rejections;
  options: DecodeOptions;
}

/**
 * Decodes an OTLP/HTTP protobuf body (`ExportTraceServiceRequest`) into spans. Spans that fail
 * validation are counted and described in the result; the rest of the request is still accepted.
 * Unknown fields are skipped, and fields may come in any order, as protobuf allows.
 *
 * @throws OtlpDecodeError when the body is not a valid protobuf message.
 * @example
 * const { spans, rejectedSpans } = decodeProtobufTraces(body, { maxAttributesPerSpan: 1024 });
 */
export function decodeProtobufTraces(
  body: Uint8Array,
  options: DecodeOptions = DEFAULT_DECODE_OPTIONS,
): DecodedTraces {
  const walk: Walk = { spans: [], rejections: new Rejections(), options };
  const reader = readerFor(body);
  try {
    while (reader.pos < reader.len) {
      const fieldTag = reader.uint32();
      if (fieldTag === REQUEST_RESOURCE_SPANS) readResourceSpans(reader, walk);
      else skipField(reader, fieldTag);
    }
  } catch (error) {
    throw asDecodeError(error);
  }
  return {
    spans: walk.spans,
    rejectedSpans: walk.rejections.count,
    rejectionMessages: walk.rejections.messages,
  };
}

function readResourceSpans(reader: Reader, walk: Walk): void {
  const outer = enterMessage(reader);
  // One object per resource, shared by its spans. It is filled in place, so spans that precede the
  // resource field on the wire still see its attributes.
  const resource: Attributes = {};
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === RESOURCE_SPANS_RESOURCE) readResource(reader, resource);
    else if (fieldTag === RESOURCE_SPANS_SCOPE_SPANS) readScopeSpans(reader, resource, walk);
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
}

function readResource(reader: Reader, resource: Attributes): void {
  const outer = enterMessage(reader);
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === RESOURCE_ATTRIBUTES) readKeyValue(reader, resource, 0);
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
}

function readScopeSpans(reader: Reader, resource: Attributes, walk: Walk): void {
  const outer = enterMessage(reader);
  const scope = { name: "", version: "" };
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === SCOPE_SPANS_SPANS) readSpan(reader, resource, scope, walk);
    else if (fieldTag === SCOPE_SPANS_SCOPE) readScope(reader, scope);
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
}

function readScope(reader: Reader, scope: Span["scope"]): void {
  const outer = enterMessage(reader);
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === SCOPE_NAME) scope.name = reader.string();
    else if (fieldTag === SCOPE_VERSION) scope.version = reader.string();
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
}

function readSpan(reader: Reader, resource: Attributes, scope: Span["scope"], walk: Walk): void {
  const outer = enterMessage(reader);
  const span: Span = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    traceState: "",
    name: "",
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: {},
    resource,
    scope,
    status: { code: 0, message: "" },
    events: [],
    links: [],
  };
  const maxAttributes = walk.options.maxAttributesPerSpan;
  let attributeCount = 0;
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    switch (fieldTag) {
      case SPAN_ATTRIBUTES:
        // Past the limit the span will be rejected, so only count the rest.
        if (++attributeCount <= maxAttributes) readKeyValue(reader, span.attributes, 0);
        else skipField(reader, fieldTag);
        break;
      case SPAN_TRACE_ID:
        span.traceId = readHex(reader);
        break;
      case SPAN_SPAN_ID:
        span.spanId = readHex(reader);
        break;
      case SPAN_PARENT_SPAN_ID:
        span.parentSpanId = readHex(reader);
        break;
      case SPAN_NAME:
        span.name = reader.string();
        break;
      case SPAN_KIND:
        span.kind = reader.int32();
        break;
      case SPAN_START_TIME:
        span.startTimeUnixNano = readFixed64(reader);
        break;
      case SPAN_END_TIME:
        span.endTimeUnixNano = readFixed64(reader);
        break;
      case SPAN_TRACE_STATE:
        span.traceState = reader.string();
        break;
      case SPAN_EVENTS:
        span.events.push(readEvent(reader));
        break;
      case SPAN_LINKS:
        span.links.push(readLink(reader));
        break;
      case SPAN_STATUS:
        readStatus(reader, span.status);
        break;
      default:
        skipField(reader, fieldTag);
    }
  }
  reader.len = outer;
  span.parentSpanId = rootIfZero(span.parentSpanId);
  const problem = spanProblem(span.traceId, span.spanId, span.parentSpanId, attributeCount, walk.options);
  if (problem === undefined) walk.spans.push(span);
  else walk.rejections.add(span.traceId, span.spanId, problem);
}

function readEvent(reader: Reader): SpanEvent {
  const outer = enterMessage(reader);
  const event: SpanEvent = { timeUnixNano: 0n, name: "", attributes: {} };
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === EVENT_ATTRIBUTES) readKeyValue(reader, event.attributes, 0);
    else if (fieldTag === EVENT_TIME) event.timeUnixNano = readFixed64(reader);
    else if (fieldTag === EVENT_NAME) event.name = reader.string();
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
  return event;
}

function readLink(reader: Reader): SpanLink {
  const outer = enterMessage(reader);
  const link: SpanLink = { traceId: "", spanId: "", traceState: "", attributes: {} };
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === LINK_ATTRIBUTES) readKeyValue(reader, link.attributes, 0);
    else if (fieldTag === LINK_TRACE_ID) link.traceId = readHex(reader);
    else if (fieldTag === LINK_SPAN_ID) link.spanId = readHex(reader);
    else if (fieldTag === LINK_TRACE_STATE) link.traceState = reader.string();
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
  return link;
}

function readStatus(reader: Reader, status: Span["status"]): void {
  const outer = enterMessage(reader);
  while (reader.pos < reader.len) {
    const fieldTag = reader.uint32();
    if (fieldTag === STATUS_CODE) status.code = reader.int32();
    else if (fieldTag === STATUS_MESSAGE) status.message = reader.string();
    else skipField(reader, fieldTag);
  }
  reader.len = outer;
}
