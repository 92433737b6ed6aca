import { otlpTypes } from "./proto-root.js";

export type WireFormat = "protobuf" | "json";

const EMPTY = new Uint8Array(0);

/**
 * Encodes an `ExportTraceServiceResponse`. With no rejections it is the empty message ("{}" or zero
 * bytes); otherwise `partial_success` carries the count and message, which tells the exporter not to retry.
 *
 * @example
 * encodeExportResponse("json", { rejectedSpans: 2, errorMessage: "span 4bf9…/00f0… has an all-zero spanId" });
 * // => '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"span 4bf9…/00f0… has an all-zero spanId"}}'
 */
export function encodeExportResponse(
  format: WireFormat,
  partial?: { rejectedSpans: number; errorMessage: string },
): Uint8Array | string {
  // The spec treats an all-default partial_success as absent, so send the plain success response.
  const hasPartial = partial !== undefined && (partial.rejectedSpans !== 0 || partial.errorMessage !== "");
  if (format === "json") {
    if (!hasPartial) return "{}";
    // Canonical protobuf JSON writes int64 as a decimal string; omit empty fields as it would.
    const partialSuccess: { rejectedSpans?: string; errorMessage?: string } = {};
    if (partial.rejectedSpans !== 0) partialSuccess.rejectedSpans = String(partial.rejectedSpans);
    if (partial.errorMessage !== "") partialSuccess.errorMessage = partial.errorMessage;
    return JSON.stringify({ partialSuccess });
  }
  if (!hasPartial) return EMPTY;
  const { ExportTraceServiceResponse } = otlpTypes;
  return ExportTraceServiceResponse.encode(
    ExportTraceServiceResponse.fromObject({
      partialSuccess: { rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage },
    }),
  ).finish();
}

/**
 * Encodes a `google.rpc.Status`, the body OTLP/HTTP asks for with 4xx and 5xx answers.
 *
 * @example
 * encodeStatus("json", 3, "invalid protobuf: index out of range: 12 + 10 > 20");
 * // => '{"code":3,"message":"invalid protobuf: index out of range: 12 + 10 > 20"}'
 */
export function encodeStatus(format: WireFormat, code: number, message: string): Uint8Array | string {
  if (format === "json") return JSON.stringify({ code, message });
  const { Status } = otlpTypes;
  return Status.encode(Status.fromObject({ code, message })).finish();
}
