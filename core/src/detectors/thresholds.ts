import { parseUsd, type Usd } from "../pricing/money.js";
import { type DetectionConfig, definedOnly, SESSION_DEFAULTS, type Thresholds } from "./config.js";
import type { RunKind } from "./events.js";

/** Thresholds with the dollar caps already parsed, so no event parses a decimal string twice. */
export interface ResolvedThresholds extends Thresholds {
  burnRateMaxPicoPerMinute: Usd;
  runMaxPico: Usd;
  stepMaxPico: Usd;
}

/**
 * Resolves the thresholds in force for one run at one event: global, then the feature's
 * override, then the agent's, then for a session run `SESSION_DEFAULTS` and the session
 * override; the most specific wins. Results are cached per combination of overrides that
 * apply, so the cache holds at most one entry per combination of configured names, whatever
 * the traffic.
 * @example new ThresholdResolver(config).resolve("planner", "support-chat", "trace").identicalKillAt
 */
export class ThresholdResolver {
  readonly #config: DetectionConfig;
  readonly #global: ResolvedThresholds;
  readonly #session: ResolvedThresholds;
  readonly #cache = new Map<string, ResolvedThresholds>();

  constructor(config: DetectionConfig) {
    this.#config = config;
    this.#global = withMoney(config.thresholds);
    this.#session = withMoney({ ...config.thresholds, ...this.#sessionLayer() });
  }

  resolve(agent: string, feature: string, kind: RunKind): ResolvedThresholds {
    const byAgent = this.#config.overrides.agent;
    const byFeature = this.#config.overrides.feature;
    const agentKey = agent !== "" && Object.hasOwn(byAgent, agent) ? agent : undefined;
    const featureKey = feature !== "" && Object.hasOwn(byFeature, feature) ? feature : undefined;
    const session = kind === "session";
    if (agentKey === undefined && featureKey === undefined) return session ? this.#session : this.#global;
    const cacheKey = `${session ? "s" : "t"}\u0000${featureKey ?? ""}\u0000${agentKey ?? ""}`;
    let resolved = this.#cache.get(cacheKey);
    if (!resolved) {
      resolved = withMoney({
        ...this.#config.thresholds,
        ...(featureKey === undefined ? {} : definedOnly(byFeature[featureKey]!)),
        ...(agentKey === undefined ? {} : definedOnly(byAgent[agentKey]!)),
        ...(session ? this.#sessionLayer() : {}),
      });
      this.#cache.set(cacheKey, resolved);
    }
    return resolved;
  }

  #sessionLayer(): Partial<Thresholds> {
    return { ...SESSION_DEFAULTS, ...definedOnly(this.#config.overrides.session) };
  }
}

function withMoney(t: Thresholds): ResolvedThresholds {
  return {
    ...t,
    burnRateMaxPicoPerMinute: parseUsd(t.burnRateMaxUsdPerMinute),
    runMaxPico: parseUsd(t.runMaxUsd),
    stepMaxPico: parseUsd(t.stepMaxUsd),
  };
}
