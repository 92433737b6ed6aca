import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

/**
 * The vendored `.proto` files (see `collector/proto/README.md`). The same relative URL works from
 * `src/otlp/` (vitest) and from `dist/otlp/` (built package): both sit two levels below `collector/`.
 */
export const protoDir: string = fileURLToPath(new URL("../../proto/", import.meta.url));

/** Every message type the collector reads or writes, loaded once when this module is first imported. */
export interface OtlpTypes {
  ExportTraceServiceRequest: protobuf.Type;
  ExportTraceServiceResponse: protobuf.Type;
  Status: protobuf.Type;
}

function loadTypes(): OtlpTypes {
  const root = new protobuf.Root();
  // Imports in the vendored files are written relative to the proto root ("opentelemetry/proto/…"),
  // as protoc's include path would resolve them. `google/protobuf/any.proto` comes bundled with protobufjs.
  root.resolvePath = (_origin, target) => protoDir + target;
  root.loadSync(["opentelemetry/proto/collector/trace/v1/trace_service.proto", "google/rpc/status.proto"]);
  return {
    ExportTraceServiceRequest: root.lookupType(
      "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
    ),
    ExportTraceServiceResponse: root.lookupType(
      "opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse",
    ),
    Status: root.lookupType("google.rpc.Status"),
  };
}

export const otlpTypes: OtlpTypes = loadTypes();
