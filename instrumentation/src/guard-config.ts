import { DEFAULT_THRESHOLDS, rungSchema } from "@burnrate/core";
import { z } from "zod";

const limit = z.number().positive().optional();

/** Local guard limits. Unset limits are off; loop detection is on by default. */
export const guardConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    maxCallsPerTrace: limit,
    maxTokensPerTrace: limit,
    maxCostPerTrace: limit,
    maxCallsPerSession: limit,
    maxTokensPerSession: limit,
    maxCostPerSession: limit,
    /**
     * D1: stop after the same tool call, or the same prompt, this many times in a row. 0 turns
     * it off. The default is the collector's kill rung.
     */
    identicalCalls: rungSchema.default(DEFAULT_THRESHOLDS.identicalKillAt),
    /** D2: stop when a cycle of 2 to 6 steps has repeated this many times. 0 turns it off. */
    cycleRepeats: rungSchema.default(DEFAULT_THRESHOLDS.cycleKillAt),
    /**
     * Polling tools (the collector's `detectors.allowlist`): their `toolSpan` runs, and the
     * calls that asked for them, never count towards D1 or D2.
     */
    loopAllowlist: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type GuardConfig = z.infer<typeof guardConfigSchema>;

/** Environment variables for each guard setting. */
export const GUARD_ENV: Record<string, keyof GuardConfig> = {
  BURNRATE_GUARD_ENABLED: "enabled",
  BURNRATE_MAX_CALLS_PER_TRACE: "maxCallsPerTrace",
  BURNRATE_MAX_TOKENS_PER_TRACE: "maxTokensPerTrace",
  BURNRATE_MAX_COST_PER_TRACE: "maxCostPerTrace",
  BURNRATE_MAX_CALLS_PER_SESSION: "maxCallsPerSession",
  BURNRATE_MAX_TOKENS_PER_SESSION: "maxTokensPerSession",
  BURNRATE_MAX_COST_PER_SESSION: "maxCostPerSession",
  BURNRATE_LOOP_IDENTICAL_CALLS: "identicalCalls",
  BURNRATE_LOOP_CYCLE_REPEATS: "cycleRepeats",
  BURNRATE_LOOP_ALLOWLIST: "loopAllowlist",
};

/** Reads guard settings from the environment; a bad value names its variable. */
export function guardConfigFromEnv(env: NodeJS.ProcessEnv): GuardConfig {
  const raw: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(GUARD_ENV)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (key === "enabled") raw[key] = !/^(false|0|no|off)$/i.test(value);
    else if (key === "loopAllowlist") raw[key] = value.split(",").flatMap((tool) => tool.trim() || []);
    else if (Number.isNaN(Number(value)))
      throw new Error(`${name} must be a number, got ${JSON.stringify(value)}`);
    else raw[key] = Number(value);
  }
  return parseGuardConfig(raw, (key) => Object.entries(GUARD_ENV).find(([, k]) => k === key)?.[0] ?? key);
}

/**
 * Validates guard settings; the error names every bad setting as `named` calls it (an
 * environment variable, or the `configure()` field) with what is wrong.
 * @example parseGuardConfig({ maxCostPerTrace: -1 }, (key) => key) // throws "maxCostPerTrace: Too small: …"
 */
export function parseGuardConfig(raw: unknown, named: (key: string) => string): GuardConfig {
  const parsed = guardConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => `${named(key)}: not a guard setting`)
      : [`${named(String(issue.path[0]))}: ${issue.message}`],
  );
  throw new Error(problems.join("; "));
}
