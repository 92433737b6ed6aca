import * as C from "@burnrate/core";
import { type Prompt, promptFingerprint, type TokenUsage, toolCallFingerprint } from "@burnrate/core";
import {
  type Context,
  diag,
  INVALID_SPAN_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { type Attribution, attributionAttributes } from "./attribution.js";
import { BurnrateStopError } from "./errors.js";
import type { RunScope } from "./guard.js";
import { whileInFlight } from "./in-flight.js";
import type { CallScope } from "./kill-switch/kill-switch.js";
import { warnUnpriced } from "./prices.js";
import { getRuntime } from "./runtime.js";
import { burnrateTracer } from "./tracer.js";
import { wallClockOffsetMs } from "./wall-clock.js";

/** What is known about an LLM call before it is sent. */
export interface CallStart {
  provider: string;
  operation: string;
  requestModel: string;
  serviceTier?: string;
  /** What the prompt fingerprint covers; digested once the request is in flight. */
  prompt: Prompt;
  /** Request attributes beyond the common ones, e.g. gen_ai.request.max_tokens. */
  attributes?: Record<string, string | number | boolean | string[]>;
  /** The request messages, recorded only when content capture is on. */
  inputMessages?: unknown;
}

/** What is known once the call has finished. */
export interface CallResult {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  usage?: TokenUsage;
  /** True when usage came from a tokenizer estimate. */
  estimated?: boolean;
  toolCalls?: { name: string; arguments: unknown }[];
  outputMessages?: unknown;
  /** The service tier the response says it was served at (OpenAI's `service_tier`). */
  servedTier?: string;
}

type Attributes = Record<string, string | number | boolean | string[]>;

/**
 * One LLM call in flight. Created by `beginCall`, which first asks the local guard whether
 * the call may be sent at all. Its span is started once the request is on the wire, with the
 * start time of the call (see in-flight.ts), or earlier if anything needs it first.
 */
export class LlmCall {
  #ended = false;
  #span: Span | undefined;
  #fingerprint: string | undefined;
  #onEnd: (() => void)[] | undefined;
  /** Set by `reportFailure`: the call failed though nothing was thrown. */
  #failed = false;
  /**
   * The tool-call fingerprints loop detection was shown when the call's stream ended, before
   * its usage was estimated (see `recordStep`); undefined until then.
   */
  #stepFingerprints: string[] | undefined;
  // A performance.now() reading: the OTel SDK takes a number no later than now as one.
  readonly #startTime = performance.now();
  /** When the call ended, once it has (a performance.now() reading). */
  #endTime = 0;
  constructor(
    /** The caller's context, which the span is a child of. */
    readonly parent: Context,
    readonly scope: RunScope,
    private readonly attribution: Readonly<Attribution>,
    private readonly start: CallStart,
  ) {
    whileInFlight(this);
  }

  /** The call in the terms collector decisions are scoped by; built only when a decision or a stream needs it. */
  get callScope(): CallScope {
    const { attribution } = this;
    return {
      trace_id: this.scope.traceId,
      session_id: attribution.session,
      user: attribution.user,
      feature: attribution.feature,
      tenant: attribution.tenant,
      service: getRuntime().service,
    };
  }

  /** The call's span, started now if it has not been yet. */
  get span(): Span {
    return this.#span ?? this.#startSpan();
  }

  /** Starts the span if nothing has yet; for the in-flight queue. */
  settleStart(): void {
    if (!this.#span) this.#startSpan();
  }

  /** The prompt's digest, computed once; empty if the prompt cannot be serialised (the SDK will refuse it too). */
  get promptFingerprint(): string {
    if (this.#fingerprint === undefined) {
      try {
        this.#fingerprint = promptFingerprint(this.start.prompt);
      } catch (error) {
        diag.error("burnrate: could not fingerprint a prompt", error);
        this.#fingerprint = "";
      }
    }
    return this.#fingerprint;
  }

  /** Starts the span with the call's start attributes. */
  #startSpan(): Span {
    const { start } = this;
    const attributes: Attributes = {
      [C.ATTR_GEN_AI_PROVIDER_NAME]: start.provider,
      [C.ATTR_GEN_AI_OPERATION_NAME]: start.operation,
      [C.ATTR_GEN_AI_REQUEST_MODEL]: start.requestModel,
    };
    const fingerprint = this.promptFingerprint;
    if (fingerprint) attributes[C.ATTR_BURNRATE_PROMPT_FINGERPRINT] = fingerprint;
    // Set here as well as by AttributionSpanProcessor, for apps whose own provider lacks it.
    attributionAttributes(this.attribution, attributes);
    if (start.attributes) Object.assign(attributes, start.attributes);
    if (start.serviceTier) attributes[C.ATTR_BURNRATE_REQUEST_SERVICE_TIER] = start.serviceTier;
    if (start.inputMessages !== undefined && getRuntime().captureContent) {
      attributes[C.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(start.inputMessages);
    }
    try {
      this.#span = burnrateTracer().startSpan(
        `${start.operation} ${start.requestModel}`,
        { kind: SpanKind.CLIENT, attributes, startTime: this.#startTime },
        this.parent,
      );
    } catch (error) {
      // Started lazily, possibly inside the SDK's promise callbacks: a tracer that throws must
      // cost the call its span, never the app an unhandled rejection.
      diag.error("burnrate: could not start an LLM call's span", error);
      this.#span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    }
    return this.#span;
  }

  /** Runs `fn` once the call has ended, however it ended. */
  onEnd(fn: () => void): void {
    if (this.#ended) fn();
    else if (this.#onEnd) this.#onEnd.push(fn);
    else this.#onEnd = [fn];
  }

  #ran(): void {
    const handlers = this.#onEnd;
    this.#onEnd = undefined;
    if (handlers) for (const fn of handlers) fn();
  }

  /** True when message content goes on spans (the user opted in), so readers build it only then. */
  get capturesContent(): boolean {
    return getRuntime().captureContent;
  }

  /**
   * Ends the span with the result. `endTime` is when the call ended (a `performance.now()`
   * reading), if that was earlier than now. With `error`, the span also gets error status: a
   * stream cut off mid-way still records the tokens it likely cost.
   */
  finish(result: CallResult, endTime = performance.now(), error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endTime = endTime;
    const { usage } = result;
    const toolFingerprints = this.#stepFingerprints ?? toolFingerprintsOf(result);
    // Written straight onto the span: this runs between the reply and the caller getting it.
    const span = this.span;
    if (result.responseModel) span.setAttribute(C.ATTR_GEN_AI_RESPONSE_MODEL, result.responseModel);
    if (result.responseId) span.setAttribute(C.ATTR_GEN_AI_RESPONSE_ID, result.responseId);
    if (result.finishReasons?.length)
      span.setAttribute(C.ATTR_GEN_AI_RESPONSE_FINISH_REASONS, result.finishReasons);
    if (toolFingerprints.length) span.setAttribute(C.ATTR_BURNRATE_TOOL_CALL_FINGERPRINTS, toolFingerprints);
    if (result.estimated) span.setAttribute(C.ATTR_BURNRATE_USAGE_ESTIMATED, true);
    if (result.servedTier) span.setAttribute(C.ATTR_OPENAI_RESPONSE_SERVICE_TIER, result.servedTier);
    const runtime = getRuntime();
    if (runtime.captureContent && result.outputMessages !== undefined) {
      span.setAttribute(C.ATTR_GEN_AI_OUTPUT_MESSAGES, JSON.stringify(result.outputMessages));
    }
    let costUsd = 0;
    if (usage) {
      span.setAttribute(C.ATTR_GEN_AI_USAGE_INPUT_TOKENS, usage.input);
      span.setAttribute(C.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.output);
      if (usage.cacheRead) span.setAttribute(C.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheRead);
      if (usage.cacheWrite)
        span.setAttribute(C.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheWrite);
      if (usage.cacheWrite1h)
        span.setAttribute(C.ATTR_BURNRATE_USAGE_CACHE_CREATION_1H_INPUT_TOKENS, usage.cacheWrite1h);
      if (usage.reasoning) span.setAttribute(C.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoning);
      if (usage.audioInput) span.setAttribute(C.ATTR_BURNRATE_USAGE_AUDIO_INPUT_TOKENS, usage.audioInput);
      if (usage.audioOutput) span.setAttribute(C.ATTR_BURNRATE_USAGE_AUDIO_OUTPUT_TOKENS, usage.audioOutput);
      if (usage.webSearches) span.setAttribute(C.ATTR_BURNRATE_USAGE_WEB_SEARCH_REQUESTS, usage.webSearches);
      const total = runtime.priceBook.totalUsd({
        provider: this.start.provider,
        requestModel: this.start.requestModel,
        responseModel: result.responseModel ?? "",
        // A priority request served at default is billed at default.
        serviceTier: C.billedServiceTier(this.start.serviceTier ?? "", result.servedTier ?? ""),
        tokens: usage,
        // At the call's start, as the collector prices it (the span's start, on the wall
        // clock), so a price change while the reply was on its way does not make the two disagree.
        atMs: wallClockOffsetMs() + this.#startTime,
      });
      if (total !== undefined) {
        costUsd = total;
        span.setAttribute(C.ATTR_GEN_AI_USAGE_COST_AMOUNT, costUsd);
        span.setAttribute(C.ATTR_GEN_AI_USAGE_COST_CURRENCY, "USD");
        span.setAttribute(C.ATTR_GEN_AI_USAGE_COST_SOURCE, "local");
      } else if (runtime.guard.limitsCost) {
        warnUnpriced(this.start.provider, result.responseModel || this.start.requestModel);
      }
    }
    if (error !== undefined) markError(span, error);
    // A performance.now() reading, as the start was: the OTel SDK would otherwise take the end
    // of a span whose start was given from Date.now(), in whole milliseconds.
    span.end(endTime);
    this.#ran();
    this.#record(
      usage ? usage.input + usage.output : 0,
      costUsd,
      toolFingerprints,
      error !== undefined || this.#failed,
    );
  }

  /**
   * Shows a stream that has ended to loop detection now, while its usage is still being
   * estimated: the first estimate loads the tokenizer (about 160 ms), time enough for the
   * agent's next call to slip past the loop stop this one earns. `finish` then adds only its
   * tokens and cost. `tokens` need only be nonzero when the estimate will be. `endTime` is when
   * the stream ended, a `performance.now()` reading, as `finish` takes it.
   */
  recordStep(result: CallResult, tokens: number, failed: boolean, endTime: number): void {
    const { scope } = this;
    if (this.#ended || this.#stepFingerprints || (!scope.traceId && !scope.session)) return;
    const toolCallFingerprints = toolFingerprintsOf(result);
    this.#stepFingerprints = toolCallFingerprints;
    getRuntime().guard.recordStep(scope, {
      startedAt: this.#startTime,
      endedAt: endTime,
      tokens,
      spanId: this.span.spanContext().spanId,
      promptFingerprint: this.promptFingerprint,
      toolCallFingerprints,
      failed,
    });
  }

  /**
   * Ends the span as failed, with no usage (the request was refused or never answered). A call
   * that was sent still counts against the guard's call limits, as the collector counts its
   * span, but as a failed call: alone, it is no loop step, since it billed nothing. A call
   * never sent (a guard's stop, or the SDK refusing it before it went out) takes back its
   * count. `beforeResponse` says the request failed before any answer came (the SDK's
   * request promise rejected), as opposed to its body failing to arrive whole.
   */
  fail(error: unknown, beforeResponse = false): void {
    if (this.#ended) return;
    this.#ended = true;
    // A span not started yet means the in-flight queue has not reached the call: the request
    // never went out (the SDK threw at once, as Anthropic's does for a non-streaming request
    // too long to wait for, or refused it while building it). See in-flight.ts. Later, a
    // request that failed before any answer with an error that is no HTTP status, connection
    // failure or abort was refused while the SDK prepared it (an apiKey function that failed).
    const unsent = this.#span === undefined || (beforeResponse && refusedBeforeSending(error));
    this.#endTime = performance.now();
    markError(this.span, error);
    this.span.end(this.#endTime);
    this.#ran();
    if (error instanceof BurnrateStopError) return;
    if (!unsent) this.#record(0, 0, NO_TOOL_CALLS, true);
    else if (this.scope.traceId || this.scope.session) getRuntime().guard.release(this.scope);
  }

  /** Adds the finished call to its runs in the local guard, which counted it when it was let go. */
  #record(tokens: number, costUsd: number, toolCallFingerprints: string[], failed: boolean): void {
    const { scope } = this;
    // The guard keeps runs per trace and per session; a call in neither has nothing to add to.
    if (!scope.traceId && !scope.session) return;
    const { guard } = getRuntime();
    if (this.#stepFingerprints) {
      guard.recordUsage(scope, { tokens, costUsd });
      return;
    }
    guard.record(scope, {
      startedAt: this.#startTime,
      endedAt: this.#endTime,
      tokens,
      costUsd,
      spanId: this.span.spanContext().spanId,
      promptFingerprint: this.promptFingerprint,
      toolCallFingerprints,
      failed,
    });
  }

  /**
   * Marks the call failed with the provider's own error type, for a failure the SDK hands over
   * without throwing (a Responses `response.failed`). Before the call finishes.
   */
  reportFailure(type: string, message?: string): void {
    if (this.#ended) return;
    this.#failed = true;
    setFailed(this.span, type, message);
  }

  get ended(): boolean {
    return this.#ended;
  }
}

/**
 * True for an error the SDKs raise only before a request goes out: not an answer with an HTTP
 * status (APIError), not a failure to connect or a timeout (APIConnectionError,
 * APIConnectionTimeoutError), not an abort, which may have come mid-flight.
 */
function refusedBeforeSending(error: unknown): boolean {
  const e = error as { status?: unknown; name?: unknown } | null;
  if (e === null || typeof e !== "object" || typeof e.status === "number") return false;
  // openai's error classes keep the name "Error"; their constructors say what they are.
  const names = `${String(e.name)} ${e.constructor?.name ?? ""}`;
  return !/Connection|Timeout|Abort/.test(names);
}

/** Shared by calls that requested no tool; never written to. */
const NO_TOOL_CALLS: string[] = [];

/** The fingerprints of the tool calls the model requested. */
function toolFingerprintsOf(result: CallResult): string[] {
  return result.toolCalls?.length
    ? result.toolCalls.map((t) => toolCallFingerprint(t.name, t.arguments))
    : NO_TOOL_CALLS;
}

function markError(span: Span, error: unknown): void {
  // error.type is the class name: few distinct values, and never the message's content.
  // A DOMException's class says little; its name (AbortError, TimeoutError) says what happened.
  const ctor = (error as Error)?.constructor?.name;
  const type = ctor === "DOMException" ? (error as Error).name : ctor;
  setFailed(span, !type || type === "Object" ? "_OTHER" : type, (error as Error)?.message);
}

function setFailed(span: Span, type: string, message: string | undefined): void {
  span.setAttribute(C.ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
