import { inScope } from "@burnrate/core";
import type { Output } from "../output.js";
import { type AgentEvent, type DemoAgents, postJson } from "./agents.js";
import { type DemoCosts, formatDollars, type TurnCall } from "./costs.js";
import {
  DEMO_AGENTS,
  DEMO_FEATURE,
  demoService,
  LOOP_FROM_TURN,
  LOOP_TICKET,
  NORMAL_TICKET,
  type Ticket,
} from "./script.js";

/** A decision as the agents received it over the collector's stream. */
export interface SeenDecision {
  id: string;
  action: string;
  detector: string;
  reason: string;
  scope: Record<string, string>;
}

/** How the loop ended: the collector's kill, and the call it stopped. */
export interface LoopOutcome {
  kill: SeenDecision;
  stoppedBy: { agent: string; turn: number; error: string };
  /** The looping ticket's trace. */
  traceId: string;
}

/** Thrown when the demo cannot go on: an agent failed, or the time ran out. */
export class DemoFailure extends Error {
  override name = "DemoFailure";
}

/**
 * Plays the two tickets and narrates what the agents report: one line per turn with the
 * running cost, then the collector's warnings and kill, then the call the kill stopped.
 */
export class DemoSession {
  readonly #out: Output;
  readonly #costs: DemoCosts;
  #t0 = Date.now();
  readonly #resolved = new Set<number>();
  readonly #decisions = new Map<string, SeenDecision>();
  #kill: SeenDecision | undefined;
  #stopped: LoopOutcome["stoppedBy"] | undefined;
  #loopTrace = "";
  /** The traces of the demo's tickets, so decisions about other apps' scopes are left out. */
  readonly #traces = new Set<string>();
  #loopTurns = 0;
  #failure: string | undefined;
  #finished = false;
  #wake: (() => void)[] = [];

  constructor(out: Output, costs: DemoCosts) {
    this.#out = out;
    this.#costs = costs;
  }

