import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { describe, expect, it } from "vitest";
import { otlpTypes } from "./proto-root.js";
import { encodeExportResponse, encodeStatus } from "./responses.js";

const partial = { rejectedSpans: 3, errorMessage: "span 4bf9…/00f0… has an all-zero spanId" };

function decodeResponse(bytes: Uint8Array) {
  const { ExportTraceServiceResponse } = otlpTypes;
  return ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), { longs: Number });
}

describe("encodeExportResponse", () => {
  it("is the empty message when nothing was rejected", () => {
    expect(encodeExportResponse("json")).toBe("{}");
    expect(encodeExportResponse("protobuf")).toEqual(new Uint8Array(0));
    expect(encodeExportResponse("json", { rejectedSpans: 0, errorMessage: "" })).toBe("{}");
  });

  it("round-trips partial success through the protobuf schema", () => {
    const bytes = encodeExportResponse("protobuf", partial) as Uint8Array;
    expect(decodeResponse(bytes)).toEqual({ partialSuccess: partial });
  });

  it("round-trips partial success as OTLP/JSON, with int64 as a decimal string", () => {
    const text = encodeExportResponse("json", partial) as string;
    expect(JSON.parse(text)).toEqual({
      partialSuccess: { rejectedSpans: "3", errorMessage: partial.errorMessage },
    });
  });

  it("is read back by the OpenTelemetry JS exporters' own response parsers", () => {
    const bytes = encodeExportResponse("protobuf", partial) as Uint8Array;
    const json = new TextEncoder().encode(encodeExportResponse("json", partial) as string);
    expect(ProtobufTraceSerializer.deserializeResponse(bytes)).toEqual({
      partialSuccess: { rejectedSpans: 3, errorMessage: partial.errorMessage },
    });
    expect(JsonTraceSerializer.deserializeResponse(json)).toEqual({
      partialSuccess: { rejectedSpans: "3", errorMessage: partial.errorMessage },
    });
  });
});

describe("encodeStatus", () => {
  it("round-trips a google.rpc.Status in both formats", () => {
    const message = "invalid protobuf: index out of range: 1234 + 10 > 1240";
    const bytes = encodeStatus("protobuf", 3, message) as Uint8Array;
    const { Status } = otlpTypes;
    expect(Status.toObject(Status.decode(bytes), { defaults: true })).toEqual({
      code: 3,
      message,
      details: [],
    });
    expect(JSON.parse(encodeStatus("json", 3, message) as string)).toEqual({ code: 3, message });
  });
});
