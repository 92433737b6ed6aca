import { printTable, round } from "../report.js";
import type { EngineFigures } from "./engine-child.js";
import type { KillFigures, Summary, TrialTimes } from "./trial-figures.js";

/** The targets the issue sets. */
export const TARGET_KILL_LATENCY_P99_MS = 50;
export const TARGET_CALLS_AFTER_THRESHOLD = 1;

export interface DetectConfig {
  events: number;
  traces: number;
  trials: number;
  concurrency: number;
  latencyMs: number;
}

/** The figures as written to `bench/results/detect.json` (snake_case, rounded). */
export function resultsOf(engine: EngineFigures, kill: KillFigures, config: DetectConfig) {
  const breakdown = (s: Summary) => ({ p50: s.p50, p99: s.p99, max: s.max });
  return {
    detect_spans_per_sec: Math.round(engine.eventsPerSecond),
    detect_spans_per_cpu_sec: Math.round(engine.eventsPerCpuSecond),
    bytes_per_run: Math.round(engine.bytesPerRun),
    bytes_per_run_approx: Math.round(engine.bytesPerRunApprox),
    runs_tracked: engine.runsTracked,
    kill_latency_p50_ms: kill.killLatency.p50,
    kill_latency_p99_ms: kill.killLatency.p99,
    kill_latency_max_ms: kill.killLatency.max,
    calls_after_threshold: kill.callsAfterThresholdMax,
    target_kill_latency_p99_ms: TARGET_KILL_LATENCY_P99_MS,
    target_calls_after_threshold: TARGET_CALLS_AFTER_THRESHOLD,
    target_met_kill_latency: kill.measured > 0 && kill.killLatency.p99 < TARGET_KILL_LATENCY_P99_MS,
    target_met_calls_after_threshold:
      kill.measured > 0 && kill.callsAfterThresholdMax <= TARGET_CALLS_AFTER_THRESHOLD,
    kill_latency_breakdown_ms: {
      body_read: breakdown(kill.breakdown.bodyRead),
      decide_and_publish: breakdown(kill.breakdown.decide),
      sse_to_kill_list: breakdown(kill.breakdown.deliver),
    },
    threshold_call_to_kill_list_ms: breakdown(kill.breakdown.callEndToKill),
    export_answer_ms: breakdown(kill.exportAnswer),
    event_loop_delay_ms: kill.loopDelay,
    slowest_trials_ms: kill.slowest.map(trialRow),
    trials_with_calls_slipping_ms: kill.slipped.map(trialRow),
    threshold_call_to_collector_ms: breakdown(kill.breakdown.exportWait),
    exporter_busy_after_threshold_call_ms: breakdown(kill.breakdown.exporterBusy),
    calls_after_threshold_histogram: kill.callsAfterThresholdHistogram,
    trials: kill.trials,
    trials_measured: kill.measured,
    trials_failed: kill.failures,
    killed_by: kill.killedBy,
    threshold_call: kill.thresholdCall,
    kill_trials_seconds: round(kill.seconds),
    other_processes_cpu_percent_during_a: round(engine.otherProcessesCpuPercent),
    machine_busy_percent_during_trials: kill.machineBusyPercent,
    detection: {
      events_timed: engine.eventsTimed,
      findings: engine.findings,
      heap_mb_at_100k_runs: round(engine.heapMb),
      runs_tracked_after: engine.runsTrackedAfter,
      bytes_per_run_after: Math.round(engine.bytesPerRunAfter),
    },
    config: {
      detection_events: config.events,
      concurrent_traces: config.traces,
      kill_trials: config.trials,
      kill_trial_concurrency: config.concurrency,
      mock_latency_ms: config.latencyMs,
      export_delay_ms: "default (BURNRATE_EXPORT_DELAY_MS unset: 200)",
      collector: "node cli/bin/burnrate.js start, default config (D1 kills at the 5th identical call)",
    },
    probe_records_dropped: kill.probeDropped,
  };
}

export type DetectResults = ReturnType<typeof resultsOf>;

/** The loop detectors the traffic of (a) must set off, or it is not measuring them. */
const LOOP_DETECTORS = ["D1.", "D2.", "D3.", "D4."];

/** `D1: 3,777, D2: 2,016, …` from findings keyed by `detector:action`. */
function findingsByDetector(findings: Record<string, number>): string {
  const totals = new Map<string, number>();
  for (const [key, count] of Object.entries(findings)) {
    const detector = key.split(/[.:]/)[0]!;
    totals.set(detector, (totals.get(detector) ?? 0) + count);
  }
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([detector, count]) => `${detector}: ${n(count)}`)
    .join(", ");
}

/** One trial's times in the results file. */
function trialRow(t: TrialTimes) {
  return {
    trial: t.trial,
    kill_latency: t.killLatency,
    body_read: t.bodyRead,
    decide_and_publish: t.decide,
    sse_to_kill_list: t.deliver,
    threshold_call_to_collector: t.exportWait,
    exporter_busy_after_threshold_call: t.exporterBusy,
    threshold_call_to_kill_list: t.callEndToKill,
    calls_after_threshold: t.callsAfterThreshold,
  };
}