  /** Feeds one agent event in; safe to call at any time. */
  readonly handle = (event: AgentEvent): void => {
    // Whatever arrives once the outcome is known (a second detector agreeing, a turn still in
    // flight at a timeout) would land under the summary or the error.
    if (this.#finished) return;
    if (event.event === "turn") this.#turn(event);
    else if (event.event === "resolved") this.#resolved.add(Number(event.ticket));
    else if (event.event === "decision") this.#decision(event.decision as SeenDecision);
    else if (event.event === "stopped") this.#stop(event);
    else if (event.event === "error") {
      this.#failure = `${event.agent} failed on turn ${event.turn} of ticket #${event.ticket}: ${event.error}: ${event.message}`;
    }
    for (const wake of this.#wake.splice(0)) wake();
  };

  /** An agent process ended while the demo still needed it. */
  readonly agentExited = (name: string, how: string, stderrTail: string): void => {
    this.#failure = `${name} exited unexpectedly (${how})${stderrTail ? `: ${stderrTail}` : ""}`;
    for (const wake of this.#wake.splice(0)) wake();
  };

  /**
   * Runs the normal ticket to its end, then the looping one until a kill stops it.
   * @throws DemoFailure when an agent fails; `signal`'s reason when it aborts (timeout, Ctrl-C).
   */
  async play(agents: DemoAgents, signal: AbortSignal): Promise<LoopOutcome> {
    this.#t0 = Date.now();
    try {
      await this.#open(agents, NORMAL_TICKET, "normal work");
      await this.#until(() => this.#resolved.has(NORMAL_TICKET.number), signal);
      await this.#open(agents, LOOP_TICKET, "this one turns into the ping-pong of the $47k incident");
      // The agent logs the decision before the call it stops, but wait for both regardless.
      await this.#until(() => this.#stopped !== undefined && this.#kill !== undefined, signal);
      return { kill: this.#kill!, stoppedBy: this.#stopped!, traceId: this.#loopTrace };
    } finally {
      this.#finished = true;
    }
  }

  /** One sentence on how far the loop got, for a timeout message. */
  progress(): string {
    const turns = `${this.#loopTurns} ping-pong turn${this.#loopTurns === 1 ? "" : "s"}`;
    const spent = `${formatDollars(this.#costs.total)} spent`;
    if (this.#kill)
      return `the collector killed the loop (${this.#kill.detector}) but no agent stopped; ${turns}, ${spent}`;
    return `no kill decision reached the agents after ${turns}, ${spent}`;
  }

  async #open(agents: DemoAgents, ticket: Ticket, note: string): Promise<void> {
    this.#out.info(`\nTicket #${ticket.number}: ${ticket.title} (${note})`);
    await postJson(`${agents.url(DEMO_AGENTS[0])}/message`, {
      ticket: ticket.number,
      turn: 1,
      text: ticket.opening,
    });
  }

  #turn(event: AgentEvent): void {
    const call = event as unknown as TurnCall & {
      ticket: number;
      turn: number;
      to: string | null;
      traceId?: string;
    };
    const looping = call.ticket === LOOP_TICKET.number;
    if (call.traceId) this.#traces.add(call.traceId);
    if (looping) this.#loopTrace ||= call.traceId ?? "";
    const inLoop = looping && call.turn >= LOOP_FROM_TURN;
    if (inLoop) this.#loopTurns++;
    this.#costs.add(call, inLoop);
    const to = call.to ?? "customer";
    const done = call.to === null ? "  (resolved)" : "";
    this.#line(
      `${event.agent} → ${to.padEnd(8)}  turn ${String(call.turn).padStart(2)}  ${formatDollars(this.#costs.total)} so far${done}`,
    );
  }

  #decision(decision: SeenDecision): void {
    // The agents hear every decision of the project, and a collector that was already running
    // replays the kills other apps are under: only the demo's own are its story.
    if (!this.#ours(decision.scope)) return;
    // Both agents receive every decision; say it once.
    if (this.#decisions.has(decision.id)) return;
    this.#decisions.set(decision.id, decision);
    if (decision.action === "kill") {
      this.#kill ??= decision;
      this.#line(`✖ killed by the collector: ${decision.detector} (decision ${decision.id})`);
    } else {
      this.#line(`! ${decision.action} from the collector: ${decision.detector}`);
    }
    this.#out.info(`         ${decision.reason}`);
  }

  /** True for a scope that takes in the demo's calls: one of its tickets' traces, or its agents' feature or service. */
  #ours(scope: Record<string, string>): boolean {
    if (scope.trace_id !== undefined) return this.#traces.has(scope.trace_id);
    return DEMO_AGENTS.some((agent) =>
      inScope(scope, { feature: DEMO_FEATURE, service: demoService(agent) }),
    );
  }

  #stop(event: AgentEvent): void {
    const ticket = Number(event.ticket);
    if (ticket !== LOOP_TICKET.number) {
      this.#failure = `the collector stopped ticket #${ticket}, which was not looping (${event.detector ?? event.error})`;
      return;
    }
    if (this.#stopped) return;
    this.#stopped = { agent: String(event.agent), turn: Number(event.turn), error: String(event.error) };
    this.#line(
      `${event.agent}'s next call (turn ${event.turn}) threw ${event.error} before reaching the model; the loop is over`,
    );
  }

  #line(text: string): void {
    const seconds = ((Date.now() - this.#t0) / 1000).toFixed(1).padStart(4);
    this.#out.info(`[${seconds}s] ${text}`);
  }

  async #until(done: () => boolean, signal: AbortSignal): Promise<void> {
    for (;;) {
      // Aborted first: on a terminal's Ctrl-C the agents get SIGINT too and exit, which is no failure.
      signal.throwIfAborted();
      if (this.#failure) throw new DemoFailure(this.#failure);
      if (done()) return;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener("abort", onAbort, { once: true });
        // Removed on wake, or waiting through hundreds of events would pile up listeners.
        this.#wake.push(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    }
  }
}
