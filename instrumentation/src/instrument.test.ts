import Anthropic from "@anthropic-ai/sdk";
import { type ProxyTracerProvider, trace } from "@opentelemetry/api";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { instrument } from "./instrument.js";
import { setupTracing } from "./tracing.js";

const ORIGINAL = Symbol.for("burnrate.original");
const patched = () => ({
  openai: ORIGINAL in new OpenAI({ apiKey: "x" }).chat.completions.create,
  anthropic: ORIGINAL in new Anthropic({ apiKey: "x" }).messages.create,
});
const tracingSetUp = () => (trace.getTracerProvider() as ProxyTracerProvider).getDelegate().constructor.name;

describe("instrument() checks what it is given before it sets anything up", () => {
  it("refuses an SDK that is not what its key names, an unknown key and a bad option, with a TypeError each", () => {
    expect(() => instrument({ openai: OpenAI, anthropic: { Anthropic: {} } })).toThrow(
      new TypeError(
        "instrument: anthropic is not the anthropic SDK's client class or module; " +
          'pass it as `import Anthropic from "@anthropic-ai/sdk"` gives it',
      ),
    );
    expect(() => instrument({ OpenAI } as never)).toThrow(
      new TypeError('instrument: unknown SDK "OpenAI"; pass { openai, anthropic }'),
    );
    expect(() => instrument({ openai: OpenAI }, { exportDelayMs: -5, endpoint: "localhost:4318" })).toThrow(
      new TypeError("instrument: endpoint: Invalid URL; exportDelayMs: Too small: expected number to be >=0"),
    );
    expect(() => setupTracing({ exportDelay: 50 } as never)).toThrow(
      new TypeError("setupTracing: exportDelay: not a tracing option"),
    );
    // Nothing was patched and no tracer provider was registered.
    expect({ patched: patched(), provider: tracingSetUp() }).toEqual({
      patched: { openai: false, anthropic: false },
      provider: "NoopTracerProvider",
    });
  });
});
