import type { ProfileSummary, SelfTime } from "../cpu-profile.js";
import { printTable, round } from "../report.js";
import { type LoadStats, percentile } from "./load.js";

/** The end-to-end target the collector is built for, on a two-core machine. */
export const TARGET_SPANS_PER_SEC = 50_000;

/** What one run measured, before it is turned into figures. */
export interface RunFigures {
  load: LoadStats;
  /** The collector's `GET /metrics` after storage caught up (or the drain timed out). */
  metrics: Map<string, number>;
  /** `performance.now()` when every accepted span was seen written. */
  lastWrittenAt: number;
  drained: boolean;
  /** CPU seconds from the first send until everything was written. */
  cpuSeconds: { collector: number; collectorMainThread: number; loadGenerator: number; machine: number };
}

export interface RunConfig {
  seconds: number;
  concurrency: number;
  spans: number;
  spansPerTrace: number;
  requestBytes: number;
  profile: boolean;
}

/** The results file's content: the four headline keys first, then what explains them. */
export function resultsOf(figures: RunFigures, peakRssMb: number, config: RunConfig) {
  const { load, metrics, cpuSeconds: cpu } = figures;
  const metric = (name: string) => metrics.get(name) ?? 0;
  const sendSeconds = (load.endedAt - load.startedAt) / 1000;
  const endToEndSeconds = (figures.lastWrittenAt - load.startedAt) / 1000;
  const written = metric("burnrate_spans_written_total");
  const writeSeconds = metric("burnrate_write_duration_seconds_sum");
  const batches = metric("burnrate_batches_written_total");
  const processorMs = Object.fromEntries(
    [...metrics]
      .map(([key, value]) => [
        /^burnrate_processor_duration_seconds_sum\{processor="(\w+)"\}$/.exec(key)?.[1],
        value,
      ])
      .filter((entry): entry is [string, number] => entry[0] !== undefined)
      .map(([name, seconds]) => [name, round(seconds * 1000)]),
  );
  const spansPerSecEndToEnd = written / endToEndSeconds;
  return {
    spans_per_sec_end_to_end: Math.round(spansPerSecEndToEnd),
    spans_per_sec_accepted: Math.round(load.spansAccepted / sendSeconds),
    peak_rss_mb: round(peakRssMb),
    p99_request_ms: round(percentile(load.latenciesMs, 99)),
    p50_request_ms: round(percentile(load.latenciesMs, 50)),
    max_request_ms: round(percentile(load.latenciesMs, 100)),
    target_spans_per_sec_end_to_end: TARGET_SPANS_PER_SEC,
    meets_target: spansPerSecEndToEnd >= TARGET_SPANS_PER_SEC,
    requests: load.requests,
    non_200: Object.fromEntries(Object.entries(load.statuses).filter(([status]) => status !== "200")),
    spans_sent: load.spansSent,
    spans_accepted: load.spansAccepted,
    spans_written: written,
    llm_calls_written: metric("burnrate_llm_calls_written_total"),
    spans_deduplicated: metric("burnrate_spans_deduplicated_total"),
    spans_rejected: metric("burnrate_spans_rejected_total"),
    price_misses: metric("burnrate_price_misses_total"),
    write_errors: metric("burnrate_write_errors_total"),
    batches_written: batches,
    mean_write_ms: batches > 0 ? round((writeSeconds * 1000) / batches) : 0,
    write_seconds_total: round(writeSeconds, 2),
    processor_ms_total: processorMs,
    // Percent of one core over the end-to-end window; the machine has `machine.cpus` of them.
    collector_cpu_percent: round((100 * cpu.collector) / endToEndSeconds),
    collector_main_thread_cpu_percent: round((100 * cpu.collectorMainThread) / endToEndSeconds),
    load_generator_cpu_percent: round((100 * cpu.loadGenerator) / endToEndSeconds),
    // Everything else on the machine: high means the run competed with other work; rerun when idle.
    other_processes_cpu_percent: round(
      (100 * Math.max(0, cpu.machine - cpu.collector - cpu.loadGenerator)) / endToEndSeconds,
    ),
    send_seconds: round(sendSeconds, 2),
    end_to_end_seconds: round(endToEndSeconds, 2),
    drained: figures.drained,
    stopped_early: load.stoppedEarly ?? null,
    config: {
      format: "application/x-protobuf",
      seconds: config.seconds,
      concurrency: config.concurrency,
      spans_per_request: config.spans,
      spans_per_trace: config.spansPerTrace,
      request_bytes: config.requestBytes,
      profiled: config.profile,
    },
  };
}

