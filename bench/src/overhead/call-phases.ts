import { subscribe } from "node:diagnostics_channel";
import { printTable, round } from "../report.js";
import { MODES, type Mode } from "./calls.js";
import { CONFIGURATIONS, type Configuration } from "./configurations.js";
import { spread } from "./overhead-report.js";

/**
 * The stretches of one call, as Node's fetch (undici) reports them on its diagnostics
 * channels: from the call to undici creating the request, then until the request's headers
 * and its body are written, until the reply's headers are read, until the whole reply is
 * read, and from there until the caller has its result. An instrumentation's work before the
 * request shows in `to_request`; work after the reply in `to_caller`; work done while the
 * request is in flight shows only where the reply had to wait for it, in `to_reply`.
 */
export const PHASES = [
  "to_request",
  "headers_out",
  "body_out",
  "to_reply",
  "reply_body",
  "to_caller",
] as const;
export type Phase = (typeof PHASES)[number];
/** µs per call, one entry per recorded call. */
export type PhaseSamples = Record<Phase, number[]>;

/** The channels that end each phase but the last, in order. */
const CHANNELS = [
  "undici:request:create",
  "undici:client:sendHeaders",
  "undici:request:bodySent",
  "undici:request:headers",
  "undici:request:trailers",
] as const;

const emptySamples = (): PhaseSamples =>
  Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as PhaseSamples;

/**
 * Records the phases of calls made one at a time in this process. Subscribing makes undici
 * build a message for each event, a little work that every configuration then does alike,
 * which is why a run with phases writes its figures apart from overhead.json.
 */
export class CallPhases {
  readonly #at = new Float64Array(CHANNELS.length);
  readonly samples: Record<Mode, PhaseSamples> = { non_streaming: emptySamples(), streaming: emptySamples() };
  /** Calls that did not pass every channel in order (not made through undici), left out. */
  skipped = 0;

  constructor() {
    CHANNELS.forEach((name, i) => {
      subscribe(name, () => {
        this.#at[i] = performance.now();
      });
    });
  }

  /** Records the call that began at `startedAt` and returned at `endedAt` (`performance.now()`). */
  record(mode: Mode, startedAt: number, endedAt: number): void {
    const marks = [startedAt, ...this.#at, endedAt];
    for (let i = 1; i < marks.length; i++) {
      if (marks[i]! < marks[i - 1]!) {
        this.skipped++;
        return;
      }
    }
    const samples = this.samples[mode];
    PHASES.forEach((phase, i) => {
      samples[phase].push(round((marks[i + 1]! - marks[i]!) * 1000, 1));
    });
  }
}

/** One phase over many calls: a typical call, and the average that the slowest 5% do not swamp. */
export interface PhaseFigures {
  median: number;
  p25: number;
  /** The mean of the fastest 95% of calls. */
  mean_fastest_95: number;
}

export function phaseFigures(values: number[]): PhaseFigures {
  const { p25, p50 } = spread(values);
  const sorted = [...values].sort((a, b) => a - b);
  const fastest = sorted.slice(0, Math.max(1, Math.floor(sorted.length * 0.95)));
  const mean = fastest.reduce((sum, v) => sum + v, 0) / fastest.length;
  return { median: p50, p25, mean_fastest_95: round(mean, 1) };
}

export type PhaseResults = Record<Configuration, Record<Mode, Record<Phase, PhaseFigures>>>;

/** Pools each configuration's children and summarises every phase. */
export function phaseResults(byConfig: Record<Configuration, Record<Mode, PhaseSamples>[]>): PhaseResults {
  return Object.fromEntries(
    CONFIGURATIONS.map((config) => [
      config,
      Object.fromEntries(
        MODES.map((mode) => [
          mode,
          Object.fromEntries(
            PHASES.map((phase) => [
              phase,
              phaseFigures(byConfig[config].flatMap((child) => child[mode][phase])),
            ]),
          ),
        ]),
      ),
    ]),
  ) as PhaseResults;
}

/** Prints, per mode, each configuration's phases as added µs over bare: median, then mean of the fastest 95%. */
export function printPhases(results: PhaseResults): void {
  for (const mode of MODES) {
    console.log(
      `\nphases, ${mode.replace("_", "-")}: µs per call added over bare, median / mean of the fastest 95% (bare: absolute)`,
    );
    const bare = results.bare[mode];
    printTable(
      ["configuration", ...PHASES],
      CONFIGURATIONS.map((config) => [
        config,
        ...PHASES.map((phase) => {
          const f = results[config][mode][phase];
          if (config === "bare") return `${f.median} / ${f.mean_fastest_95}`;
          const b = bare[phase];
          return `${signed(f.median - b.median)} / ${signed(f.mean_fastest_95 - b.mean_fastest_95)}`;
        }),
      ]),
    );
  }
}

const signed = (v: number) => `${v >= 0 ? "+" : ""}${round(v, 1)}`;
