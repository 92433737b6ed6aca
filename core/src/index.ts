export * from "./auth.js";
export * from "./detectors/repetition.js";
export * from "./fingerprint.js";
export * from "./llm-call.js";
export * from "./normalise/index.js";
export * from "./pricing/index.js";
export * from "./semconv.js";
export * from "./span.js";
