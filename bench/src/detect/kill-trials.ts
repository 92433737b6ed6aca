import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type MockLlmRequest, startMockLlmServer } from "@burnrate/instrumentation/mock-llm";
import { CollectorProcess } from "../ingest/collector-process.js";
import { machineBusySeconds, startProgress } from "../report.js";
import { AppProcess } from "./app-process.js";
import type { LoopDelay, ProbeRecords, TakeCommand, TrialResult } from "./protocol.js";

/** `--import` specifier of the probe preloaded into the collector. */
const PROBE = pathToFileURL(fileURLToPath(new URL("./arrival-probe.js", import.meta.url))).href;
/** Trials before the measured ones: they open the decision stream and warm both processes up. */
const WARMUP_TRIALS = 3;
/** Warm-up trials are numbered from here, apart from the measured ones. */
const WARMUP_BASE = 1_000_000;
/** Calls per trial at most; the collector kills at the 5th identical call by default. */
const MAX_CALLS = 20;

export interface KillTrialOptions {
  trials: number;
  /** Trials in flight at once, each its own trace and session in the one app process. */
  concurrency: number;
  /** The mock's time to answer each call. */
  latencyMs: number;
}

/** Everything the trials produced, for `trial-figures.ts` to turn into latencies and counts. */
export interface KillTrialRecords {
  results: TrialResult[];
  probe: ProbeRecords;
  /** The mock's requests of the measured trials (chat completions only). */
  requests: MockLlmRequest[];
  seconds: number;
  /** CPU time the machine was busy during the trials, % of all cores. */
  machineBusyPercent: number;
  /** The app's event-loop delay during the trials (the collector's is in `probe`). */
  appLoopDelay: LoopDelay;
  collectorPid: number;
  appPid: number;
}

/**
 * Parts (b) and (c): a real `burnrate start` (its own process, ports 0, a temp dir, the arrival
 * probe preloaded), the looping app (its own process, real instrumentation and openai SDK,
 * default export delay), and the mock LLM in this process answering every call after
 * `latencyMs`. Runs the warm-up trials one at a time, then `trials` trials `concurrency` at a
 * time, and collects what the app, the probe and the mock saw. Every process it starts is
 * killed on the way out, whatever happens.
 */
export async function runKillTrials(options: KillTrialOptions): Promise<KillTrialRecords> {
  const mock = await startMockLlmServer();
  const reply = {
    text: "Let me look that order up.",
    latencyMs: options.latencyMs,
    usage: { input: 420, output: 24 },
  };
  mock.setDefault(reply);
  const dir = mkdtempSync(join(tmpdir(), "burnrate-bench-detect-"));
  let collector: CollectorProcess | undefined;
  let app: AppProcess | undefined;
  // On Ctrl-C the process exits without reaching `finally`. Exit hooks run in the order they
  // were added, and this one comes before the collector's own, so it ends the collector first
  // (a chDB directory cannot be removed while it writes), and it must never throw, or the
  // hooks after it would not run.
  const removeDir = () => {
    collector?.channel?.kill("SIGKILL");
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    } catch {
      process.stderr.write(`detect: could not remove ${dir}\n`);
    }
  };
  process.once("exit", removeDir);
  try {
    process.stderr.write("detect: starting the collector with the arrival probe…\n");
    collector = await CollectorProcess.start({ dir, nodeArgs: ["--import", PROBE], ipc: true });
    app = await AppProcess.start({
      collectorUrl: collector.otlpUrl.origin,
      openaiBaseUrl: mock.openaiBaseUrl,
    });
    process.stderr.write(
      `detect: collector pid ${collector.pid} at ${collector.otlpUrl.origin}, app pid ${app.pid}, ` +
        `mock at ${mock.url} (${options.latencyMs} ms per call)\n`,
    );
    const trialTimeoutMs = (MAX_CALLS + 2) * options.latencyMs + 15_000;
    const runTrial = (trial: number) =>
      withTimeout(app!.trial(trial, MAX_CALLS), trialTimeoutMs, `trial ${trial}`);
    for (let i = 0; i < WARMUP_TRIALS; i++) {
      const warm = await runTrial(WARMUP_BASE + i);
      if (warm.error || warm.stoppedAtCall === undefined)
        throw new Error(
          `warm-up trial ${i + 1} was not stopped by the collector: ${warm.error ?? "no kill"}`,
        );
    }
    await take(collector);
    await withTimeout(app.loopDelay(), 10_000, "the app's stats");
    mock.reset();
    mock.setDefault(reply);

    const results: TrialResult[] = [];
    const started = performance.now();
    const machineAtStart = machineBusySeconds();
    let next = 0;
    const stopProgress = startProgress(
      () => `kill trials: ${results.length} of ${options.trials} done, ${next - results.length} in flight`,
    );
    const worker = async (index: number) => {
      // Staggered starts, so the trials' thresholds do not all fall at the same moment.
      await sleep((index * options.latencyMs) / options.concurrency);
      while (next < options.trials) {
        results.push(await runTrial(next++));
      }
    };
    try {
      await Promise.all(
        Array.from({ length: Math.min(options.concurrency, options.trials) }, (_, i) => worker(i)),
      );
    } finally {
      stopProgress();
    }
    const seconds = (performance.now() - started) / 1000;
    const machineBusyPercent = (100 * (machineBusySeconds() - machineAtStart)) / (seconds * cpus().length);
    const probe = await take(collector);
    const appLoopDelay = await withTimeout(app.loopDelay(), 10_000, "the app's stats");
    const requests = mock.requests.filter((r) => r.route === "openai.chat");
    const pids = { collectorPid: collector.pid, appPid: app.pid };
    await app.kill();
    await collector.stop();
    return {
      results: results.sort((a, b) => a.trial - b.trial),
      probe,
      requests,
      seconds,
      machineBusyPercent,
      appLoopDelay,
      ...pids,
    };
  } finally {
    await app?.kill();
    await collector?.kill();
    await mock.close();
    process.removeListener("exit", removeDir);
    removeDir();
  }
}

/** Asks the probe in the collector for its records (and makes it forget them). */
function take(collector: CollectorProcess): Promise<ProbeRecords> {
  const channel = collector.channel;
  if (!channel) throw new Error("the collector was started without its IPC channel");
  const answer = new Promise<ProbeRecords>((resolve) => {
    const onMessage = (message: ProbeRecords) => {
      if (message?.type !== "taken") return;
      channel.off("message", onMessage);
      resolve(message);
    };
    channel.on("message", onMessage);
  });
  channel.send({ type: "take" } satisfies TakeCommand);
  return withTimeout(answer, 10_000, "the collector's arrival probe");
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