export type IngestResults = ReturnType<typeof resultsOf>;

export function printIngestReport(r: IngestResults): void {
  const n = (value: number) => Math.round(value).toLocaleString("en-US");
  const non200 =
    Object.entries(r.non_200)
      .map(([status, count]) => `${status}×${count}`)
      .join(", ") || "none";
  console.log("");
  printTable(
    ["ingest", "value"],
    [
      ["spans/s end to end (written to chDB)", r.spans_per_sec_end_to_end],
      ["spans/s accepted (answered 200)", r.spans_per_sec_accepted],
      [
        `target end to end`,
        `${r.target_spans_per_sec_end_to_end.toLocaleString("en-US")} (${r.meets_target ? "met" : "NOT met"})`,
      ],
      ["collector peak RSS (MB)", r.peak_rss_mb],
      ["request p50 (ms)", r.p50_request_ms],
      ["request p99 (ms)", r.p99_request_ms],
      ["request max (ms)", r.max_request_ms],
      ["requests", r.requests],
      ["non-200 answers", non200],
      [
        "spans sent / accepted / written",
        `${n(r.spans_sent)} / ${n(r.spans_accepted)} / ${n(r.spans_written)}`,
      ],
      ["LLM calls written", r.llm_calls_written],
      ["spans deduplicated / rejected", `${r.spans_deduplicated} / ${r.spans_rejected}`],
      ["price misses / write errors", `${r.price_misses} / ${r.write_errors}`],
      ["batches written, mean write (ms)", `${r.batches_written}, ${r.mean_write_ms}`],
      ["time in writes (s)", r.write_seconds_total],
      ...Object.entries(r.processor_ms_total).map(([name, ms]): [string, number] => [
        `time in ${name} (ms)`,
        ms,
      ]),
      [
        "CPU % of a core: collector / its main thread / load generator",
        `${r.collector_cpu_percent} / ${r.collector_main_thread_cpu_percent} / ${r.load_generator_cpu_percent}`,
      ],
      ["CPU % of a core used by other processes", r.other_processes_cpu_percent],
      ["send / end-to-end (s)", `${r.send_seconds} / ${r.end_to_end_seconds}`],
      ["request size (bytes)", r.config.request_bytes],
      ["concurrency × spans/request", `${r.config.concurrency} × ${r.config.spans_per_request}`],
    ],
  );
  if (r.other_processes_cpu_percent > 20) {
    console.log(
      `\nWARNING: other processes used ${r.other_processes_cpu_percent}% of a core during the run; figures are low.`,
    );
  }
  if (!r.drained) console.log("\nWARNING: storage had not caught up when the drain timeout ran out.");
  if (r.stopped_early) console.log(`\nWARNING: sending stopped early: ${r.stopped_early}`);
}

const TOP_FUNCTIONS = 25;
const TOP_FILES = 20;

/** Prints where the collector's CPU time went: top functions, then files and packages. */
export function printProfile(summary: ProfileSummary): void {
  const busyMs = summary.totalMs - summary.idleMs;
  console.log(`\nCPU profile ${summary.file}`);
  console.log(
    `${Math.round(summary.totalMs)} ms profiled, ${Math.round(busyMs)} ms busy on the main thread (percentages are of busy time)\n`,
  );
  const rows = (list: SelfTime[], top: number) =>
    list
      .slice(0, top)
      .map((entry): [string, number, string] => [entry.name, entry.selfMs, `${entry.percent.toFixed(1)}%`]);
  printTable(
    [`top ${TOP_FUNCTIONS} functions by self time`, "self ms", "share"],
    rows(summary.functions, TOP_FUNCTIONS),
  );
  console.log("");
  printTable(["self time by file", "self ms", "share"], rows(summary.files, TOP_FILES));
  console.log("");
  printTable(["self time by package", "self ms", "share"], rows(summary.areas, TOP_FILES));
}
