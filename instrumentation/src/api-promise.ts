import { diag } from "@opentelemetry/api";
import type { LlmCall } from "./llm-call.js";
import { jsonOfCopy, sseEvents } from "./response-copy.js";
import { getRuntime } from "./runtime.js";
import type { MethodTelemetry } from "./wrap.js";

/**
 * The parts of the SDKs' `APIPromise` (openai 4-7, @anthropic-ai/sdk) this module uses. The
 * request is sent at once and `responsePromise` settles with the raw response; the body is
 * parsed, once, with `parseResponse` only when the caller asks for it (`await`, `.then`,
 * `.withResponse()`), and `parsedPromise` is set from then on. `.asResponse()` hands over the
 * raw response unparsed.
 */
export interface ApiPromise extends Promise<unknown> {
  responsePromise?: Promise<unknown>;
  parseResponse?: (client: unknown, props: unknown) => Promise<unknown>;
  parsedPromise?: Promise<unknown>;
  asResponse?: () => Promise<Response>;
  /** A derived APIPromise whose body is `transform` of this one's; helpers like `parse()` use it. */
  _thenUnwrap?: (transform: (data: unknown, props: unknown) => unknown) => unknown;
  /** Anthropic: the raw response and its request, for helpers that parse it themselves. */
  _responseProps?: () => Promise<unknown>;
}

/** How a call's parsed body is read: the method's telemetry (see wrap.ts). */
type BodyReader = Pick<MethodTelemetry, "finish" | "observe">;

/** Where a hooked `parseResponse` keeps what to do when the caller reads the raw response instead. */
const ON_RAW_READ = Symbol("burnrate.onRawRead");
/** Where a hooked `parseResponse` keeps what has asked for the call's body so far. */
const READS = Symbol("burnrate.reads");
type HookedParse = NonNullable<ApiPromise["parseResponse"]> & {
  [ON_RAW_READ]?: (raw: Promise<Response>) => void;
  [READS]?: BodyReads;
};

/**
 * What has asked for one call's body: a raw read, or the promises helpers derived from the
 * call's (`parse()` and the stream helpers), any of which may be the one the caller reads.
 */
interface BodyReads {
  raw: boolean;
  derived: ApiPromise[] | undefined;
}

/** True once the caller, or a helper for it, has asked for the body of `promise`. */
function bodyAsked(promise: ApiPromise, reads: BodyReads): boolean {
  if (promise.parsedPromise || reads.raw) return true;
  if (reads.derived) for (const derived of reads.derived) if (derived.parsedPromise) return true;
  return false;
}

/** Records `derived` as read through `reads`, so a derivation of it is recorded too. */
function deriveReads(derived: ApiPromise | null, reads: BodyReads | undefined): void {
  const parse = derived?.parseResponse as HookedParse | undefined;
  if (!reads || typeof parse !== "function") return;
  addDerived(reads, derived!);
  parse[READS] = reads;
}

function addDerived(reads: BodyReads, derived: ApiPromise): void {
  if (reads.derived) reads.derived.push(derived);
  else reads.derived = [derived];
}
/** Marks an APIPromise prototype whose `asResponse` has been hooked. */
const RAW_READS_HOOKED = Symbol("burnrate.rawReadsHooked");

/**
 * Hooks Burnrate into the SDK's own APIPromise object, which the caller then gets unchanged.
 * The body is read as the SDK parses it for the caller, so telemetry never parses it a second
 * time, never parses it when the caller did not ask, and leaves `.asResponse()` bodies to the
 * caller. Returns false, changing nothing, when `promise` is not shaped like an APIPromise.
 */
