import type { BodyWatcher, MethodTelemetry } from "./wrap.js";
import { wrapHelper, wrapMethod, wrapUntraced, wrapWatched } from "./wrap.js";

const ORIGINAL = Symbol.for("burnrate.original");

type Patched = ((...args: unknown[]) => unknown) & { [ORIGINAL]?: (...args: unknown[]) => unknown };

/** One method to instrument: where it lives, and how it becomes telemetry. */
export interface PatchTarget {
  proto: Record<string, unknown>;
  method: string;
  /**
   * How the call becomes a span; `"helper"` for an SDK helper whose own call to an instrumented
   * method makes the span; `"untraced"` for a free call that is no LLM call (token counting),
   * run without the SDK's native span, which would be taken for one; a `BodyWatcher` for a
   * method that is no LLM call but whose answer a call's telemetry reads (a background
   * response's retrieve).
   */
  telemetry: MethodTelemetry | "helper" | "untraced" | BodyWatcher;
  what: string;
}

/**
 * Replaces `proto[method]` with its instrumented version, once: a prototype already patched
 * (say, by both the require hook and the register step) is left alone. Patching the
 * prototype covers every client, including ones created before this ran.
 */
export function patch(target: PatchTarget): boolean {
  const current = target.proto[target.method] as Patched | undefined;
  if (typeof current !== "function" || current[ORIGINAL]) return false;
  const wrapped = (
    target.telemetry === "helper"
      ? wrapHelper(current)
      : target.telemetry === "untraced"
        ? wrapUntraced(current)
        : "watch" in target.telemetry
          ? wrapWatched(current, target.telemetry, target.what)
          : wrapMethod(current, target.telemetry, target.what)
  ) as Patched;
  wrapped[ORIGINAL] = current;
  target.proto[target.method] = wrapped;
  return true;
}

/** Puts the original method back. */
export function unpatch(proto: Record<string, unknown>, method: string): void {
  const current = proto[method] as Patched | undefined;
  if (current?.[ORIGINAL]) proto[method] = current[ORIGINAL];
}

/** The prototype an SDK resource object's methods live on, or undefined. */
export function protoOf(resource: unknown): Record<string, unknown> | undefined {
  if (resource === null || typeof resource !== "object") return undefined;
  return Object.getPrototypeOf(resource) as Record<string, unknown>;
}

/**
 * The SDK client class from a module namespace or CommonJS exports: `{ OpenAI }`,
 * `{ default: OpenAI }`, or the class itself (CJS `module.exports = OpenAI`).
 */
export function clientClass(
  moduleExports: unknown,
  name: string,
): (new (options: object) => unknown) | undefined {
  const m = moduleExports as Record<string, unknown> | undefined;
  // The class itself comes first: a client class's static property of the same name can be
  // a resource-less base class (Anthropic.Anthropic is BaseAnthropic in @anthropic-ai/sdk 1.x).
  const candidates = [m, m?.default, m?.[name], (m?.default as Record<string, unknown> | undefined)?.[name]];
  return candidates.find((c) => typeof c === "function") as (new (options: object) => unknown) | undefined;
}