const n = (value: number) => Math.round(value).toLocaleString("en-US");
const span = (s: { p50: number; p99: number; max: number }) => `${s.p50} / ${s.p99} / ${s.max}`;

export function printDetectReport(r: DetectResults): void {
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  printTable(
    ["detect", "value"],
    [
      ["(a) detection throughput, every detector on (events/s)", r.detect_spans_per_sec],
      ["(a) the same per second of the child's CPU time", r.detect_spans_per_cpu_sec],
      [`(a) bytes per run, heap after GC (${n(r.runs_tracked)} runs)`, r.bytes_per_run],
      ["(a) bytes per run, approxBytes()", r.bytes_per_run_approx],
      ["(b) kill latency p50 (ms)", r.kill_latency_p50_ms],
      [
        `(b) kill latency p99 (ms), target < ${r.target_kill_latency_p99_ms}`,
        `${r.kill_latency_p99_ms} (${met(r.target_met_kill_latency)})`,
      ],
      ["(b) kill latency max (ms)", r.kill_latency_max_ms],
      [
        `(c) calls after the threshold call, max, target ≤ ${r.target_calls_after_threshold}`,
        `${r.calls_after_threshold} (${met(r.target_met_calls_after_threshold)})`,
      ],
      [
        "(c) trials by calls after the threshold",
        Object.entries(r.calls_after_threshold_histogram)
          .map(([calls, trials]) => `${calls}: ${trials}`)
          .join(", "),
      ],
    ],
  );
  console.log("");
  printTable(
    ["where the time goes (ms)", "p50 / p99 / max"],
    [
      ["request emitted → body read (collector)", span(r.kill_latency_breakdown_ms.body_read)],
      [
        "body read → decision written to SSE (collector)",
        span(r.kill_latency_breakdown_ms.decide_and_publish),
      ],
      ["SSE write → onKill, kill list holds it (app)", span(r.kill_latency_breakdown_ms.sse_to_kill_list)],
      ["threshold call returned → span at collector (export delay)", span(r.threshold_call_to_collector_ms)],
      [
        "  of which the exporter still awaited its previous answer",
        span(r.exporter_busy_after_threshold_call_ms),
      ],
      ["threshold call returned → kill list holds it", span(r.threshold_call_to_kill_list_ms)],
      ["export request → answered (after the spool's fsync)", span(r.export_answer_ms)],
      ["event-loop delay, collector", span(r.event_loop_delay_ms.collector)],
      ["event-loop delay, app", span(r.event_loop_delay_ms.app)],
    ],
  );
  console.log("");
  printTable(
    ["run", "value"],
    [
      ["trials measured / run", `${r.trials_measured} / ${r.trials}`],
      [
        "killed by",
        Object.entries(r.killed_by)
          .map(([d, c]) => `${d}: ${c}`)
          .join(", "),
      ],
      [
        "threshold call number",
        Object.entries(r.threshold_call)
          .map(([k, c]) => `${k}: ${c}`)
          .join(", "),
      ],
      [
        "trials × concurrency, mock latency",
        `${r.config.kill_trials} × ${r.config.kill_trial_concurrency}, ${r.config.mock_latency_ms} ms`,
      ],
      ["kill trials took (s)", r.kill_trials_seconds],
      ["machine CPU busy during the trials (% of all cores)", r.machine_busy_percent_during_trials],
      ["CPU % of a core used by other processes during (a)", r.other_processes_cpu_percent_during_a],
      ["detection events timed", r.detection.events_timed],
      ["findings while timed, by detector", findingsByDetector(r.detection.findings)],
      ["heap for 100k runs (MB)", r.detection.heap_mb_at_100k_runs],
      [
        "bytes per run after churn (runs held)",
        `${r.detection.bytes_per_run_after} (${n(r.detection.runs_tracked_after)})`,
      ],
    ],
  );
  if (r.trials_failed.length > 0) {
    console.log(`\nWARNING: ${r.trials_failed.length} trials could not be measured:`);
    for (const failure of r.trials_failed.slice(0, 10)) console.log(`  ${failure}`);
  }
  const silent = LOOP_DETECTORS.filter(
    (d) => !Object.keys(r.detection.findings).some((k) => k.startsWith(d)),
  );
  if (silent.length > 0)
    console.log(
      `\nWARNING: ${silent.join(", ")} found nothing in (a); the traffic no longer exercises every detector.`,
    );
  if (r.other_processes_cpu_percent_during_a > 20)
    console.log(
      `\nWARNING: other processes used ${r.other_processes_cpu_percent_during_a}% of a core during (a); its events/s are low.`,
    );
  if (r.probe_records_dropped > 0)
    console.log(`\nWARNING: the arrival probe dropped ${r.probe_records_dropped} records.`);
}
