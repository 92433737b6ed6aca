import { describe, expect, it } from "vitest";
import { OtlpDecodeError } from "./decode-error.js";
import { decodeJsonTraces } from "./decode-json.js";
import { FULL_REQUEST, FULL_REQUEST_SPANS } from "./testdata/full-request.js";

const options = { maxAttributesPerSpan: 1024 };
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function request(spans: object[]): string {
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

function decodeError(body: string): string {
  try {
    decodeJsonTraces(body, options);
  } catch (error) {
    expect(error).toBeInstanceOf(OtlpDecodeError);
    return (error as Error).message;
  }
  throw new Error("expected an OtlpDecodeError");
}

describe("decodeJsonTraces", () => {
  it("decodes the same request as OTLP/JSON to the same spans as protobuf", () => {
    expect(decodeJsonTraces(JSON.stringify(FULL_REQUEST), options)).toEqual({
      spans: FULL_REQUEST_SPANS,
      rejectedSpans: 0,
      rejectionMessages: [],
    });
  });

  it("shares one resource object between the spans of a resource", () => {
    const { spans } = decodeJsonTraces(JSON.stringify(FULL_REQUEST), options);
    expect(spans[1]!.resource).toBe(spans[0]!.resource);
    expect(spans[3]!.resource).not.toBe(spans[0]!.resource);
  });

  it("keeps every digit of a time sent as a bare JSON number", () => {
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"00f067aa0ba902b7",
      "startTimeUnixNano": 1700000000123456789, "endTimeUnixNano":1700000000987654321,
      "events":[{"timeUnixNano":1700000000555555555,"name":"e"}],
      "attributes":[{"key":"note","value":{"stringValue":"\\"startTimeUnixNano\\": 1700000000123456789"}}]}]}]}]}`;
    const [span] = decodeJsonTraces(body, options).spans;
    expect(span).toMatchObject({
      startTimeUnixNano: 1700000000123456789n,
      endTimeUnixNano: 1700000000987654321n,
      events: [{ timeUnixNano: 1700000000555555555n, name: "e", attributes: {} }],
      attributes: { note: '"startTimeUnixNano": 1700000000123456789' },
    });
  });

  it("decodes {} as an empty request", () => {
    expect(decodeJsonTraces("{}", options)).toEqual({ spans: [], rejectedSpans: 0, rejectionMessages: [] });
  });

  it("rejects spans with bad ids or too many attributes and accepts the rest", () => {
    const attributes = [1, 2, 3].map((i) => ({ key: `k${i}`, value: { intValue: i } }));
    const body = request([
      { traceId: "", spanId: "00f067aa0ba902b7" },
      { traceId: TRACE, spanId: "00F067AA0BA902" },
      { traceId: "00000000000000000000000000000000", spanId: "00f067aa0ba902b7" },
      { traceId: TRACE, spanId: "00f067aa0ba902b8", attributes },
      { traceId: TRACE, spanId: "00f067aa0ba902b9", name: "kept", attributes: attributes.slice(1) },
    ]);
    expect(decodeJsonTraces(body, { maxAttributesPerSpan: 2 })).toEqual({
      spans: [expect.objectContaining({ name: "kept", attributes: { k2: 2, k3: 3 } })],
      rejectedSpans: 4,
      rejectionMessages: [
        "span (no traceId)/00f067aa0ba902b7 has a traceId of 0 bytes; expected 16",
        `span ${TRACE}/00f067aa0ba902 has a spanId of 7 bytes; expected 8`,
        "span 00000000000000000000000000000000/00f067aa0ba902b7 has an all-zero traceId",
        `span ${TRACE}/00f067aa0ba902b8 has 3 attributes, more than the 2 allowed`,
      ],
    });
  });

  it("says where invalid JSON breaks", () => {
    expect(decodeError('{"resourceSpans" []}')).toBe(
      "invalid JSON at position 17: Expected ':' after property name",
    );
    expect(decodeError('{"resourceSpans": [}')).toBe(
      'invalid JSON: Unexpected token \'}\', "{"resourceSpans": [}" is not valid JSON',
    );
    expect(decodeError("")).toBe("invalid JSON: Unexpected end of JSON input");
  });

  it("names the field when a container has the wrong type", () => {
    expect(decodeError('{"resourceSpans": "all of them"}')).toBe(
      'resourceSpans: expected an array, got the string "all of them"',
    );
    expect(decodeError("[]")).toBe("expected a JSON object, got an array");
    expect(decodeError('{"resourceSpans":[{"scopeSpans":[{}, {"spans": {}}]}]}')).toBe(
      "resourceSpans[0].scopeSpans[1].spans: expected an array, got an object",
    );
    expect(decodeError('{"resourceSpans":[7]}')).toBe(
      "resourceSpans[0]: expected an object, got the number 7",
    );
  });

  it("names the span and field of a malformed value", () => {
    const spans = [{ traceId: TRACE, spanId: "00f067aa0ba902b7" }, {}, {}, { traceId: "not hex at all" }];
    expect(decodeError(JSON.stringify({ resourceSpans: [{ scopeSpans: [{}, { spans }] }] }))).toBe(
      'resourceSpans[0].scopeSpans[1].spans[3].traceId: expected 32 hex characters, got the string "not hex at all"',
    );
    const attributes = [
      { key: "ok", value: { intValue: 1 } },
      { key: "bad", value: { intValue: "lots" } },
    ];
    expect(decodeError(request([{ traceId: TRACE, spanId: "00f067aa0ba902b7", attributes }]))).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].attributes[1].value.intValue: expected a 64-bit integer, got the string "lots"',
    );
    const nested = [
      { key: "list", value: { arrayValue: { values: [{ stringValue: "a" }, { boolValue: "yes" }] } } },
    ];
    expect(decodeError(request([{ traceId: TRACE, spanId: "00f067aa0ba902b7", attributes: nested }]))).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.arrayValue.values[1].boolValue: expected true or false, got the string "yes"',
    );
  });

  it("requires integer enums, as the OTLP spec does", () => {
    expect(
      decodeError(request([{ traceId: TRACE, spanId: "00f067aa0ba902b7", kind: "SPAN_KIND_CLIENT" }])),
    ).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0].kind: expected an integer enum value, got the string "SPAN_KIND_CLIENT"',
    );
  });

  it("refuses snake_case keys at the top level instead of silently accepting nothing", () => {
    expect(decodeError('{"resource_spans": []}')).toBe(
      "resource_spans: OTLP/JSON keys are lowerCamelCase; send resourceSpans, scopeSpans, traceId, startTimeUnixNano, …",
    );
  });

  it("reads doubles written as strings, as the protobuf JSON mapping allows", () => {
    const attributes = ["NaN", "Infinity", "-Infinity", "1.5e3"].map((doubleValue, i) => ({
      key: `d${i}`,
      value: { doubleValue },
    }));
    const [span] = decodeJsonTraces(
      request([{ traceId: TRACE, spanId: "00f067aa0ba902b7", attributes }]),
      options,
    ).spans;
    expect(span!.attributes).toEqual({
      d0: Number.NaN,
      d1: Number.POSITIVE_INFINITY,
      d2: Number.NEGATIVE_INFINITY,
      d3: 1500,
    });
  });

  it("throws OtlpDecodeError rather than overflowing the stack on deeply nested values", () => {
    // Built as text: JSON.stringify itself would overflow the stack on an object this deep.
    const value = `${'{"arrayValue":{"values":['.repeat(5000)}{"stringValue":"leaf"}${"]}}".repeat(5000)}`;
    const body = request([
      { traceId: TRACE, spanId: "00f067aa0ba902b7", attributes: [{ key: "deep", value: {} }] },
    ]);
    expect(decodeError(body.replace('"value":{}', `"value":${value}`))).toMatch(
      /^resourceSpans\[0\].*: AnyValue nested more than 100 levels deep$/,
    );
  });
});
