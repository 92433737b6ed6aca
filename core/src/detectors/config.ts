import { z } from "zod";
import { parseUsd } from "../pricing/money.js";

/** A count threshold: 0 turns the rung off, otherwise at least 2 (1 would fire on every call). */
export const rungSchema = z.union([z.literal(0), z.int().min(2)], {
  error: "must be 0 (off) or a whole number of at least 2",
});

/** A dollar amount as an exact decimal string; numbers are read through their shortest decimal form. */
export const usdAmountSchema = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .refine(
    (value) => {
      try {
        return parseUsd(value) >= 0n;
      } catch {
        return false;
      }
    },
    // Later refinements parse the amount again; stop here so they never see a bad one.
    { message: 'must be a non-negative decimal dollar amount such as "5" or "0.25"', abort: true },
  );

/** The threshold fields without defaults, so a partial override never fills in a global value. */
const thresholdFields = {
  /**
   * D1: the same tool call, or the same prompt of a call that asked for no tool, this many
   * times in a row warns…
   */
  identicalWarnAt: rungSchema,
  /** …blocks the tool (tool-call steps only; a bare prompt has no tool to block)… */
  identicalBlockToolAt: rungSchema,
  /** …and kills the run. */
  identicalKillAt: rungSchema,
  /** D2: a cycle of 2..cycleMaxPeriod steps repeated this many times warns, then kills. */
  cycleWarnAt: rungSchema,
  cycleKillAt: rungSchema,
  /** Longest cycle looked for, in one agent's LLM calls (tool spans are not steps, see `detectCycle`). */
  cycleMaxPeriod: z.int().min(2).max(12),
  /** D3: two agents trading near-identical turns for this many rounds warns, then kills. */
  pingPongWarnRounds: rungSchema,
  pingPongKillRounds: rungSchema,
  /** Largest SimHash Hamming distance that still counts as "the same message". */
  pingPongMaxHamming: z.int().min(0).max(64),
  /** D4: the same result of the same tool this many times in the last `noProgressWindow` tool calls. */
  noProgressWarnAt: rungSchema,
  noProgressKillAt: rungSchema,
  noProgressWindow: z.int().min(2).max(32),
  /** D5: trailing window for the spend rate, in seconds. Fixed per run by its first event. */
  burnRateWindowSeconds: z.number().positive().max(86_400),
  /** D5: kill when the spend in the trailing window, per minute, is above this. "0" is off. */
  burnRateMaxUsdPerMinute: usdAmountSchema,
  /** D5: kill a run whose total cost is above this. "0" is off. */
  runMaxUsd: usdAmountSchema,
  /** D5: warn when one step costs more than this. "0" is off. */
  stepMaxUsd: usdAmountSchema,
  /** D5: warn when the current rate reaches the run's budget within this many minutes. 0 is off. */
  projectionMinutes: z.number().min(0),
  /** D6: kill a run this long after its first event (event time). 0 is off. */
  runMaxAgeSeconds: z.number().min(0),
  /** D6: kill a run at this many LLM calls. 0 is off. */
  runMaxCalls: z.int().min(0),
};

/** Resolved thresholds, as the detectors read them. */
export type Thresholds = {
  [K in keyof typeof thresholdFields]: z.output<(typeof thresholdFields)[K]>;
};

/** The defaults: the ladders and caps Burnrate ships with. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  identicalWarnAt: 3,
  identicalBlockToolAt: 4,
  identicalKillAt: 5,
  cycleWarnAt: 4,
  cycleKillAt: 5,
  cycleMaxPeriod: 6,
  pingPongWarnRounds: 4,
  pingPongKillRounds: 6,
  pingPongMaxHamming: 3,
  noProgressWarnAt: 3,
  noProgressKillAt: 5,
  noProgressWindow: 20,
  burnRateWindowSeconds: 60,
  burnRateMaxUsdPerMinute: "5",
  runMaxUsd: "10",
  stepMaxUsd: "2",
  projectionMinutes: 5,
  runMaxAgeSeconds: 6 * 3600,
  runMaxCalls: 200,
});

/**
 * What a session run starts from, over the global thresholds and any feature or agent
 * override: no D6 cap on LLM calls or age (0 is off). A support chat passes 200 calls and an
 * IDE session 6 hours without looping; per-trace caps still hold inside each of their traces,
 * and the session keeps its loop, cost and budget detectors. `overrides.session` can set caps.
 */
export const SESSION_DEFAULTS: Readonly<Partial<Thresholds>> = Object.freeze({
  runMaxCalls: 0,
  runMaxAgeSeconds: 0,
});

/**
 * Every detector threshold, each with its default. Count rungs and dollar caps set to 0
 * are off. A run's thresholds are resolved per event: global, then the event's feature
 * override, then its agent override (the most specific wins).
 */
export const thresholdsSchema = z
  .object(
    Object.fromEntries(
      Object.entries(thresholdFields).map(([name, schema]) => [
        name,
        (schema as z.ZodType<unknown>).default(DEFAULT_THRESHOLDS[name as keyof Thresholds]),
      ]),
    ) as { [K in keyof typeof thresholdFields]: z.ZodDefault<(typeof thresholdFields)[K]> },
  )
  .strict();

/** An override: any subset of the thresholds, with no defaults of its own. */
export const thresholdOverridesSchema = z.object(thresholdFields).partial().strict();

