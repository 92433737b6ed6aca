import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { diag } from "@opentelemetry/api";
import { patchAnthropic } from "./anthropic/patch.js";
import { AnthropicInstrumentation, OpenAIInstrumentation } from "./instrumentations.js";
import { patchOpenAI } from "./openai/patch.js";
import { setupTracing, type Tracing } from "./tracing.js";

const SDKS: [string, (moduleExports: unknown) => number][] = [
  ["openai", patchOpenAI],
  ["@anthropic-ai/sdk", patchAnthropic],
];

let registered: Tracing | undefined;

/**
 * What `@burnrate/instrumentation/register` does, without waiting for ESM copies: sets up
 * tracing, hooks `require` for SDKs loaded later, and patches the CommonJS copies of the
 * SDKs the app resolves. Used as is by `node -r` (CommonJS apps only use those copies).
 */
export function registerSync(): Tracing {
  if (registered) return registered;
  registered = setupTracing();
  new OpenAIInstrumentation();
  new AnthropicInstrumentation();
  const require = createRequire(join(appDir(), "noop.js"));
  for (const [name, patchSdk] of SDKS) {
    try {
      patchSdk(require(name));
    } catch {
      // Not installed where the app can see it: nothing to patch.
    }
  }
  return registered;
}

/**
 * Everything `registerSync` does, plus the app's ESM copies of the SDKs. In ESM an app's
 * `import OpenAI from "openai"` is linked before any code runs, so loader hooks set up by
 * the app's first import line would come too late. Patching the classes' prototypes in the
 * very copies the app resolves works whenever it happens before the first call. The ESM
 * and CommonJS builds hold different classes (the dual package hazard), so both are patched.
 */
export async function register(): Promise<Tracing> {
  const tracing = registerSync();
  for (const [name, patchSdk] of SDKS) {
    const entry = esmEntry(name);
    if (!entry) continue;
    try {
      patchSdk(await import(pathToFileURL(entry).href));
    } catch (error) {
      diag.debug(`burnrate: could not load the ESM build of ${name}`, error);
    }
  }
  return tracing;
}

/** The directory the app's own imports resolve from: its main script's, else the working directory. */
function appDir(): string {
  return process.argv[1] ? dirname(resolve(process.argv[1])) : process.cwd();
}

/** The file an `import "<name>"` from the app resolves to, read from the package's exports. */
function esmEntry(name: string): string | undefined {
  let dir: string;
  try {
    dir = packageRoot(createRequire(join(appDir(), "noop.js")).resolve(name), name);
  } catch {
    return undefined;
  }
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    exports?: unknown;
    module?: string;
  };
  const root = (pkg.exports as Record<string, unknown> | undefined)?.["."] ?? pkg.exports;
  const target = pickImport(root) ?? pkg.module;
  return target ? join(dir, target) : undefined;
}

function pickImport(node: unknown): string | undefined {
  if (typeof node === "string") return node;
  if (!node || typeof node !== "object") return undefined;
  const conditions = node as Record<string, unknown>;
  for (const key of ["node", "import", "default"]) {
    const found = pickImport(conditions[key]);
    if (found && /\.m?js$/.test(found)) return found;
  }
  return undefined;
}

function packageRoot(file: string, name: string): string {
  let dir = dirname(file);
  while (dir !== dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === name)
      return dir;
    dir = dirname(dir);
  }
  throw new Error(`no package root for ${name}`);
}
