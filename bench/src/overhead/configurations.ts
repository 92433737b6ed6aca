import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** What each child process runs: the bare SDK, or the SDK with one instrumentation. */
export const CONFIGURATIONS = ["bare", "burnrate", "otel_contrib", "traceloop"] as const;
export type Configuration = (typeof CONFIGURATIONS)[number];

/** The instrumentations Burnrate is compared with. */
export const PEERS = ["otel_contrib", "traceloop"] as const;
export type Peer = (typeof PEERS)[number];

export const PACKAGES: Record<Configuration, string> = {
  bare: "openai (no instrumentation)",
  burnrate: "@burnrate/instrumentation",
  otel_contrib: "@opentelemetry/instrumentation-openai",
  traceloop: "@traceloop/instrumentation-openai",
};

/**
 * The parts of an OTel `InstrumentationBase` the benchmark uses. Declared here because
 * traceloop's class comes from its own copy of `@opentelemetry/instrumentation` (0.203),
 * whose types do not match the root copy's.
 */
export interface OpenAIHook {
  instrumentationName: string;
  instrumentationVersion: string;
  getModuleDefinitions(): {
    name: string;
    supportedVersions: string[];
    patch?: (moduleExports: unknown, moduleVersion?: string) => unknown;
  }[];
}

/**
 * Creates the configuration's instrumentation, imported only in the child that uses it.
 * Message content capture is off for all three (Burnrate's and the contrib package's
 * default; traceloop's default is on), so each does the same kind of work per call.
 */
export async function createInstrumentation(config: Configuration): Promise<OpenAIHook | undefined> {
  switch (config) {
    case "bare":
      return undefined;
    case "burnrate": {
      const { OpenAIInstrumentation } = await import("@burnrate/instrumentation");
      return new OpenAIInstrumentation() as unknown as OpenAIHook;
    }
    case "otel_contrib": {
      const { OpenAIInstrumentation } = await import("@opentelemetry/instrumentation-openai");
      return new OpenAIInstrumentation({ captureMessageContent: false }) as unknown as OpenAIHook;
    }
    case "traceloop": {
      const { OpenAIInstrumentation } = await import("@traceloop/instrumentation-openai");
      return new OpenAIInstrumentation({ traceContent: false }) as unknown as OpenAIHook;
    }
  }
}

/** The openai 6 copy every configuration loads, and where it came from. */
export interface LoadedOpenAI {
  exports: { OpenAI: new (options: Record<string, unknown>) => unknown };
  path: string;
  version: string;
}

/**
 * Loads `openai-v6` (an alias of `npm:openai@6.x`) through CommonJS `require`, resolved from
 * the instrumentation workspace that declares it, so every configuration gets the same file.
 */
export function loadOpenAIv6(): LoadedOpenAI {
  const workspace = createRequire(new URL("../../../instrumentation/package.json", import.meta.url));
  const path = workspace.resolve("openai-v6");
  // Its `exports` map hides package.json, so it is read from the directory.
  const { version } = JSON.parse(readFileSync(join(dirname(path), "package.json"), "utf8")) as {
    version: string;
  };
  return { exports: workspace("openai-v6") as LoadedOpenAI["exports"], path, version };
}

/**
 * Applies the instrumentation's own `openai` module patch to the loaded module: the function
 * its require hook would call. The hook cannot do it here, because it matches packages by
 * directory name and this copy lives in `node_modules/openai-v6`; installing openai 6 as the
 * root `openai` instead would move the repository's other tests off openai 7.
 */
export function patchOpenAI(hook: OpenAIHook, openai: LoadedOpenAI): string[] {
  const definitions = hook.getModuleDefinitions().filter((d) => d.name === "openai");
  if (definitions.length === 0 || definitions.some((d) => !d.patch)) {
    throw new Error(`${hook.instrumentationName} has no patch for the "openai" module`);
  }
  for (const definition of definitions) definition.patch!(openai.exports, openai.version);
  return definitions.flatMap((d) => d.supportedVersions);
}
