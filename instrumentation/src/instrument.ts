import { patchAnthropic } from "./anthropic/patch.js";
import { patchOpenAI } from "./openai/patch.js";
import { setupTracing, type TracingOptions } from "./tracing.js";

/**
 * Instruments SDK classes handed over directly, for bundled apps where no `require` hook or
 * package resolution can find them.
 * @example import OpenAI from "openai"; instrument({ openai: OpenAI });
 */
export function instrument(
  sdks: { openai?: unknown; anthropic?: unknown },
  options: TracingOptions = {},
): void {
  setupTracing(options);
  if (sdks.openai) patchOpenAI(sdks.openai);
  if (sdks.anthropic) patchAnthropic(sdks.anthropic);
}
