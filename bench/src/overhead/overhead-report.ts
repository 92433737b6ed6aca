import type { ProfileSummary } from "../cpu-profile.js";
import { type Cell, printTable, round } from "../report.js";
import { MODES, type Mode } from "./calls.js";
import { CONFIGURATIONS, type Configuration, PACKAGES, PEERS, type Peer } from "./configurations.js";
import type { CpuSplit } from "./cpu-affinity.js";
import { childrenInterval, medianOf, pairedDifference, splitByChild } from "./paired-difference.js";
import type { Reply } from "./protocol.js";

export const TARGET = "Burnrate's added overhead per call ≤ the lower of the two peers' (each mode)";

/**
 * Above this share of a core used by other processes, rounds swing by more than the
 * overheads being compared (seen on a 2-core machine), so the verdict is marked unreliable.
 */
export const NOISY_OTHER_CPU_PERCENT = 20;

/** µs per call of each measured round, per configuration and mode. */
export type RoundSamples = Record<Configuration, Record<Mode, number[]>>;
type Finished = Extract<Reply, { type: "finished" }>;
type Ready = Extract<Reply, { type: "ready" }>;

export interface RunInfo {
  /** Wall µs per call. */
  samples: RoundSamples;
  /** The child's CPU µs per call, over the same rounds. */
  cpuSamples: RoundSamples;
  finished: Record<Configuration, Finished>;
  ready: Record<Configuration, Ready>;
  settings: { calls: number; rounds: number; warmup: number; processes: number };
  /** The CPUs the mock server and the children were kept on, or null when they shared them all. */
  cpus: CpuSplit | null;
  otherProcessesCpuPercent: number;
}

const median = (values: number[]) => medianOf(Float64Array.from(values));
/** The configurations that trace, each measured against bare. */
const INSTRUMENTED = CONFIGURATIONS.filter((c) => c !== "bare");
/** Each round's µs per call for `config` minus bare's in the same round. */
const addedRounds = (samples: RoundSamples, config: Configuration, mode: Mode) =>
  samples[config][mode].map((value, round) => value - samples.bare[mode][round]!);
const suffix = (mode: Mode) => (mode === "streaming" ? "_streaming" : "");
const modeLabel = (mode: Mode) => mode.replace("_", "-");

/**
 * Checks that every instrumented configuration really traced its calls: one span per call,
 * each naming the model and provider, with the mock's token usage on non-streaming calls.
 * Returns failures (the run measured nothing real) and notes (differences worth knowing).
 */
export function checkSpans(finished: Record<Configuration, Finished>): {
  failures: string[];
  notes: string[];
} {
  const failures: string[] = [];
  const notes: string[] = [];
  for (const config of CONFIGURATIONS) {
    const { tallies, calls } = finished[config];
    for (const mode of MODES) {
      const t = tallies[mode];
      const what = `${config} (${modeLabel(mode)})`;
      const sample = t.sample ? `; one span: ${JSON.stringify(t.sample)}` : "";
      if (config === "bare") {
        if (t.spans > 0)
          failures.push(`${what} exported ${t.spans} spans; something instrumented the bare SDK`);
        continue;
      }
      if (t.spans === 0) {
        failures.push(`${what} produced NO spans for ${calls[mode]} calls: it measured nothing`);
        continue;
      }
      if (t.spans !== calls[mode])
        failures.push(`${what} exported ${t.spans} spans for ${calls[mode]} calls`);
      if (t.described < t.spans) {
        failures.push(
          `${what}: ${t.spans - t.described} spans lack gen_ai.request.model or the provider${sample}`,
        );
      }
      if (t.withUsage < t.spans) {
        const line = `${what}: ${t.withUsage.toLocaleString("en-US")} of ${t.spans.toLocaleString("en-US")} spans carry the reply's token usage`;
        if (mode === "non_streaming") failures.push(`${line}${sample}`);
        else
          notes.push(
            `${line} (it does not read stream_options.include_usage), so it does less work per streamed call`,
          );
      }
    }
  }
  return { failures, notes };
}

/**
 * The figures of a run: medians, added overhead over bare, and Burnrate's ratio to each peer.
 * The added overhead is the median over rounds of (the configuration's round − bare's same
 * round): every round measures each configuration once, close together in time, so the
 * machine's slow and fast spells, which last longer than a round, cancel out of each difference.
 */
