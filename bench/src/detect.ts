/**
 * `npm run bench -- detect`: (a) how fast the detection engine takes in spans and what a
 * tracked run costs in memory, (b) how long a kill takes from the collector receiving the
 * span that crosses the threshold to the app's kill list holding the decision, and (c) how many
 * LLM calls slip through after that threshold call with the default export delay.
 */
import { parseArgs } from "node:util";
import { printDetectReport, resultsOf } from "./detect/detect-report.js";
import { runEngineChild } from "./detect/engine-run.js";
import { runKillTrials } from "./detect/kill-trials.js";
import { killFigures } from "./detect/trial-figures.js";
import { positiveInt, UsageError, writeResults } from "./report.js";

export const USAGE = `Usage: npm run bench -- detect [options]

(a) Feeds realistic detector events (80k traces in 20k sessions = 100k runs, tool results,
    loops, budgets; every detector on) to DetectionEngine.observe in a child started with
    --expose-gc: events/s, and heap per run after GC next to approxBytes().
(b, c) Starts \`node cli/bin/burnrate.js start\` (ports 0, temp dir) with an arrival probe
    preloaded, an app process with the real instrumentation and openai SDK against a mock LLM,
    and runs trials: a fresh trace and session repeating one prompt until the collector kills
    it. Reports the kill latency (collector received the crossing span → the app's kill list
    holds the kill) and the calls the mock received after the threshold call.
Writes bench/results/detect.json.

Options:
  --events N        detection events timed in (a) (default 2000000)
  --trials N        kill trials in (b, c) (default 200)
  --concurrency N   trials in flight at once (default 8)
  --latency-ms N    the mock's answer time per LLM call (default 300)
  -h, --help        show this text`;

/** 80k traces, 4 per session: 100k runs, the engine's default `maxRuns`. */
const CONCURRENT_TRACES = 80_000;
const MAX_TRIALS = 5_000;

export async function run(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  // Ctrl-C or a kill must not leave a child behind: exiting runs each child's exit hook (SIGKILL).
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`detect: ${signal}; killing the child processes\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    return await measure(options);
  } finally {
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
  }
}

async function measure(options: DetectOptions): Promise<number> {
  process.stderr.write(
    `detect: (a) ${options.events.toLocaleString("en-US")} events over ${CONCURRENT_TRACES.toLocaleString("en-US")} concurrent traces…\n`,
  );
  const engine = await runEngineChild({
    traces: CONCURRENT_TRACES,
    events: options.events,
    timeoutMs: 120_000 + options.events / 10,
  });
  process.stderr.write(
    `detect: (a) ${Math.round(engine.eventsPerSecond).toLocaleString("en-US")} events/s, ` +
      `${Math.round(engine.bytesPerRun)} bytes/run; (b, c) ${options.trials} kill trials…\n`,
  );
  const records = await runKillTrials(options);
  const kill = killFigures(records);
  const results = resultsOf(engine, kill, { ...options, traces: CONCURRENT_TRACES });
  printDetectReport(results);
  console.log(`\nwrote ${writeResults("detect", results)}`);
  return kill.failures.length > 0 ? 1 : 0;
}

interface DetectOptions {
  events: number;
  trials: number;
  concurrency: number;
  latencyMs: number;
}

function parseOptions(args: string[]): DetectOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        events: { type: "string" },
        trials: { type: "string" },
        concurrency: { type: "string" },
        "latency-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const text = (name: string) => values[name] as string | undefined;
  const trials = positiveInt("trials", text("trials"), 200);
  if (trials > MAX_TRIALS) throw new UsageError(`--trials must be at most ${MAX_TRIALS}, got ${trials}`);
  return {
    events: positiveInt("events", text("events"), 2_000_000),
    trials,
    concurrency: positiveInt("concurrency", text("concurrency"), 8),
    latencyMs: positiveInt("latency-ms", text("latency-ms"), 300),
  };
}
