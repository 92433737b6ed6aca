/**
 * `npm run bench -- ingest`: how many GenAI spans per second `burnrate start` takes in over
 * OTLP/HTTP and writes into chDB. The collector runs as its own process; this process is the
 * load generator. The target is 50,000 spans/s end to end on two cores.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { profilesOf, summariseProfile } from "./cpu-profile.js";
import { scrapeMetrics } from "./ingest/collector-metrics.js";
import { CollectorProcess } from "./ingest/collector-process.js";
import { printIngestReport, printProfile, type RunFigures, resultsOf } from "./ingest/ingest-report.js";
import { emptyStats, type LoadStats, sendLoad } from "./ingest/load.js";
import { RequestPool } from "./ingest/request-pool.js";
import {
  machineBusySeconds,
  PROFILES_DIR,
  positiveInt,
  startProgress,
  UsageError,
  writeResults,
} from "./report.js";

export const USAGE = `Usage: npm run bench -- ingest [options]

Starts \`node cli/bin/burnrate.js start\` as a separate process (fresh temp data dir, free ports),
sends it OTLP/protobuf export requests of GenAI spans over keep-alive HTTP, waits until every
accepted span is written to chDB (GET /metrics), stops it with SIGTERM, and reports spans/s,
request latency and the collector's peak RSS. Writes bench/results/ingest.json.

Options:
  --seconds N         how long to send (default 20)
  --concurrency N     export requests in flight at once (default 8)
  --spans N           spans per request (default 512)
  --drain-timeout N   seconds to wait for storage to catch up after sending stops (default 120)
  --profile           run the collector under \`node --cpu-prof\` and print the top self-time
                      functions; figures go to bench/results/profiles/ingest-profile.json, not
                      ingest.json, because profiling slows the collector down
  -h, --help          show this text`;

/** Spans per trace: an agent run of several LLM calls. */
const SPANS_PER_TRACE = 8;
/** Distinct pre-encoded requests; each send stamps fresh ids into a copy of one. */
const TEMPLATES = 16;
const MAX_CONSECUTIVE_FAILURES = 20;

export async function run(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  process.stderr.write(`ingest: encoding ${TEMPLATES} requests of ${options.spans} GenAI spans…\n`);
  const pool = new RequestPool({
    templates: TEMPLATES,
    spansPerRequest: options.spans,
    spansPerTrace: SPANS_PER_TRACE,
  });
  const dir = mkdtempSync(join(tmpdir(), "burnrate-bench-"));
  const nodeArgs = options.profile ? ["--cpu-prof", `--cpu-prof-dir=${PROFILES_DIR}`] : [];
  if (options.profile) mkdirSync(PROFILES_DIR, { recursive: true });
  // Ctrl-C or a kill must not leave a collector behind; its own exit hook SIGKILLs it.
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`ingest: ${signal}; killing the collector\n`);
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  let collector: CollectorProcess | undefined;
  try {
    process.stderr.write(`ingest: starting the collector (${nodeArgs.join(" ") || "no profiling"})…\n`);
    collector = await CollectorProcess.start({ dir, nodeArgs });
    process.stderr.write(`ingest: collector pid ${collector.pid} at ${collector.otlpUrl.origin}\n`);
    const figures = await measure(collector, pool, options);
    await collector.stop();
    const peakRssMb = collector.peakRssMb;
    const results = resultsOf(figures, peakRssMb, {
      ...options,
      spansPerTrace: SPANS_PER_TRACE,
      requestBytes: pool.requestBytes,
    });
    printIngestReport(results);
    if (options.profile) {
      writeResults("ingest-profile", results, PROFILES_DIR);
      const [file] = profilesOf(PROFILES_DIR, collector.pid);
      if (!file) throw new Error(`no .cpuprofile for pid ${collector.pid} in ${PROFILES_DIR}`);
      printProfile(summariseProfile(file));
    } else {
      console.log(`\nwrote ${writeResults("ingest", results)}`);
    }
    return figures.load.stoppedEarly || !figures.drained ? 1 : 0;
  } finally {
    await collector?.kill();
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface IngestOptions {
  seconds: number;
  concurrency: number;
  spans: number;
  drainTimeout: number;
  profile: boolean;
}

function parseOptions(args: string[]): IngestOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        seconds: { type: "string" },
        concurrency: { type: "string" },
        spans: { type: "string" },
        "drain-timeout": { type: "string" },
        profile: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const text = (name: string) => values[name] as string | undefined;
  return {
    seconds: positiveInt("seconds", text("seconds"), 20),
    concurrency: positiveInt("concurrency", text("concurrency"), 8),
    spans: positiveInt("spans", text("spans"), 512),
    drainTimeout: positiveInt("drain-timeout", text("drain-timeout"), 120),
    profile: values.profile === true,
  };
}