export function figuresOf(samples: RoundSamples, processes: number) {
  const us = (config: Configuration, mode: Mode) => median(samples[config][mode]);
  const added = (config: Configuration, mode: Mode) => median(addedRounds(samples, config, mode));
  // A peer adding nothing measurable leaves no meaningful ratio.
  const ratio = (peer: Peer, mode: Mode) =>
    added(peer, mode) > 0 ? added("burnrate", mode) / added(peer, mode) : null;
  const lowestPeer = (mode: Mode) => [...PEERS].sort((a, b) => added(a, mode) - added(b, mode))[0] as Peer;
  const met = (mode: Mode) => added("burnrate", mode) <= added(lowestPeer(mode), mode);
  // Burnrate's round minus the peer's same round: how far apart the two are, with how sure
  // one run can be of it (the added figures alone hide that), over rounds and over children.
  const versus = (peer: Peer, mode: Mode) => {
    const [a, b] = [samples.burnrate[mode], samples[peer][mode]];
    const children = childrenInterval(a, b, processes);
    return { ...pairedDifference(a, b), childrenLow: children.low, childrenHigh: children.high };
  };
  return { us, added, ratio, lowestPeer, met, versus };
}
type Figures = ReturnType<typeof figuresOf>;

/**
 * Each instrumented configuration's added µs per call measured on each of its child processes
 * alone (round r ran the children numbered r mod `processes`): how far processes running the
 * same code drift apart, which one process per configuration would have hidden in the verdict.
 */
export function addedPerProcess(samples: RoundSamples, processes: number) {
  return (config: Configuration, mode: Mode) =>
    splitByChild(addedRounds(samples, config, mode), processes).map(median);
}

const perMode = (value: (mode: Mode) => number | boolean | null) =>
  Object.fromEntries(MODES.map((mode) => [mode, value(mode)])) as Record<Mode, number | boolean | null>;
const roundedRatio = (ratio: number | null) => (ratio === null ? null : round(ratio, 3));

/** The same figures from CPU time, per configuration and mode, for the results file. */
function cpuResults(samples: RoundSamples, processes: number) {
  const f = figuresOf(samples, processes);
  const byConfig = (configs: readonly Configuration[], value: (c: Configuration, m: Mode) => number) =>
    Object.fromEntries(configs.map((c) => [c, perMode((m) => round(value(c, m), 2))]));
  return {
    us_per_call: byConfig(CONFIGURATIONS, f.us),
    added_us_per_call: byConfig(INSTRUMENTED, f.added),
    burnrate_vs_peer_added_ratio: Object.fromEntries(
      PEERS.map((peer) => [peer, perMode((m) => roundedRatio(f.ratio(peer, m)))]),
    ),
    target_met: perMode(f.met),
    burnrate_minus_peer_us: versusOf(f),
    round_spread: roundsOf(samples),
  };
}

/** Per instrumented configuration and mode: the added µs of each child process, rounded. */
const perProcessResults = (samples: RoundSamples, processes: number) => {
  const of = addedPerProcess(samples, processes);
  return Object.fromEntries(
    INSTRUMENTED.map((c) => [
      c,
      Object.fromEntries(MODES.map((m) => [m, of(c, m).map((us) => round(us, 1))])),
    ]),
  );
};

/** Per peer and mode: the median of Burnrate's round minus the peer's, with its 95% intervals over rounds and over children. */
const versusOf = (f: Figures) =>
  Object.fromEntries(
    PEERS.map((peer) => [
      peer,
      Object.fromEntries(
        MODES.map((m) => {
          const d = f.versus(peer, m);
          return [
            m,
            {
              median: round(d.median, 2),
              ci95: [round(d.low, 2), round(d.high, 2)],
              ci95_children: [round(d.childrenLow, 2), round(d.childrenHigh, 2)],
            },
          ];
        }),
      ),
    ]),
  );

/** Percentiles of a set of values (nearest rank), to show a run's spread without every round. */
export const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!, 1);
  return { p10: at(10), p25: at(25), p50: at(50), p75: at(75), p90: at(90) };
};

/**
 * How the rounds spread, to judge the noise: each configuration's µs per call, and each
 * instrumented one's same-round difference from bare (the added figure is that p50).
 */
