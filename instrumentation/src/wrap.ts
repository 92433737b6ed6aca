import { type Context, context, createContextKey, diag, ROOT_CONTEXT } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import { type ApiPromise, finishBody, observeApiPromise, watchBody } from "./api-promise.js";
import { beginCall } from "./begin-call.js";
import { BurnrateStopError } from "./errors.js";
import type { CallStart, LlmCall } from "./llm-call.js";

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

/** How one SDK method is turned into telemetry. */
export interface MethodTelemetry {
  /** Describes the call from its arguments; runs before anything is sent. */
  start(body: Record<string, unknown>): CallStart;
  /** True when this call returns a stream. */
  streams(body: Record<string, unknown>): boolean;
  /** Reads the result of a non-streaming call. */
  finish(call: LlmCall, result: unknown): void;
  /** Observes a stream's items and finishes the call when it ends; returns the stream to give the caller. */
  observe(call: LlmCall, stream: unknown, body: Record<string, unknown>): unknown;
}

/**
 * Wraps an SDK method. The caller always gets the SDK's own APIPromise (a Promise subclass
 * with `withResponse()` and `asResponse()`), which reads the call's telemetry as the SDK
 * parses the body (see `observeApiPromise`). If anything in the telemetry fails, the original
 * method runs untouched; only a guard's stop error is thrown on purpose, before anything is sent.
 */
export function wrapMethod(original: AnyFn, telemetry: MethodTelemetry, what: string): AnyFn {
  return function wrapped(this: unknown, ...args: unknown[]) {
    const body = (args[0] ?? {}) as Record<string, unknown>;
    let call: LlmCall;
    let streaming: boolean;
    try {
      streaming = telemetry.streams(body);
      call = beginCall(telemetry.start(body));
    } catch (error) {
      if (error instanceof BurnrateStopError) return stoppedCall(error);
      diag.error(`burnrate: could not instrument ${what}; calling it uninstrumented`, error);
      return original.apply(this, args);
    }
    let result: ApiPromise;
    try {
      // Spans the SDK would start inside the call (its own native tracing, HTTP client spans)
      // are suppressed: Burnrate's span is the LLM call, and a second span carrying the same
      // usage would be counted twice downstream.
      result = context.with(suppressedFor(call.parent), () => original.apply(this, args)) as ApiPromise;
    } catch (error) {
      call.fail(error);
      throw error;
    }
    try {
      if (!observeApiPromise(result, call, telemetry, body, streaming, what))
        observeSettled(result, call, telemetry, streaming, what);
    } catch (error) {
      diag.error(`burnrate: telemetry failed for ${what}`, error);
    }
    return result;
  };
}

/**
 * What a call a guard stopped returns in place of the SDK's APIPromise (nothing was sent, so
 * there is none): a promise rejected with the stop error, with the APIPromise methods that
 * callers and the SDKs' own helpers chain on (`.withResponse()`, `.asResponse()`,
 * `._thenUnwrap()` for `parse()`, `._responseProps()` for Anthropic's message threads), each
 * rejected with the same error. It counts as handled by
 * itself, so a helper that only chains on it leaves no unhandled rejection behind.
 */
function stoppedCall(error: BurnrateStopError): Promise<never> {
  const stopped = Promise.reject(error);
  stopped.catch(() => {});
  return Object.assign(stopped, {
    withResponse: () => stoppedCall(error),
    asResponse: () => stoppedCall(error),
    _thenUnwrap: () => stoppedCall(error),
    _responseProps: () => stoppedCall(error),
  });
}

// Contexts are immutable, so the suppressed copy of a parent can be kept for the next call
// from the same place (an agent's calls share their parent), sparing a context per call.
let lastParent: Context | undefined;
let lastSuppressed: Context = ROOT_CONTEXT;

function suppressedFor(parent: Context): Context {
  if (parent !== lastParent) {
    lastSuppressed = suppressTracing(parent);
    lastParent = parent;
  }
  return lastSuppressed;
}

/**
 * For a result that is a plain promise rather than an APIPromise: a separate branch that
 * never changes what the caller's promise resolves or rejects to. A stream cannot be observed
 * this way, so the call ends with the promise, without usage.
 */
function observeSettled(
  result: Promise<unknown>,
  call: LlmCall,
  telemetry: MethodTelemetry,
  streaming: boolean,
  what: string,
): void {
  result.then(
    (value) => (streaming ? call.finish({}) : finishBody(call, telemetry, value, what)),
    (error) => call.fail(error),
  );
}

/** Marks a context entered by an SDK helper such as `messages.stream()`. */
export const IN_SDK_HELPER = createContextKey("burnrate.in_sdk_helper");

/**
 * Wraps an SDK helper that starts its own native span and then calls an instrumented method
 * (Anthropic's `messages.stream()` calls `messages.create`). The helper runs with tracing
 * suppressed, so its native span is not recorded; the instrumented method lifts the
 * suppression for Burnrate's own span (see `beginCall`), so the call is recorded exactly once.
 * The app's event handlers (`.on("text", …)`) run in the app's own context, not the helper's:
 * spans the app starts there are recorded as they would be without Burnrate.
 */
export function wrapHelper(original: AnyFn): AnyFn {
  return function helper(this: unknown, ...args: unknown[]) {
    const caller = context.active();
    const ctx = suppressTracing(caller).setValue(IN_SDK_HELPER, true);
    const result = context.with(ctx, () => original.apply(this, args));
    try {
      emitInContext(result, caller);
    } catch (error) {
      diag.error("burnrate: could not hand an SDK helper's events back to the app's context", error);
    }
    return result;
  };
}

/** How a method that is no model call, but reads something a call's telemetry needs, is watched. */
export interface BodyWatcher {
  /** Sees the parsed body whenever the caller parses it; must not throw. */
  watch(body: unknown): void;
}

/**
 * Wraps an SDK method that makes no LLM call of its own (no span, no guard), so `watcher` sees
 * its parsed body, as the SDK parses it for the caller. The SDK's own APIPromise is returned.
 */
export function wrapWatched(original: AnyFn, watcher: BodyWatcher, what: string): AnyFn {
  return function watched(this: unknown, ...args: unknown[]) {
    const result = original.apply(this, args) as ApiPromise;
    try {
      watchBody(result, watcher.watch);
    } catch (error) {
      diag.error(`burnrate: could not watch ${what}`, error);
    }
    return result;
  };
}

/**
 * Wraps an SDK method that calls the provider but is no LLM call and costs nothing (Anthropic's
 * `messages.countTokens()`): it runs with tracing suppressed, so the SDK's native span, which
 * names a model and a provider like a model call's, is not recorded and counted as one.
 */
export function wrapUntraced(original: AnyFn): AnyFn {
  return function untraced(this: unknown, ...args: unknown[]) {
    return context.with(suppressTracing(context.active()), () => original.apply(this, args));
  };
}

/** Makes the helper object's `_emit` (how the SDKs' streams call the app's handlers) run handlers in `ctx`. */
function emitInContext(helper: unknown, ctx: Context): void {
  const stream = helper as { _emit?: AnyFn } | null;
  const emit = stream?._emit;
  if (typeof emit !== "function") return;
  stream!._emit = function (this: unknown, ...args: unknown[]) {
    return context.with(ctx, () => emit.apply(this, args));
  };
}
