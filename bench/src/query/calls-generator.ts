import { createPriceBook } from "@burnrate/core";
import { seededRandom } from "../seeded-random.js";

/** The shape of a generated dataset: how many calls, over how many days, ending when. */
export interface DatasetShape {
  calls: number;
  days: number;
  /** The end of the data (exclusive), ms since the epoch, a UTC midnight. */
  endMs: number;
  project: string;
}

/** Room per JSON row; generated rows are ASCII and about 850 bytes long. */
const ROW_BYTES_MAX = 1_200;

/** Calls per trace: an agent run of a few LLM calls. */
export const CALLS_PER_TRACE = 8;

/** Models and their traffic share; one in 50 calls goes to a model no price book knows. */
const MODELS = [
  { provider: "openai", model: "gpt-4o", weight: 25 },
  { provider: "openai", model: "gpt-4o-mini", weight: 35 },
  { provider: "anthropic", model: "claude-sonnet-4-5", weight: 20 },
  { provider: "openai", model: "o4-mini", weight: 10 },
  { provider: "anthropic", model: "claude-haiku-4-5", weight: 8 },
  { provider: "openai", model: "internal-finetune-x", weight: 2 },
] as const;
const SERVICES = ["support-bot", "search", "nightly-digest", "code-review", "onboarding"];
const FEATURES = Array.from({ length: 40 }, (_, i) => `feature-${i.toString().padStart(2, "0")}`);
const AGENTS = [
  "triage",
  "planner",
  "writer",
  "critic",
  "retriever",
  "coder",
  "reviewer",
  "router",
  "summariser",
  "qa",
];
const USERS = 10_000;
const TENANTS = 200;

/** Pico-dollars per token (an integer for every real price), or undefined when unpriced. */
interface Rates {
  input: number;
  output: number;
  cacheRead: number;
  version: string;
}

/**
 * Per-token rates from the real price book, so generated costs are what the collector would
 * store. A price of $X per million tokens is X·10⁶ pico-dollars per token, an integer.
 */
function ratesOf(at: Date): (Rates | undefined)[] {
  const book = createPriceBook();
  return MODELS.map(({ provider, model }) => {
    const p = book.lookup({ provider, model, at });
    if (!p) return undefined;
    const pico = (perMillion: string) => Math.round(Number(perMillion) * 1e6);
    return {
      input: pico(p.inputPerMillion),
      output: pico(p.outputPerMillion),
      cacheRead: pico(p.cacheReadPerMillion ?? p.inputPerMillion),
      version: p.version,
    };
  });
}

/** The trace id of trace number `n`: 32 hex digits, spread so ids do not sort by time. */
export function traceIdOf(n: number): string {
  const mixed = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0");
  return `${mixed}${n.toString(16).padStart(24, "0")}`;
}

function usd(pico: number): string {
  const whole = Math.floor(pico / 1e12);
  return `${whole}.${String(pico - whole * 1e12).padStart(12, "0")}`;
}

/**
 * Generates calls `from` … `to` (exclusive) of the dataset as JSONEachRow `llm_calls` rows.
 * Call i belongs to trace ⌊i / 8⌋; traces are spread evenly over the days, and each trace's
 * calls follow one another a few seconds apart.
 */
export function generateCalls(shape: DatasetShape, from: number, to: number): Buffer {
  const rates = ratesOf(new Date(shape.endMs));
  const traces = Math.ceil(shape.calls / CALLS_PER_TRACE);
  const spanMs = shape.days * 86_400_000;
  const firstMs = shape.endMs - spanMs;
  const weights = MODELS.flatMap((m, i) => Array<number>(m.weight).fill(i));
  // Rows are written straight into one buffer: building one huge string first spends most
  // of the time in the garbage collector.
  const buffer = Buffer.allocUnsafe((to - from) * ROW_BYTES_MAX);
  let used = 0;
  for (let i = from; i < to; i++) {
    const trace = Math.floor(i / CALLS_PER_TRACE);
    const step = i % CALLS_PER_TRACE;
    const r = seededRandom(trace * 7919 + step);
    const tr = seededRandom(trace);
    const traceStart = firstMs + Math.floor((trace / traces) * (spanMs - 3_600_000));
    const startMs = traceStart + step * 2_500 + Math.floor(r() * 2_000);
    const m = weights[Math.floor(r() * weights.length)]!;
    const { provider, model } = MODELS[m]!;
    const input = 500 + Math.floor(r() * 12_000);
    const cacheRead = r() < 0.3 ? Math.floor(input * 0.6) : 0;
    const output = 20 + Math.floor(r() * 800);
    const rate = rates[m];
    const costIn = rate ? (input - cacheRead) * rate.input : 0;
    const costRead = rate ? cacheRead * rate.cacheRead : 0;
    const costOut = rate ? output * rate.output : 0;
    const user = Math.floor(tr() * USERS);
    const seconds = Math.floor(startMs / 1000);
    const nanos = `${String(startMs - seconds * 1000).padStart(3, "0")}${String(Math.floor(r() * 1e6)).padStart(6, "0")}`;
    const row = `{"project_id":"${shape.project}","start_time":"${seconds}.${nanos}","trace_id":"${traceIdOf(trace)}","span_id":"${(i + 1).toString(16).padStart(16, "0")}","parent_span_id":"","session_id":"s-${Math.floor(trace / 4)}","service":"${SERVICES[Math.floor(tr() * SERVICES.length)]}","agent":"${AGENTS[Math.floor(r() * AGENTS.length)]}","feature":"${FEATURES[Math.floor(tr() * FEATURES.length)]}","user_id":"u-${user}","tenant":"t-${user % TENANTS}","provider":"${provider}","operation":"chat","request_model":"${model}","response_model":"","service_tier":"","input_tokens":${input},"output_tokens":${output},"cache_read_tokens":${cacheRead},"cache_write_tokens":0,"reasoning_tokens":0,"cost_input":"${usd(costIn)}","cost_output":"${usd(costOut)}","cost_cache_read":"${usd(costRead)}","cost_cache_write":"0","cost_total":"${usd(costIn + costRead + costOut)}","cost_source":"${rate ? "computed" : "unpriced"}","price_version":"${rate?.version ?? ""}","estimated":false,"prompt_fingerprint":"","tool_call_fingerprints":[],"status":"ok","error_type":"","duration_ns":"${800_000_000 + Math.floor(r() * 1e9)}","version":"1"}\n`;
    used += buffer.write(row, used, "latin1");
  }
  return buffer.subarray(0, used);
}