const roundsOf = (samples: RoundSamples) => ({
  us_per_call: Object.fromEntries(
    CONFIGURATIONS.map((c) => [c, Object.fromEntries(MODES.map((m) => [m, spread(samples[c][m])]))]),
  ),
  added_us_per_call: Object.fromEntries(
    INSTRUMENTED.map((c) => [
      c,
      Object.fromEntries(MODES.map((m) => [m, spread(addedRounds(samples, c, m))])),
    ]),
  ),
});

/** The results file: the flat wall-time keys first (non-streaming, then `_streaming`), then detail. */
export function resultsOf(run: RunInfo, notes: string[]) {
  const f = figuresOf(run.samples, run.settings.processes);
  const flat: Record<string, number | boolean | null> = {};
  for (const mode of MODES) {
    for (const config of CONFIGURATIONS)
      flat[`${config}_us_per_call${suffix(mode)}`] = round(f.us(config, mode), 2);
  }
  for (const mode of MODES) {
    for (const config of INSTRUMENTED) {
      flat[`${config}_added_us_per_call${suffix(mode)}`] = round(f.added(config, mode), 2);
    }
  }
  for (const mode of MODES) {
    for (const peer of PEERS)
      flat[`burnrate_vs_${peer}_added_ratio${suffix(mode)}`] = roundedRatio(f.ratio(peer, mode));
  }
  return {
    ...flat,
    target: TARGET,
    target_met: MODES.every((m) => f.met(m)),
    target_met_non_streaming: f.met("non_streaming"),
    target_met_streaming: f.met("streaming"),
    /** False when other processes used the machine enough to swing rounds more than the overheads. */
    reliable: run.otherProcessesCpuPercent <= NOISY_OTHER_CPU_PERCENT,
    burnrate_minus_peer_us: versusOf(f),
    spans: Object.fromEntries(
      CONFIGURATIONS.map((config) => {
        const { tallies, calls } = run.finished[config];
        const counts = MODES.map((mode) => {
          const t = tallies[mode];
          return [
            mode,
            { calls: calls[mode], spans: t.spans, described: t.described, with_usage: t.withUsage },
          ];
        });
        return [config, Object.fromEntries(counts)];
      }),
    ),
    round_spread: roundsOf(run.samples),
    added_us_per_call_per_process: perProcessResults(run.samples, run.settings.processes),
    /** CPU time of the child during the timed calls: less disturbed by other processes than wall time. */
    cpu: cpuResults(run.cpuSamples, run.settings.processes),
    notes,
    other_processes_cpu_percent: round(run.otherProcessesCpuPercent),
    packages: Object.fromEntries(
      CONFIGURATIONS.map((config) => {
        const i = run.ready[config].instrumentation;
        return [config, i ? { name: i.name, version: i.version, openai_range: i.supportedVersions } : null];
      }),
    ),
    openai: run.ready.bare.openai,
    config: {
      calls_per_round: run.settings.calls,
      rounds: run.settings.rounds,
      warmup_calls: run.settings.warmup,
      processes_per_configuration: run.settings.processes,
      pipeline: "NodeTracerProvider → BatchSpanProcessor (defaults) → counting exporter",
      mock: "mock-llm in the parent process on 127.0.0.1, zero latency",
      cpus: run.cpus ? { mock_server: run.cpus.server, children: run.cpus.children } : "shared",
    },
  };
}

