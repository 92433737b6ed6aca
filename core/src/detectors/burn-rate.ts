import type { Usd } from "../pricing/money.js";
import { DETECTOR } from "./events.js";
import { dollars, dollarsApart, type FindingSink, round, runLabel, usd } from "./finding.js";
import { BURN_BUCKETS, type RunState, WINDOW_TOTAL } from "./run-state.js";
import type { ResolvedThresholds } from "./thresholds.js";

/** Bucket sums saturate here ($9.2M) instead of wrapping; they only feed a rate. */
const INT64_MAX = 2n ** 63n - 1n;
const PICO_PER_USD = 1e12;

/**
 * Adds a priced step to the run's total and to its trailing window. The window is
 * `BURN_BUCKETS` buckets of (window / 12) each, so "the last 60 s" is the last 55 to 60 s of
 * event time, kept in 12 exact pico-dollar sums however many calls the run makes.
 */
export function addSpend(run: RunState, costPico: Usd, ms: number, t: ResolvedThresholds): void {
  run.costPico += costPico;
  if (!run.money) {
    run.money = new BigInt64Array(BURN_BUCKETS + 1);
    run.bucketMs = (t.burnRateWindowSeconds * 1000) / BURN_BUCKETS;
  }
  const money = run.money;
  const bucket = Math.floor(ms / run.bucketMs);
  if (run.newestBucket < 0) run.newestBucket = bucket;
  if (bucket > run.newestBucket) {
    const from = Math.max(run.newestBucket + 1, bucket - BURN_BUCKETS + 1);
    for (let b = from; b <= bucket; b++) {
      const slot = b % BURN_BUCKETS;
      money[WINDOW_TOTAL] = money[WINDOW_TOTAL]! - money[slot]!;
      money[slot] = 0n;
    }
    if (bucket - run.newestBucket >= BURN_BUCKETS) money[WINDOW_TOTAL] = 0n;
    run.newestBucket = bucket;
  }
  // A late event older than the window still counts in the run's total, not in its rate.
  if (bucket <= run.newestBucket - BURN_BUCKETS) return;
  const slot = bucket % BURN_BUCKETS;
  money[slot] = saturate(money[slot]! + costPico);
  money[WINDOW_TOTAL] = saturate(money[WINDOW_TOTAL]! + costPico);
}

function saturate(value: bigint): bigint {
  return value > INT64_MAX ? INT64_MAX : value;
}

/** Spend in the trailing window, in dollars per minute of window (a float: a rate, not money). */
export function burnRatePerMinute(run: RunState): number {
  if (!run.money) return 0;
  const windowMinutes = (run.bucketMs * BURN_BUCKETS) / 60_000;
  return Number(run.money[WINDOW_TOTAL]) / PICO_PER_USD / windowMinutes;
}

/** The run's dollar budget for projections: the tighter of `runMaxUsd` and any run budget. */
export interface RunLimit {
  pico: Usd;
  source: string;
}

/**
 * D5, burn velocity, on every priced step:
 * - `D5.step_cost` warn: one step cost more than `stepMaxUsd` ($2);
 * - `D5.burn_rate` kill: the trailing window's spend per minute is above `burnRateMaxUsdPerMinute`
 *   ($5/min). The rate is window spend / window length, so a young run is not extrapolated from
 *   one expensive call;
 * - `D5.run_cost` kill: the run's exact total is above `runMaxUsd` ($10);
 * - `D5.projection` warn: at the current rate the run reaches its limit within `projectionMinutes` (5).
 * Sums are exact pico-dollars; only the rate and the projection are floats.
 */
export function detectBurn(
  run: RunState,
  costPico: Usd,
  t: ResolvedThresholds,
  limit: RunLimit | undefined,
  sink: FindingSink,
): void {
  const label = runLabel(run);
  if (t.stepMaxPico > 0n && costPico > t.stepMaxPico && sink.isNew(run, DETECTOR.stepCost, "warn")) {
    const [cost, cap] = dollarsApart(costPico, t.stepMaxPico);
    sink.emitRun(
      run,
      DETECTOR.stepCost,
      "warn",
      `${label} made a single call costing ${cost}, above the ${cap} per-step cap.`,
      { step_cost_usd: usd(costPico), step_max_usd: usd(t.stepMaxPico) },
    );
  }

  const rate = burnRatePerMinute(run);
  const windowSeconds = round((run.bucketMs * BURN_BUCKETS) / 1000, 3);
  const capRate = Number(t.burnRateMaxPicoPerMinute) / PICO_PER_USD;
  if (t.burnRateMaxPicoPerMinute > 0n && rate > capRate && sink.isNew(run, DETECTOR.burnRate, "kill")) {
    sink.emitRun(
      run,
      DETECTOR.burnRate,
      "kill",
      `${label} is spending $${rate.toFixed(2)}/min over the last ${windowSeconds} s, above the ` +
        `$${capRate.toFixed(2)}/min cap.`,
      {
        rate_usd_per_minute: round(rate),
        window_spend_usd: usd(run.money![WINDOW_TOTAL]!),
        window_seconds: windowSeconds,
        max_usd_per_minute: usd(t.burnRateMaxPicoPerMinute),
      },
    );
  }

  if (t.runMaxPico > 0n && run.costPico > t.runMaxPico && sink.isNew(run, DETECTOR.runCost, "kill")) {
    const [cost, cap] = dollarsApart(run.costPico, t.runMaxPico);
    sink.emitRun(run, DETECTOR.runCost, "kill", `${label} has cost ${cost}, above the ${cap} per-run cap.`, {
      run_cost_usd: usd(run.costPico),
      run_max_usd: usd(t.runMaxPico),
      llm_calls: run.llmCalls,
      tokens: run.tokens,
    });
  }

  if (!limit || t.projectionMinutes <= 0 || rate <= 0) return;
  const remaining = limit.pico - run.costPico;
  if (remaining <= 0n) return;
  const minutes = Number(remaining) / PICO_PER_USD / rate;
  if (minutes > t.projectionMinutes || !sink.isNew(run, DETECTOR.projection, "warn")) return;
  sink.emitRun(
    run,
    DETECTOR.projection,
    "warn",
    `${label} is spending $${rate.toFixed(2)}/min and will pass its ${dollars(limit.pico)} limit in about ` +
      `${minutes.toFixed(1)} min (warn within ${t.projectionMinutes} min).`,
    {
      rate_usd_per_minute: round(rate),
      run_cost_usd: usd(run.costPico),
      limit_usd: usd(limit.pico),
      limit_source: limit.source,
      minutes_to_limit: round(minutes, 2),
      horizon_minutes: t.projectionMinutes,
      window_seconds: windowSeconds,
    },
  );
}
