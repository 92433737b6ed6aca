import type { Mode } from "./calls.js";
import type { Configuration } from "./configurations.js";
import type { SpanTallies } from "./span-tally.js";

/** Parent → child: make calls, or report the spans and exit. */
export type Command = { type: "run"; mode: Mode; calls: number } | { type: "finish" };

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
    }
  | { type: "error"; message: string };
