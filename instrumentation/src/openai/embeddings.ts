import type { MethodTelemetry } from "../wrap.js";

/** `embeddings.create`: input tokens only. */
export const embeddings: MethodTelemetry = {
  streams: () => false,

  start(body) {
    const model = String(body.model ?? "");
    return {
      provider: "openai",
      operation: "embeddings",
      requestModel: model,
      prompt: { model, messages: body.input },
    };
  },

  finish(call, result) {
    const r = result as { model?: string; usage?: { prompt_tokens?: number } };
    call.finish({
      responseModel: r.model,
      usage: { input: r.usage?.prompt_tokens ?? 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    });
  },

  observe(_call, stream) {
    return stream;
  },
};