export function observeApiPromise(
  promise: ApiPromise,
  call: LlmCall,
  reader: BodyReader,
  request: Record<string, unknown>,
  streaming: boolean,
  what: string,
): boolean {
  const { responsePromise, parseResponse, asResponse } = promise;
  if (
    !(responsePromise instanceof Promise) ||
    typeof parseResponse !== "function" ||
    typeof asResponse !== "function"
  ) {
    return false;
  }
  const hooked: HookedParse = (client, props) => {
    const parsed = parseResponse.call(promise, client, props);
    if (streaming) {
      // The caller gets the stream as observed (see observeStream), so it goes through this step.
      return parsed.then(
        (stream) => observeStream(call, reader, stream, request, what),
        (error: unknown) => {
          call.fail(error);
          throw error;
        },
      );
    }
    // A body is read beside the caller's chain rather than as a step in it. Registered before
    // the SDK adopts `parsed`, the read still runs before the caller resumes.
    parsed.then(
      (body) => finishBody(call, reader, body, what),
      (error: unknown) => call.fail(error),
    );
    return parsed;
  };
  // A raw read leaves the body to the caller. Its usage is then read from a copy of the body,
  // taken before the caller can start reading: a JSON body's, or a stream's events.
  const reads: BodyReads = { raw: false, derived: undefined };
  const onRawRead = (raw: Promise<Response>) => {
    // One copy is enough: a second raw read (or the caller's, after Burnrate's own) adds none.
    if (reads.raw) return;
    reads.raw = true;
    raw.then(
      (response) => {
        if (call.ended) return;
        if (streaming) return observeRawStream(call, reader, response, request, what);
        const copy = jsonOfCopy(response);
        if (!copy) return call.finish({});
        copy.then(
          (body) => finishBody(call, reader, body, what),
          // The body failed to arrive whole (the connection lost, a timeout): so does the caller's.
          (error: unknown) => call.fail(error),
        );
      },
      () => {},
    );
  };
  // Declared above rather than written as `hooked[ON_RAW_READ] = (raw) => …`: V8 allocates a
  // function literal assigned straight to a property in the old generation (it guesses such a
  // function is a long-lived method), and an old closure holding this call's young objects
  // keeps them alive through every minor GC until a full one, so each call's request, response
  // and span were copied into the old generation: 833 KB promoted per scavenge against 348,
  // and twice the GC time per call, in the overhead benchmark's calls against an in-process fetch.
  hooked[ON_RAW_READ] = onRawRead;
  hooked[READS] = reads;
  // A request that fails (an HTTP error, the network, an abort) never reaches the parse. One
  // that is answered before anything asked for its body (a `create()` nobody awaits, or awaits
  // only later) would leave the call open for good, its tokens uncounted: its body is read
  // from a copy, as for a raw read, and the caller's own later read is untouched.
  responsePromise.then(
    (props) => {
      if (call.ended || bodyAsked(promise, reads)) return;
      onRawRead(Promise.resolve((props as { response: Response }).response));
    },
    (error: unknown) => call.fail(error, true),
  );
  // Only the existing field is replaced: an own property added to every APIPromise would give
  // the SDK's promises two shapes, which slows every call's promise handling.
  promise.parseResponse = hooked;
  hookRawReads(promise);
  // openai 7 gives each promise its own `_thenUnwrap`, which parses with the function it was
  // created with rather than `parseResponse`: helpers built on it (`chat.completions.parse()`,
  // `responses.parse()`, `responses.stream()`) would never reach the hook above. The body is
  // read on its way into their transform instead.
  const thenUnwrap = Object.hasOwn(promise, "_thenUnwrap") ? promise._thenUnwrap : undefined;
  if (typeof thenUnwrap === "function") {
    promise._thenUnwrap = (transform) =>
      failOnUnreadBody(
        thenUnwrap.call(promise, (data, props) =>
          transform(
            streaming
              ? observeStream(call, reader, data, request, what)
              : finishBody(call, reader, data, what),
            props,
          ),
        ),
        call,
        onRawRead,
        reads,
      );
  }
  return true;
}

