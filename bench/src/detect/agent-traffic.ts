import type { DetectionConfigInput, DetectorEvent } from "@burnrate/core";
import { seededRandom } from "../seeded-random.js";

/** How a trace behaves; the looping kinds are the ones the detectors exist for. */
const BEHAVIOURS = ["normal", "identical", "cycle", "ping_pong", "no_progress", "expensive"] as const;
type Behaviour = (typeof BEHAVIOURS)[number];

const SERVICES = ["support-agent", "research-agent", "billing-assistant", "code-review-bot"];
const FEATURES = Array.from({ length: 12 }, (_, i) => `feature-${i}`);
const TOOLS = [
  "search_orders",
  "get_order_details",
  "check_policy",
  "issue_refund",
  "read_file",
  "run_tests",
];
/** An acknowledgement tool (D4 ignores its "ok") and a polling tool (allowlisted). */
const ACK_TOOL = "send_email";
const POLL_TOOL = "poll_job_status";
/** Prices of typical calls, as the price processor writes them: exact decimal strings. */
const COSTS = ["0.000315", "0.00084", "0.0021", "0.0047", "0.0134", "0.0322"];
const USERS = 5_000;
const TENANTS = 50;
/** Simulated time per event: 40k steps per second across all runs, as a busy collector sees. */
const NS_PER_EVENT = 25_000n;

/**
 * The detection configuration the benchmark runs with: every detector at its default
 * thresholds, plus budgets on every scope (so the budget book works on each priced call), a
 * polling tool and an acknowledgement tool.
 */
export const BENCH_DETECTION_CONFIG: DetectionConfigInput = {
  allowlist: [POLL_TOOL],
  acknowledgementTools: [ACK_TOOL],
  budgets: [
    { id: "per-user-day", scope: "user", period: "day", limitUsd: "20" },
    { id: "per-feature-month", scope: "feature", period: "month", limitUsd: "2000" },
    { id: "per-tenant-month", scope: "tenant", period: "month", limitUsd: "5000" },
    { id: "per-trace", scope: "trace", limitUsd: "5" },
  ],
};

/**
 * Detector events as a collector holding many agent runs at once sees them: `traces` traces
 * in flight, `tracesPerSession` per chat session, steps interleaved across all of them. A
 * trace alternates LLM calls (prompt and tool-call fingerprints, a content SimHash on half of
 * them, a priced cost) and tool spans (result digests), runs 6–14 steps and is then replaced
 * by a new trace in the same session. Sessions last the whole run, so with `maxRuns` at traces
 * plus sessions the engine stays full: each new trace evicts the least recently seen run, which
 * is the trace that has just finished, never a live one (were live runs evicted, no loop would
 * ever be seen). About `loopingShare` of the traces loop: identical calls (D1), a 4-step cycle
 * (D2), two agents trading the same turns (D3), a tool returning the same result (D4), or
 * expensive steps (D5).
 *
 * Per-slot state lives in typed arrays made up front, and every id string is built afresh
 * for each event (as an OTLP decode would), so a heap measurement taken around the engine
 * counts only what the engine keeps.
 */
export class AgentTraffic {
  readonly traces: number;
  readonly #tracesPerSession: number;
  readonly #loopingShare: number;
  readonly #random: () => number;
  readonly #generation: Uint32Array;
  readonly #step: Uint16Array;
  readonly #length: Uint16Array;
  readonly #behaviour: Uint8Array;
  readonly #t0: bigint;
  #cursor = 0;
  #events = 0;

  constructor(options: { traces: number; tracesPerSession: number; loopingShare: number; seed: number }) {
    this.traces = options.traces;
    this.#tracesPerSession = options.tracesPerSession;
    this.#loopingShare = options.loopingShare;
    this.#random = seededRandom(options.seed);
    this.#generation = new Uint32Array(this.traces);
    this.#step = new Uint16Array(this.traces);
    this.#length = new Uint16Array(this.traces);
    this.#behaviour = new Uint8Array(this.traces);
    this.#t0 = BigInt(Date.UTC(2025, 2, 14, 9)) * 1_000_000n;
    for (let slot = 0; slot < this.traces; slot++) this.#startTrace(slot);
  }

