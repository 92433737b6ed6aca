import type { PhaseSamples } from "./call-phases.js";
import type { Mode } from "./calls.js";
import type { Configuration } from "./configurations.js";
import type { SpanTallies } from "./span-tally.js";

/** Parent → child: make calls, or report the spans and exit. */
export type Command =
  /** `record`: the calls are a timed batch, whose phases a child started with `--phases` records. */
  { type: "run"; mode: Mode; calls: number; record?: boolean } | { type: "finish" };

/** Child → parent. */
export type Reply =
  | {
      type: "ready";
      config: Configuration;
      openai: { path: string; version: string };
      /** Null for `bare`. */
      instrumentation: { name: string; version: string; supportedVersions: string[] } | null;
    }
  | {
      type: "ran";
      ms: number;
      /** CPU milliseconds the child used during the timed calls. */
      cpuMs: number;
      /** The child's CPU seconds so far (user + system), to tell its load from the machine's. */
      cpuSeconds: number;
    }
  | {
      type: "finished";
      tallies: SpanTallies;
      /** Calls made per mode, the untimed ones included; each should have made one span. */
      calls: Record<Mode, number>;
      /** With `--phases`: the recorded calls' phases, and how many calls could not be split. */
      phases?: { samples: Record<Mode, PhaseSamples>; skipped: number };
    }
  | { type: "error"; message: string };