/**
 * For an APIPromise that openai 7's own `_thenUnwrap` derived: its parse reads the body with a
 * function of its own, so a body that cannot be read (the connection lost half-way, a body
 * timeout) never reaches the transform that finishes the call. The call fails with that error
 * instead; once the transform has run, the call has ended and this does nothing. A raw read
 * of it goes to the call's `onRawRead`. A promise derived from this one in turn is watched the
 * same way.
 */
function failOnUnreadBody(
  derived: unknown,
  call: LlmCall,
  onRawRead: (raw: Promise<Response>) => void,
  reads: BodyReads,
): unknown {
  const promise = derived as ApiPromise | null;
  const parse = promise?.parseResponse;
  if (typeof parse !== "function") return derived;
  addDerived(reads, promise!);
  const watched: HookedParse = (client, props) => {
    const parsed = parse.call(promise, client, props);
    parsed.then(undefined, (error: unknown) => call.fail(error));
    return parsed;
  };
  // A raw read of the derived promise (`parse(…).asResponse()`) is the call's raw read too.
  watched[ON_RAW_READ] = onRawRead;
  watched[READS] = reads;
  promise!.parseResponse = watched;
  const thenUnwrap = Object.hasOwn(promise!, "_thenUnwrap") ? promise!._thenUnwrap : undefined;
  if (typeof thenUnwrap === "function") {
    promise!._thenUnwrap = (transform) =>
      failOnUnreadBody(thenUnwrap.call(promise, transform), call, onRawRead, reads);
  }
  return derived;
}

/** The prototype `hookRawReads` last handled; its chain needs no second look. */
let lastProto: object | null | undefined;

type HookableProto = ApiPromise & { [RAW_READS_HOOKED]?: true };

/**
 * Hooks `asResponse` once on the APIPromise class that defines it. `.withResponse()` parses
 * first and then asks for the raw response; only a raw read on its own, before any parse, is
 * handed to the call's hook (see `observeApiPromise`). For a promise Burnrate did not hook,
 * or after the instrumentation is disabled, it only passes the call through.
 *
 * Helpers such as `chat.completions.parse()` and `responses.parse()` hand the caller a
 * promise derived with `_thenUnwrap`, whose parse runs the hooked one but whose own
 * `parseResponse` is the SDK's: `_thenUnwrap` is hooked too, so a raw read of a derived
 * promise reaches the call's hook as well.
 */
function hookRawReads(promise: ApiPromise): void {
  // Calls through one SDK copy share a prototype, so the walk runs only when the copy changes.
  const own = Object.getPrototypeOf(promise) as object | null;
  if (own === lastProto) return;
  lastProto = own;
  const proto = definer(own as HookableProto | null, "asResponse");
  if (!proto || Object.hasOwn(proto, RAW_READS_HOOKED)) return;
  const asResponse = proto.asResponse!;
  proto.asResponse = function (this: ApiPromise) {
    const raw = asResponse.call(this);
    if (!this.parsedPromise) (this.parseResponse as HookedParse | undefined)?.[ON_RAW_READ]?.(raw);
    return raw;
  };
  Object.defineProperty(proto, RAW_READS_HOOKED, { value: true });
  // Anthropic's message threads (the streaming tool runner) take the raw response of a
  // `create` call and parse it with a promise of their own: a raw read too.
  const propsReader = definer(own as HookableProto | null, "_responseProps");
  const responseProps = propsReader?._responseProps;
  if (propsReader && typeof responseProps === "function") {
    propsReader._responseProps = function (this: ApiPromise) {
      const props = responseProps.call(this);
      if (!this.parsedPromise) {
        (this.parseResponse as HookedParse | undefined)?.[ON_RAW_READ]?.(
          props.then((p) => (p as { response: Response }).response),
        );
      }
      return props;
    };
  }
  const unwrapper = definer(own as HookableProto | null, "_thenUnwrap");
  const thenUnwrap = unwrapper?._thenUnwrap;
  if (!unwrapper || typeof thenUnwrap !== "function") return;
  unwrapper._thenUnwrap = function (this: ApiPromise, transform) {
    const derived = thenUnwrap.call(this, transform) as ApiPromise | null;
    const hooked = this.parseResponse as HookedParse | undefined;
    const onRawRead = hooked?.[ON_RAW_READ];
    const parse = derived?.parseResponse as HookedParse | undefined;
    if (onRawRead && typeof parse === "function") parse[ON_RAW_READ] = onRawRead;
    // The derived promise reads this one's body when it is itself read.
    deriveReads(derived, hooked?.[READS]);
    return derived;
  };
}

