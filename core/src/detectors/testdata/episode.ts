import { readFileSync } from "node:fs";
import { digest, promptFingerprint, toolCallFingerprint } from "../../fingerprint.js";
import type { DetectionEngine } from "../engine.js";
import type { DetectorEvent, Finding } from "../events.js";

/** 2025-03-14 09:00:00 UTC, the start of every test episode unless told otherwise. */
export const T0_MS = Date.UTC(2025, 2, 14, 9, 0, 0);

export interface ToolCall {
  name: string;
  args: unknown;
}

export interface EpisodeOptions {
  traceId?: string;
  sessionId?: string;
  projectId?: string;
  agent?: string;
  feature?: string;
  user?: string;
  tenant?: string;
  service?: string;
  startMs?: number;
  /** Time between consecutive steps. */
  stepMs?: number;
  /** Makes a replayed fixture another customer's: added to every message, argument and result. */
  salt?: string;
}

/**
 * Builds a run's events the way the collector would see them: prompt and tool-call
 * fingerprints come from core's real fingerprint functions, and every LLM call's prompt holds
 * the whole conversation so far, as an agent's prompt does.
 */
export class Episode {
  readonly events: DetectorEvent[] = [];
  readonly #options: Required<EpisodeOptions>;
  readonly #history: unknown[] = [];
  #ms: number;
  #span = 0;

  constructor(options: EpisodeOptions = {}) {
    this.#options = {
      traceId: "trace-1",
      sessionId: "",
      projectId: "proj",
      agent: "agent",
      feature: "support",
      user: "alice",
      tenant: "acme",
      service: "svc",
      startMs: T0_MS,
      stepMs: 1000,
      salt: "",
      ...options,
    };
    this.#ms = this.#options.startMs;
  }

  /** An LLM call. `message` joins the history; `tools` are the calls the model asks for. */
  llm(
    message: string,
    options: {
      tools?: ToolCall[];
      costUsd?: string;
      tokens?: number;
      agent?: string;
      stateless?: boolean;
      simHash?: string;
      atMs?: number;
      /** When the call ended; without it the event has no end time. */
      endMs?: number;
    } = {},
  ): DetectorEvent {
    // A stateless agent sends only the latest message, so repeating it repeats the prompt.
    const messages = options.stateless ? [message] : [...this.#history, message];
    if (!options.stateless) this.#history.push(message);
    const event = this.#event("llm_call", options.agent, options.atMs, {
      costUsd: options.costUsd ?? "0.0021",
      tokens: options.tokens ?? 900,
      promptFingerprint: promptFingerprint({ model: "gpt-4o", messages }),
      toolCallFingerprints: (options.tools ?? []).map((call) => toolCallFingerprint(call.name, call.args)),
      ...(options.simHash === undefined ? {} : { contentSimHash: options.simHash }),
      ...(options.endMs === undefined ? {} : { endUnixNano: BigInt(options.endMs) * 1_000_000n }),
    });
    for (const call of options.tools ?? []) this.#history.push({ call });
    return event;
  }

  /** A tool execution and its result. */
  tool(name: string, result: unknown, options: { agent?: string; atMs?: number } = {}): DetectorEvent {
    this.#history.push({ name, result });
    return this.#event("tool", options.agent, options.atMs, {
      costUsd: "0",
      tokens: 0,
      promptFingerprint: "",
      toolCallFingerprints: [],
      toolName: name,
      toolResultDigest: digest(JSON.stringify(result)),
    });
  }

  /** An LLM call that asks for one tool, followed by that tool's execution. */
  call(name: string, args: unknown, result: unknown, costUsd?: string): DetectorEvent[] {
    return [
      this.llm(`use ${name}`, { tools: [{ name, args }], ...(costUsd ? { costUsd } : {}) }),
      this.tool(name, result),
    ];
  }

  #event(
    kind: DetectorEvent["kind"],
    agent: string | undefined,
    atMs: number | undefined,
    rest: Omit<
      DetectorEvent,
      | "kind"
      | "projectId"
      | "traceId"
      | "spanId"
      | "sessionId"
      | "service"
      | "agent"
      | "feature"
      | "user"
      | "tenant"
      | "timeUnixNano"
    >,
  ): DetectorEvent {
    const o = this.#options;
    const ms = atMs ?? this.#ms;
    this.#ms = ms + o.stepMs;
    const event: DetectorEvent = {
      kind,
      projectId: o.projectId,
      traceId: o.traceId,
      spanId: `${o.traceId}-span-${++this.#span}`,
      sessionId: o.sessionId,
      service: o.service,
      agent: agent ?? o.agent,
      feature: o.feature,
      user: o.user,
      tenant: o.tenant,
      timeUnixNano: BigInt(ms) * 1_000_000n,
      ...rest,
    };
    this.events.push(event);
    return event;
  }
}

/** A recorded episode in `testdata/*.json`: LLM turns that ask for tools, and the tools' results. */
export interface EpisodeFixture {
  description: string;
  agent: string;
  steps: ({ say: string; costUsd?: string } | { call: ToolCall; result: unknown; costUsd?: string })[];
}

/** Replays a fixture file into events. */
export function loadEpisode(file: string, options: EpisodeOptions = {}): DetectorEvent[] {
  const fixture = JSON.parse(readFileSync(new URL(file, import.meta.url), "utf8")) as EpisodeFixture;
  const episode = new Episode({ agent: fixture.agent, ...options });
  const salt = options.salt ?? "";
  const salted = (value: unknown) => (salt === "" ? value : { value, customer: salt });
  for (const step of fixture.steps) {
    if ("say" in step) episode.llm(`${step.say}${salt}`, step.costUsd ? { costUsd: step.costUsd } : {});
    else episode.call(step.call.name, salted(step.call.args), salted(step.result), step.costUsd);
  }
  return episode.events;
}

/** Every finding the events produce, in order. */
export function run(engine: DetectionEngine, events: Iterable<DetectorEvent>): Finding[] {
  const all: Finding[] = [];
  for (const event of events) all.push(...engine.observe(event));
  return all;
}
