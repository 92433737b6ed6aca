import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { otlpTypes, protoDir } from "./proto-root.js";

const collectorDir = fileURLToPath(new URL("../../", import.meta.url));

describe("proto-root", () => {
  it("finds the vendored protos from src/otlp (vitest) and from dist/otlp (the built package)", () => {
    const fromDist = fileURLToPath(
      new URL("../../proto/", new URL("dist/otlp/proto-root.js", `file://${collectorDir}`)),
    );
    expect(protoDir).toBe(`${collectorDir}proto/`);
    expect(fromDist).toBe(protoDir);
    expect(existsSync(`${protoDir}opentelemetry/proto/collector/trace/v1/trace_service.proto`)).toBe(true);
  });

  it("loads the export request, response and status types with their field numbers", () => {
    const { ExportTraceServiceRequest, ExportTraceServiceResponse, Status } = otlpTypes;
    const span = ExportTraceServiceRequest.lookupType(".opentelemetry.proto.trace.v1.Span");
    const ids = Object.fromEntries(span.fieldsArray.map((field) => [field.name, field.id]));
    // decode-protobuf.ts walks the wire with these numbers; they must match the vendored schema.
    expect(ids).toEqual({
      traceId: 1,
      spanId: 2,
      traceState: 3,
      parentSpanId: 4,
      flags: 16,
      name: 5,
      kind: 6,
      startTimeUnixNano: 7,
      endTimeUnixNano: 8,
      attributes: 9,
      droppedAttributesCount: 10,
      events: 11,
      droppedEventsCount: 12,
      links: 13,
      droppedLinksCount: 14,
      status: 15,
    });
    expect(ExportTraceServiceResponse.fieldsArray.map((field) => field.name)).toEqual(["partialSuccess"]);
    expect(Status.fieldsArray.map((field) => [field.name, field.id])).toEqual([
      ["code", 1],
      ["message", 2],
      ["details", 3],
    ]);
  });
});