/** The object in `proto`'s chain that defines `name` itself. */
function definer(proto: HookableProto | null, name: string): HookableProto | null {
  while (proto && !Object.hasOwn(proto, name)) proto = Object.getPrototypeOf(proto) as HookableProto | null;
  return proto;
}

/**
 * Shows `onBody` the body the SDK parses for the caller, without parsing it otherwise. When
 * the caller reads the raw response instead (`.asResponse()`), a JSON body is read from a
 * copy. Changes nothing when `promise` is not shaped like an APIPromise.
 */
export function watchBody(promise: ApiPromise, onBody: (body: unknown) => void): void {
  const parseResponse = promise?.parseResponse;
  if (typeof parseResponse !== "function") return;
  const watched: HookedParse = (client, props) => {
    const parsed = parseResponse.call(promise, client, props);
    parsed.then(onBody, () => {});
    return parsed;
  };
  const onRawRead = (raw: Promise<Response>) =>
    raw.then(
      (response) => {
        if (/json/i.test(response.headers.get("content-type") ?? ""))
          jsonOfCopy(response)?.then(onBody, () => {});
      },
      () => {},
    );
  watched[ON_RAW_READ] = onRawRead;
  promise.parseResponse = watched;
  hookRawReads(promise);
}

/**
 * Observes a stream the caller reads raw, through a copy of its body: its server-sent events,
 * parsed as the SDK would, go to the method's stream reader, which ends the call when they end.
 */
function observeRawStream(
  call: LlmCall,
  reader: BodyReader,
  response: Response,
  request: Record<string, unknown>,
  what: string,
): void {
  let copy: Response;
  try {
    copy = response.clone();
  } catch {
    call.finish({}); // a second raw read of a body the caller already read
    return;
  }
  const events = sseEvents(copy);
  const source = {
    iterator: () => events[Symbol.asyncIterator](),
    [Symbol.asyncIterator]() {
      return this.iterator();
    },
  };
  const observed = observeStream(call, reader, source, request, what) as AsyncIterable<unknown>;
  (async () => {
    for await (const _ of observed) {
      // read to the end: the reader ends the call
    }
  })().catch(() => {
    // The copy failed as the caller's read did; the reader has ended the call with the error.
  });
}

/** Reads a non-streaming body into the call; a reader's failure ends the call without usage. */
export function finishBody(
  call: LlmCall,
  reader: Pick<BodyReader, "finish">,
  body: unknown,
  what: string,
): unknown {
  try {
    reader.finish(call, body);
  } catch (error) {
    diag.error(`burnrate: could not read the ${what} response`, error);
    call.finish({});
  }
  return body;
}

function observeStream(
  call: LlmCall,
  reader: BodyReader,
  stream: unknown,
  request: Record<string, unknown>,
  what: string,
): unknown {
  try {
    // A kill decision for this call's scope aborts the stream mid-way.
    const controller = (stream as { controller?: AbortController }).controller;
    if (controller) call.onEnd(getRuntime().killSwitch.trackStream(controller, call.callScope));
    const observed = reader.observe(call, stream, request);
    // The SDK marks what it parsed with the request id; the stream handed on keeps it.
    const requestId = observed !== stream && Object.getOwnPropertyDescriptor(stream, "_request_id");
    if (requestId) Object.defineProperty(observed, "_request_id", requestId);
    return observed;
  } catch (error) {
    diag.error(`burnrate: could not observe the ${what} stream`, error);
    call.finish({});
    return stream;
  }
}
