import {
  InstrumentationBase,
  type InstrumentationConfig,
  InstrumentationNodeModuleDefinition,
} from "@opentelemetry/instrumentation";
import { patchAnthropic, unpatchAnthropic } from "./anthropic/patch.js";
import { patchOpenAI, unpatchOpenAI } from "./openai/patch.js";

const VERSION = "0.1.0";

/**
 * Instruments `openai` (4.x to 7.x): chat.completions.create, responses.create and
 * embeddings.create. Use it in an existing `NodeSDK({ instrumentations: [...] })`.
 */
export class OpenAIInstrumentation extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
    super("@burnrate/instrumentation/openai", VERSION, config);
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      "openai",
      [">=4.0.0 <8"],
      (moduleExports) => {
        patchOpenAI(moduleExports);
        return moduleExports;
      },
      (moduleExports) => {
        if (moduleExports) unpatchOpenAI(moduleExports);
      },
    );
  }
}

/** Instruments `@anthropic-ai/sdk`: messages.create, which `messages.stream()` also goes through. */
export class AnthropicInstrumentation extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
    super("@burnrate/instrumentation/anthropic", VERSION, config);
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      "@anthropic-ai/sdk",
      [">=0.20.0"],
      (moduleExports) => {
        patchAnthropic(moduleExports);
        return moduleExports;
      },
      (moduleExports) => {
        if (moduleExports) unpatchAnthropic(moduleExports);
      },
    );
  }
}