export function printOverheadReport(run: RunInfo, notes: string[]): void {
  const wall = figuresOf(run.samples, run.settings.processes);
  const cpu = figuresOf(run.cpuSamples, run.settings.processes);
  const spread = (config: Configuration, mode: Mode) => {
    const values = run.samples[config][mode];
    return `${round(Math.min(...values))}–${round(Math.max(...values))}`;
  };
  const ratioCell = (f: Figures, config: Configuration, mode: Mode): Cell => {
    if (!PEERS.includes(config as Peer)) return "";
    const ratio = f.ratio(config as Peer, mode);
    return ratio === null ? "n/a" : ratio.toFixed(2);
  };
  const rows: Cell[][] = [];
  for (const mode of MODES) {
    for (const config of CONFIGURATIONS) {
      const bare = config === "bare";
      rows.push([
        `${config} ${modeLabel(mode)}`,
        round(wall.us(config, mode), 1),
        bare ? "" : round(wall.added(config, mode), 1),
        ratioCell(wall, config, mode),
        spread(config, mode),
        round(cpu.us(config, mode), 1),
        bare ? "" : round(cpu.added(config, mode), 1),
        ratioCell(cpu, config, mode),
        run.finished[config].tallies[mode].spans,
      ]);
    }
  }
  console.log("");
  printTable(
    [
      "configuration",
      "µs/call",
      "added µs",
      "burnrate added ÷ this",
      "rounds min–max µs",
      "CPU µs/call",
      "added CPU µs",
      "burnrate CPU ÷ this",
      "spans",
    ],
    rows,
  );
  console.log(
    `\nmedian of ${run.settings.rounds} rounds × ${run.settings.calls} sequential calls, ${run.settings.processes} child processes per configuration taken in turn; openai ${run.ready.bare.openai.version}; CPU is the child processes' own; ${run.cpus ? `mock server on CPU ${run.cpus.server}, children on CPU ${run.cpus.children}` : "the mock server and the children shared the CPUs"}`,
  );
  for (const config of CONFIGURATIONS) {
    const i = run.ready[config].instrumentation;
    if (i)
      console.log(`  ${config}: ${i.name}@${i.version} (patches openai ${i.supportedVersions.join(", ")})`);
    else console.log(`  ${config}: ${PACKAGES[config]}`);
  }
  const signed = (us: number) => `${us < 0 ? "−" : "+"}${Math.abs(round(us, 1))} µs`;
  const verdicts = (f: Figures, what: string) => {
    for (const mode of MODES) {
      const peer = f.lowestPeer(mode);
      const d = f.versus(peer, mode);
      console.log(
        `  ${modeLabel(mode)} ${what}: burnrate ${signed(f.added("burnrate", mode))} vs ${peer} ${signed(f.added(peer, mode))}: ${f.met(mode) ? "met" : "NOT met"} (burnrate − ${peer} round by round: ${signed(d.median)}, 95% interval ${signed(d.low)} to ${signed(d.high)} over rounds, ${signed(d.childrenLow)} to ${signed(d.childrenHigh)} over children and rounds)`,
      );
    }
  };
  if (run.settings.processes > 1) {
    const of = addedPerProcess(run.samples, run.settings.processes);
    console.log("\nadded µs per call on each child process alone (same code, different processes):");
    for (const mode of MODES) {
      const cells = INSTRUMENTED.map(
        (c) =>
          `${c} ${of(c, mode)
            .map((us) => round(us, 1))
            .join(", ")}`,
      );
      console.log(`  ${modeLabel(mode)}: ${cells.join("; ")}`);
    }
  }
  const noisy = run.otherProcessesCpuPercent > NOISY_OTHER_CPU_PERCENT;
  console.log(`\nTarget: ${TARGET}${noisy ? " (UNRELIABLE this run: the machine was busy, see below)" : ""}`);
  verdicts(wall, "wall time");
  verdicts(cpu, "(CPU time, for reference)");
  for (const note of notes) console.log(`\nNote: ${note}`);
  if (noisy) {
    console.log(
      `\nWARNING: other processes used ${round(run.otherProcessesCpuPercent)}% of a core during the run; the wall-time figures are noise-dominated, rerun on a quiet machine.`,
    );
  }
}

/** Burnrate's own functions in a profile: what instrumentation/ and core/ spend per call. */
export function printBurnrateFunctions(summary: ProfileSummary, calls: number, top = 15): void {
  const ours = summary.functions.filter((fn) => /\s(instrumentation|core)\/dist\//.test(fn.name));
  const ownMs = ours.reduce((sum, fn) => sum + fn.selfMs, 0);
  console.log(
    `\nBurnrate's own code (instrumentation/dist, core/dist; each file is compiled from src/ of the same name): ${round(ownMs)} ms self time, ${round((ownMs * 1000) / calls, 2)} µs per call over ${calls.toLocaleString("en-US")} calls`,
  );
  printTable(
    [`top ${top} Burnrate functions by self time`, "self ms", "µs/call", "share"],
    ours
      .slice(0, top)
      .map((fn) => [fn.name, fn.selfMs, round((fn.selfMs * 1000) / calls, 2), `${fn.percent.toFixed(1)}%`]),
  );
}
