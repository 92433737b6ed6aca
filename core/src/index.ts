export * from "./auth.js";
export * from "./llm-call.js";
export * from "./semconv.js";
