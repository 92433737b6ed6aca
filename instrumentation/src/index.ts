export { agentSpan, toolSpan } from "./agent-spans.js";
export {
  type Attribution,
  type AttributionInput,
  currentAttribution,
  setAttribution,
  withAttribution,
} from "./attribution.js";
export { AttributionSpanProcessor } from "./attribution-processor.js";
export { type BudgetStatus, budget, budgetNote, configure, setPrices } from "./budget.js";
export { onDecision, onKill } from "./decisions.js";
export { BudgetExceededError, BurnrateStopError, RunawayLoopError } from "./errors.js";
export { type GuardConfig, guardConfigSchema } from "./guard-config.js";
export { instrument } from "./instrument.js";
export { AnthropicInstrumentation, OpenAIInstrumentation } from "./instrumentations.js";
export { register, registerSync } from "./setup.js";
export { setupTracing, type Tracing, type TracingOptions } from "./tracing.js";