/** A budget: a dollar limit on a run, or on a user, feature or tenant per UTC day or month. */
export const budgetSchema = z
  .object({
    id: z.string().min(1),
    scope: z.enum(["trace", "session", "user", "feature", "tenant"]),
    /** The one trace, session, user, feature or tenant it applies to; unset applies to each one separately. */
    match: z.string().min(1).optional(),
    /** The project it applies to; unset applies in every project. */
    projectId: z.string().min(1).optional(),
    /** For user, feature and tenant budgets; defaults to `month`. Runs have no period. */
    period: z.enum(["day", "month"]).optional(),
    limitUsd: usdAmountSchema.refine((v) => parseUsd(v) > 0n, "must be above 0"),
    /** Fractions of the limit that alert once each per period; below 1 warns, 1 and above kills. */
    alertAt: z
      .array(z.number().positive().max(100))
      .min(1)
      .default([0.5, 0.8, 1.0])
      .transform((list) => [...new Set(list)].sort((a, b) => a - b)),
  })
  .strict()
  .superRefine((budget, ctx) => {
    const isRun = budget.scope === "trace" || budget.scope === "session";
    if (isRun && budget.period !== undefined) {
      ctx.addIssue({ code: "custom", path: ["period"], message: `a ${budget.scope} budget has no period` });
    }
  })
  .transform((budget) => {
    const isRun = budget.scope === "trace" || budget.scope === "session";
    return isRun ? budget : { ...budget, period: budget.period ?? ("month" as const) };
  });

/** A budget as written (defaults optional). */
export type BudgetInput = z.input<typeof budgetSchema>;
/** A validated budget with its defaults filled in. */
export type Budget = z.output<typeof budgetSchema>;

/**
 * The detection engine's configuration, with the defaults described on each field.
 * @example detectionConfigSchema.parse({ overrides: { agent: { planner: { identicalKillAt: 8 } } } })
 */
export const detectionConfigSchema = z
  .object({
    thresholds: thresholdsSchema.prefault({}),
    /**
     * Thresholds for some runs only. For a trace: global < feature < agent. For a session:
     * global < feature < agent < `SESSION_DEFAULTS` < session, because a chat session spanning
     * many traces legitimately outgrows per-trace caps: by default a session has no
     * `runMaxCalls` or `runMaxAgeSeconds` cap, and `session` can set one.
     */
    overrides: z
      .object({
        agent: z.record(z.string(), thresholdOverridesSchema).default({}),
        feature: z.record(z.string(), thresholdOverridesSchema).default({}),
        session: thresholdOverridesSchema.default({}),
      })
      .strict()
      .prefault({}),
    /** Polling tools: neither they nor the calls that asked for them count towards D1, D2, D3 or D4. */
    allowlist: z.array(z.string().min(1)).default([]),
    /**
     * Tools that answer every call with the same acknowledgement (a write tool that returns
     * "ok"): D4 ignores their results, because an identical "ok" is not a lack of progress.
     */
    acknowledgementTools: z.array(z.string().min(1)).default([]),
    budgets: z.array(budgetSchema).default([]),
    /** Most runs held; the least recently seen is evicted first. */
    maxRuns: z.int().positive().default(100_000),
    /** A run not seen for this long (event time) is dropped. */
    runTtlSeconds: z
      .number()
      .positive()
      .default(6 * 3600),
    /** Most (scope, id, period) spend counters held for user, feature and tenant budgets. */
    maxSpendCounters: z.int().positive().default(200_000),
    /**
     * How long a run's kill holds, in seconds (event time): the collector sets it to its kill
     * decisions' time to live. Once it has passed, a run that still breaks a limit is killed
     * again, as a new finding, rather than left to run on. Unset, a run is killed once.
     */
    killRenewSeconds: z.number().positive().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    checkLadders(config.thresholds, ["thresholds"], ctx);
    for (const kind of ["agent", "feature"] as const) {
      for (const [name, partial] of Object.entries(config.overrides[kind])) {
        checkLadders({ ...config.thresholds, ...definedOnly(partial) }, ["overrides", kind, name], ctx);
      }
    }
    const session = definedOnly(config.overrides.session);
    if (Object.keys(session).length > 0) {
      checkLadders({ ...config.thresholds, ...session }, ["overrides", "session"], ctx);
    }
  });

/** The engine configuration as written (every field optional). */
export type DetectionConfigInput = z.input<typeof detectionConfigSchema>;
/** The validated engine configuration. */
export type DetectionConfig = z.output<typeof detectionConfigSchema>;

const LADDERS: (keyof Thresholds)[][] = [
  ["identicalWarnAt", "identicalBlockToolAt", "identicalKillAt"],
  ["cycleWarnAt", "cycleKillAt"],
  ["pingPongWarnRounds", "pingPongKillRounds"],
  ["noProgressWarnAt", "noProgressKillAt"],
];

/** A warn rung above its kill rung would never be seen; say which field is out of order. */
function checkLadders(t: Thresholds, path: (string | number)[], ctx: z.RefinementCtx): void {
  for (const ladder of LADDERS) {
    let previous: keyof Thresholds | undefined;
    for (const name of ladder) {
      const value = t[name] as number;
      if (value === 0) continue;
      if (previous !== undefined && value < (t[previous] as number)) {
        ctx.addIssue({
          code: "custom",
          path: [...path, name],
          message: `${name} (${value}) must not be below ${previous} (${t[previous]})`,
        });
      }
      previous = name;
    }
  }
}

/** Zod's partial output keeps explicit `undefined`s; spreading them would erase the global values. */
export function definedOnly<T extends object>(partial: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}