/** Sends the load, then waits for storage to catch up; times are `performance.now()` values. */
async function measure(
  collector: CollectorProcess,
  pool: RequestPool,
  options: IngestOptions,
): Promise<RunFigures> {
  const load = emptyStats();
  const cpuAtStart = {
    collector: collector.cpuSeconds,
    self: process.cpuUsage(),
    machine: machineBusySeconds(),
  };
  let written = 0;
  const scrape = async () => {
    const metrics = await scrapeMetrics(collector.otlpUrl).catch((error: Error) => {
      throw new Error(`cannot read the collector's GET /metrics (${error.message})`);
    });
    written = metrics.get("burnrate_spans_written_total") ?? 0;
    return metrics;
  };
  let lastAccepted = 0;
  let lastAt = performance.now();
  const stopProgress = startProgress(() => {
    const now = performance.now();
    const rate = ((load.spansAccepted - lastAccepted) * 1000) / (now - lastAt);
    [lastAccepted, lastAt] = [load.spansAccepted, now];
    scrape().catch(() => {}); // the next line shows it; a failed scrape is not worth stopping for
    return progressLine(load, rate, written, collector.rssMb);
  });
  try {
    await sendLoad(
      {
        url: collector.otlpUrl,
        seconds: options.seconds,
        concurrency: options.concurrency,
        spansPerRequest: options.spans,
        nextBody: () => pool.next(),
        maxConsecutiveFailures: MAX_CONSECUTIVE_FAILURES,
        stopReason: () => (collector.running ? undefined : "the collector exited"),
      },
      load,
    );
  } finally {
    stopProgress();
  }
  if (!collector.running)
    throw new Error(`the collector exited (${collector.exitStatus}) during the run\n${collector.output()}`);
  process.stderr.write(
    `ingest: sending stopped; waiting for ${load.spansAccepted.toLocaleString("en-US")} spans to reach chDB…\n`,
  );
  const stopDrainProgress = startProgress(
    () =>
      `draining: ${written.toLocaleString("en-US")} of ${load.spansAccepted.toLocaleString("en-US")} spans written`,
  );
  const drainDeadline = performance.now() + options.drainTimeout * 1000;
  let metrics = await scrape();
  try {
    while (written < load.spansAccepted && performance.now() < drainDeadline && collector.running) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await scrape();
    }
  } finally {
    stopDrainProgress();
  }
  const lastWrittenAt = performance.now();
  const collectorCpu = collector.cpuSeconds;
  const cpuSeconds = {
    collector: collectorCpu.totalSeconds - cpuAtStart.collector.totalSeconds,
    collectorMainThread: collectorCpu.mainThreadSeconds - cpuAtStart.collector.mainThreadSeconds,
    loadGenerator: cpuTotal(process.cpuUsage(cpuAtStart.self)),
    machine: machineBusySeconds() - cpuAtStart.machine,
  };
  return { load, metrics, lastWrittenAt, drained: written >= load.spansAccepted, cpuSeconds };
}

function progressLine(load: LoadStats, acceptedPerSecond: number, written: number, rssMb: number): string {
  const n = (value: number) => Math.round(value).toLocaleString("en-US");
  const failed = Object.entries(load.statuses).reduce(
    (sum, [status, count]) => sum + (status === "200" ? 0 : count),
    0,
  );
  return [
    `sent ${n(load.spansSent)} spans`,
    `accepted ${n(acceptedPerSecond)}/s`,
    `written ${n(written)}`,
    `collector RSS ${n(rssMb)} MB`,
    ...(failed > 0 ? [`${n(failed)} requests not 200`] : []),
  ].join(" · ");
}

const cpuTotal = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
