import { anthropicTargets } from "./anthropic/patch.js";
import { openaiTargets } from "./openai/patch.js";
import { type PatchTarget, patch } from "./patch.js";
import { parseTracingOptions, setupTracing, type TracingOptions } from "./tracing.js";

/** The SDKs `instrument()` takes, how their methods are found, and how a user hands one over. */
const SDKS: Record<string, { targets: (sdk: unknown) => PatchTarget[]; example: string }> = {
  openai: { targets: openaiTargets, example: 'import OpenAI from "openai"' },
  anthropic: { targets: anthropicTargets, example: 'import Anthropic from "@anthropic-ai/sdk"' },
};

/**
 * Instruments SDK classes handed over directly, for bundled apps where no `require` hook or
 * package resolution can find them. Everything is checked before anything is set up: an SDK
 * that is not what its key names, an unknown key or a bad option throws a TypeError, so a
 * mistake never leaves the app running uninstrumented without a word.
 * @example import OpenAI from "openai"; instrument({ openai: OpenAI });
 */
export function instrument(
  sdks: { openai?: unknown; anthropic?: unknown },
  options: TracingOptions = {},
): void {
  parseTracingOptions(options, "instrument");
  const found: PatchTarget[] = [];
  for (const [key, sdk] of Object.entries(sdks ?? {})) {
    if (sdk === undefined) continue;
    const known = Object.hasOwn(SDKS, key) ? SDKS[key] : undefined;
    if (!known) {
      throw new TypeError(
        `instrument: unknown SDK ${JSON.stringify(key)}; pass { ${Object.keys(SDKS).join(", ")} }`,
      );
    }
    const targets = known.targets(sdk);
    if (targets.length === 0) {
      throw new TypeError(
        `instrument: ${key} is not the ${key} SDK's client class or module; pass it as \`${known.example}\` gives it`,
      );
    }
    found.push(...targets);
  }
  setupTracing(options);
  for (const target of found) patch(target);
}