  /** The next step of the next trace. Slots are visited in a fixed scattered order, so every run stays live. */
  next(): DetectorEvent {
    // A stride coprime with the slot count visits every slot once per pass, in scattered order.
    const slot = (this.#cursor++ * 7_919) % this.traces;
    if (this.#step[slot]! >= this.#length[slot]!) {
      this.#generation[slot]!++;
      this.#startTrace(slot);
    }
    const step = this.#step[slot]!++;
    return this.#event(slot, step);
  }

  #startTrace(slot: number): void {
    const looping = this.#random() < this.#loopingShare;
    const behaviour = looping ? 1 + Math.floor(this.#random() * (BEHAVIOURS.length - 1)) : 0;
    this.#behaviour[slot] = behaviour;
    this.#step[slot] = 0;
    // Loops run long enough to reach their kill rung; normal traces finish sooner.
    this.#length[slot] = looping ? 24 : 6 + Math.floor(this.#random() * 9);
  }

  #event(slot: number, step: number): DetectorEvent {
    const generation = this.#generation[slot]!;
    const session = Math.floor(slot / this.#tracesPerSession);
    const behaviour: Behaviour = BEHAVIOURS[this.#behaviour[slot]!]!;
    const runSeed = mix(slot, generation);
    const isTool = step % 2 === 1;
    const service = SERVICES[slot % SERVICES.length]!;
    const userIndex = session % USERS;
    // Which step this is, as content: a loop comes back to the same keys, a normal run never does.
    const key = stepKey(behaviour, step);
    const fingerprint = (salt: number) => `${hex8(mix(runSeed, key * 31 + salt))}${hex8(key + salt)}`;
    const base = {
      // Per session, not per slot: a session split over two projects would be two runs.
      projectId: session % 10 === 0 ? "proj_internal" : "proj_main",
      traceId: `${hex8(0x4bf92f35)}${hex8(slot)}${hex8(generation)}${hex8(runSeed)}`,
      spanId: hex16(this.#events++),
      sessionId: `sess_${hex8(mix(session, 77))}${hex8(session)}`,
      service,
      agent: agentOf(behaviour, service, step),
      feature: FEATURES[session % FEATURES.length]!,
      user: `user_${userIndex}`,
      tenant: `tenant_${userIndex % TENANTS}`,
      timeUnixNano: this.#t0 + BigInt(this.#events) * NS_PER_EVENT,
    };
    if (!isTool) {
      const tools = behaviour === "normal" ? (runSeed + step) % 3 : 1;
      return {
        ...base,
        kind: "llm_call",
        costUsd: behaviour === "expensive" ? "2.4" : COSTS[(runSeed + step) % COSTS.length]!,
        tokens: 300 + ((runSeed + step * 97) % 4_000),
        promptFingerprint: fingerprint(1),
        toolCallFingerprints: Array.from({ length: tools }, (_, i) => fingerprint(10 + i)),
        // Half the services capture content, so D3 compares SimHashes there.
        ...(slot % 2 === 0 ? { contentSimHash: fingerprint(3) } : {}),
      };
    }
    const stuck = behaviour === "no_progress";
    const tool =
      behaviour === "normal" && step % 10 === 5
        ? (runSeed & 1) === 0
          ? POLL_TOOL
          : ACK_TOOL
        : TOOLS[(runSeed + (stuck ? 0 : key)) % TOOLS.length]!;
    return {
      ...base,
      kind: "tool",
      costUsd: "0",
      tokens: 0,
      promptFingerprint: "",
      toolCallFingerprints: [],
      toolName: tool,
      toolResultDigest: stuck ? `${hex8(runSeed)}00000000` : fingerprint(5),
    };
  }
}

/**
 * The content key of a step: identical calls repeat one LLM step and one tool step, a cycle
 * and a ping-pong repeat four steps (two agents' turns of a call and a tool each), the rest
 * never repeat (no-progress runs make new calls; only their tool's result stays the same).
 */
function stepKey(behaviour: Behaviour, step: number): number {
  if (behaviour === "identical") return step % 2;
  if (behaviour === "cycle" || behaviour === "ping_pong") return step % 4;
  return step;
}

/** Ping-pong alternates two agents every turn; research runs hand over between three agents. */
function agentOf(behaviour: Behaviour, service: string, step: number): string {
  if (behaviour === "ping_pong") return step % 4 < 2 ? "planner" : "critic";
  if (service === "research-agent") return ["planner", "researcher", "writer"][Math.floor(step / 2) % 3]!;
  return service;
}

/** A 32-bit mix of two numbers (murmur3's finaliser over their combination). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
const hex16 = (n: number) => `${hex8(Math.floor(n / 2 ** 32))}${hex8(n)}`;
