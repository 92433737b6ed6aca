export type { BudgetRelease } from "./budget-kills.js";
export {
  type Budget,
  type BudgetInput,
  budgetSchema,
  DEFAULT_THRESHOLDS,
  type DetectionConfig,
  type DetectionConfigInput,
  detectionConfigSchema,
  rungSchema,
  type Thresholds,
  thresholdOverridesSchema,
  thresholdsSchema,
  usdAmountSchema,
} from "./config.js";
export { DetectionEngine } from "./engine.js";
export { DETECTOR, type DetectorEvent, type Finding, type RunKind } from "./events.js";
export { type BudgetPeriod, periodStart } from "./periods.js";
export { runKey } from "./run-state.js";
export type { SessionSeedRequest } from "./session-seeds.js";
export { type SpendSeed, spendSeedSchema } from "./spend-ledger.js";
