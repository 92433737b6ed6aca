import { DEFAULT_THRESHOLDS, rungSchema } from "@burnrate/core";
import { z } from "zod";
import { settingProblems } from "./setting-problems.js";

/** A limit on calls or tokens: a whole number. */
const countLimit = z.int().positive().optional();
/** A limit in dollars. */
const costLimit = z.number().positive().optional();

/** Local guard limits. Unset limits are off; loop detection is on by default. */
export const guardConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    maxCallsPerTrace: countLimit,
    maxTokensPerTrace: countLimit,
    maxCostPerTrace: costLimit,
    maxCallsPerSession: countLimit,
    maxTokensPerSession: countLimit,
    maxCostPerSession: costLimit,
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

/**
 * Reads guard settings from the environment. A bad value is reported through `warn`, naming
 * its variable, and ignored (its default applies), as OpenTelemetry treats its own variables:
 * a typo must not cost the app its telemetry, and the warning says what was not applied.
 */
export function guardConfigFromEnv(env: NodeJS.ProcessEnv, warn: (message: string) => void): GuardConfig {
  const raw: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(GUARD_ENV)) {
    const text = env[name];
    if (text === undefined || text === "") continue;
    const value = fromText(key, text);
    const field = guardConfigSchema.shape[key].safeParse(value);
    if (field.success) raw[key] = value;
    else warn(`${name}=${JSON.stringify(text)} is ignored: ${whyNot(value, field.error.issues[0]!.message)}`);
  }
  return guardConfigSchema.parse(raw);
}

/** Why a variable's value was refused: the schema's message, unless the text was not even of the setting's type. */
function whyNot(value: unknown, schemaMessage: string): string {
  if (Number.isNaN(value)) return "not a number";
  if (typeof value === "string") return "not one of true, false, 1, 0, yes, no, on, off";
  return schemaMessage;
}

/**
 * An on/off variable's text as a boolean (true, 1, yes, on; false, 0, no, off, in any case),
 * or undefined when it says neither.
 */
export function switchOf(text: string): boolean | undefined {
  if (/^\s*(true|1|yes|on)\s*$/i.test(text)) return true;
  if (/^\s*(false|0|no|off)\s*$/i.test(text)) return false;
  return undefined;
}

/** A variable's text as the setting's type; a switch that is neither on nor off stays text, which the schema refuses. */
function fromText(key: keyof GuardConfig, text: string): unknown {
  if (key === "enabled") return switchOf(text) ?? text;
  if (key === "loopAllowlist") return text.split(",").flatMap((tool) => tool.trim() || []);
  return Number(text);
}

/**
 * Validates guard settings given in code; the error names every bad setting and what is wrong.
 * @example parseGuardConfig({ maxCostPerTrace: -1 }, "configure") // throws "configure: maxCostPerTrace: Too small: …"
 */
export function parseGuardConfig(raw: unknown, who: string): GuardConfig {
  const parsed = guardConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new TypeError(`${who}: ${settingProblems(parsed.error, "guard setting").join("; ")}`);
}
