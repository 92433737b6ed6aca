export { OtlpDecodeError } from "./decode-error.js";
export { decodeJsonTraces } from "./decode-json.js";
export { decodeProtobufTraces } from "./decode-protobuf.js";
export { DEFAULT_DECODE_OPTIONS, type DecodedTraces, type DecodeOptions } from "./options.js";
export { encodeExportResponse, encodeStatus, type WireFormat } from "./responses.js";
