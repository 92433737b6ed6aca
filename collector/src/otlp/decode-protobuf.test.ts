import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "./decode-error.js";
import { decodeProtobufTraces } from "./decode-protobuf.js";
import { otlpTypes } from "./proto-root.js";
import { encodeAsProtobuf } from "./testdata/encode.js";
import { FULL_REQUEST, FULL_REQUEST_SPANS } from "./testdata/full-request.js";

const options = { maxAttributesPerSpan: 1024 };
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function request(spans: object[], resource?: object): Uint8Array {
  return encodeAsProtobuf({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: "s" }, spans }] }] });
}

describe("decodeProtobufTraces", () => {
  it("decodes every field of a request built with protobufjs", () => {
    expect(decodeProtobufTraces(encodeAsProtobuf(FULL_REQUEST), options)).toEqual({
      spans: FULL_REQUEST_SPANS,
      rejectedSpans: 0,
      rejectionMessages: [],
    });
  });

  it("shares one resource object between the spans of a resource, and one scope object per scope", () => {
    const { spans } = decodeProtobufTraces(encodeAsProtobuf(FULL_REQUEST), options);
    expect(spans[1]!.resource).toBe(spans[0]!.resource);
    expect(spans[2]!.resource).toBe(spans[0]!.resource);
    expect(spans[1]!.scope).toBe(spans[0]!.scope);
    expect(spans[3]!.resource).not.toBe(spans[0]!.resource);
  });

  it("keeps every digit of fixed64 times", () => {
    const body = request([
      {
        traceId: TRACE,
        spanId: "00f067aa0ba902b7",
        startTimeUnixNano: "1700000000123456789",
        endTimeUnixNano: "9007199254740993",
      },
    ]);
    const [span] = decodeProtobufTraces(body, options).spans;
    expect([span!.startTimeUnixNano, span!.endTimeUnixNano]).toEqual([
      1700000000123456789n,
      9007199254740993n,
    ]);
  });

  it("reads int64 attributes across the whole signed range that numbers hold exactly", () => {
    const values = ["0", "-1", "-2147483648", "2147483648", "-9007199254740991", "9007199254740991"];
    const attributes = values.map((intValue, i) => ({ key: `k${i}`, value: { intValue } }));
    const [span] = decodeProtobufTraces(
      request([{ traceId: TRACE, spanId: "00f067aa0ba902b7", attributes }]),
      options,
    ).spans;
    expect(span!.attributes).toEqual({
      k0: 0,
      k1: -1,
      k2: -2147483648,
      k3: 2147483648,
      k4: -9007199254740991,
      k5: 9007199254740991,
    });
  });

  it("reads fields in any order, and a resource that follows its spans", () => {
    const ResourceSpans = otlpTypes.ExportTraceServiceRequest.lookupType(
      ".opentelemetry.proto.trace.v1.ResourceSpans",
    );
    const spanIds = { spanId: Buffer.from("00f067aa0ba902b7", "hex"), traceId: Buffer.from(TRACE, "hex") };
    // Concatenated encodings of a message merge, so this is one ResourceSpans with its resource last.
    const resourceSpans = Buffer.concat([
      ResourceSpans.encode(ResourceSpans.fromObject({ scopeSpans: [{ spans: [spanIds] }] })).finish(),
      ResourceSpans.encode(
        ResourceSpans.fromObject({ resource: { attributes: [{ key: "a", value: { stringValue: "b" } }] } }),
      ).finish(),
    ]);
    const body = protobuf.Writer.create().uint32(0x0a).bytes(resourceSpans).finish();
    const [span] = decodeProtobufTraces(body, options).spans;
    expect(span!.resource).toEqual({ a: "b" });
    expect([span!.traceId, span!.spanId]).toEqual([TRACE, "00f067aa0ba902b7"]);
  });

  it("decodes zero bytes as an empty request", () => {
    expect(decodeProtobufTraces(new Uint8Array(0), options)).toEqual({
      spans: [],
      rejectedSpans: 0,
      rejectionMessages: [],
    });
  });

  it("rejects spans with bad ids or too many attributes and accepts the rest", () => {
    const attributes = Array.from({ length: 3 }, (_, i) => ({ key: `k${i}`, value: { intValue: i } }));
    const body = request([
      { traceId: TRACE.slice(2), spanId: "00f067aa0ba902b7" },
      { traceId: TRACE, spanId: "00f067aa0ba902" },
      { traceId: "00000000000000000000000000000000", spanId: "00f067aa0ba902b7" },
      { traceId: TRACE, spanId: "0000000000000000" },
      { traceId: TRACE, spanId: "00f067aa0ba902b7", parentSpanId: "0102" },
      { traceId: TRACE, spanId: "00f067aa0ba902b8", attributes },
      { traceId: TRACE, spanId: "00f067aa0ba902b9", name: "kept", attributes: attributes.slice(0, 2) },
    ]);
    const result = decodeProtobufTraces(body, { maxAttributesPerSpan: 2 });
    expect(result.spans.map((span) => span.name)).toEqual(["kept"]);
    expect(result.rejectedSpans).toBe(6);
    expect(result.rejectionMessages).toEqual([
      "span f92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7 has a traceId of 15 bytes; expected 16",
      `span ${TRACE}/00f067aa0ba902 has a spanId of 7 bytes; expected 8`,
      "span 00000000000000000000000000000000/00f067aa0ba902b7 has an all-zero traceId",
      `span ${TRACE}/0000000000000000 has an all-zero spanId`,
      `span ${TRACE}/00f067aa0ba902b7 has a parentSpanId of 2 bytes; expected 8, or none for a root span`,
    ]);
  });

  it("names the span and the limit when a span has too many attributes", () => {
    const attributes = Array.from({ length: 100_000 }, (_, i) => ({ key: `k${i}`, value: { intValue: i } }));
    const result = decodeProtobufTraces(
      request([{ traceId: TRACE, spanId: "00f067aa0ba902b7", attributes }]),
      options,
    );
    expect(result).toEqual({
      spans: [],
      rejectedSpans: 1,
      rejectionMessages: [`span ${TRACE}/00f067aa0ba902b7 has 100000 attributes, more than the 1024 allowed`],
    });
  });

  it("rejects spans without ids, naming what is missing", () => {
    const result = decodeProtobufTraces(request([{ name: "anonymous" }]), options);
    expect(result.rejectionMessages).toEqual([
      "span (no traceId)/(no spanId) has a traceId of 0 bytes; expected 16",
    ]);
  });

  it("cuts long ids short in rejection messages, which go back to the sender", () => {
    const result = decodeProtobufTraces(
      request([{ traceId: "ab".repeat(1000), spanId: "00f067aa0ba902b7" }]),
      options,
    );
    expect(result.rejectionMessages).toEqual([
      `span ${"ab".repeat(20)}…/00f067aa0ba902b7 has a traceId of 1000 bytes; expected 16`,
    ]);
  });

  it("keeps at most five rejection messages but counts every rejected span", () => {
    const spans = Array.from({ length: 8 }, () => ({ traceId: TRACE }));
    const result = decodeProtobufTraces(request(spans), options);
    expect([result.rejectedSpans, result.rejectionMessages.length]).toEqual([8, 5]);
  });

  it("throws OtlpDecodeError on a truncated body", () => {
    const body = encodeAsProtobuf(FULL_REQUEST);
    const truncated = body.subarray(0, body.length - 10);
    expect(() => decodeProtobufTraces(truncated, options)).toThrow(OtlpDecodeError);
    expect(() => decodeProtobufTraces(truncated, options)).toThrow(
      /^invalid protobuf: index out of range: \d+ \+ \d+ > \d+$/,
    );
  });

  it("throws OtlpDecodeError on garbage bytes", () => {
    const garbage = Buffer.from("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
    expect(() => decodeProtobufTraces(garbage, options)).toThrow(
      /^invalid protobuf: invalid wire type 7 at offset \d+$/,
    );
  });

  it("throws OtlpDecodeError rather than overflowing the stack on deeply nested values", () => {
    // Built by hand: protobufjs refuses to encode this deep, but a sender could still send it.
    const field = (fieldTag: number, bytes: Uint8Array) =>
      protobuf.Writer.create().uint32(fieldTag).bytes(bytes).finish();
    let value = field(0x0a, Buffer.from("leaf")); // AnyValue.string_value
    for (let i = 0; i < 150; i++) value = field(0x2a, field(0x0a, value)); // AnyValue.array_value.values
    const keyValue = Buffer.concat([field(0x0a, Buffer.from("deep")), field(0x12, value)]);
    const span = Buffer.concat([
      field(0x0a, Buffer.from(TRACE, "hex")),
      field(0x12, Buffer.from("00f067aa0ba902b7", "hex")),
      field(0x4a, keyValue), // Span.attributes
    ]);
    const body = field(0x0a, field(0x12, field(0x12, span))); // request.resource_spans.scope_spans.spans
    expect(() => decodeProtobufTraces(body, options)).toThrow(
      new OtlpDecodeError("invalid protobuf: max depth exceeded"),
    );
  });

  it("defines __proto__ as a plain attribute instead of replacing the prototype", () => {
    const attributes = [{ key: "__proto__", value: { stringValue: "x" } }];
    const [span] = decodeProtobufTraces(
      request([{ traceId: TRACE, spanId: "00f067aa0ba902b7", attributes }]),
      options,
    ).spans;
    expect(Object.getPrototypeOf(span!.attributes)).toBe(Object.prototype);
    expect(Object.entries(span!.attributes)).toEqual([["__proto__", "x"]]);
  });
});
