import { type CallCost, type LlmCall, type TokenUsage, UNPRICED } from "../llm-call.js";
import { priceTokens, totalUsd, type WholeRates, wholeRates } from "./call-cost.js";
import { findCatalogPrice, GENAI_PRICES_PRICE_VERSION } from "./genai-prices-catalog.js";
import { formatUsd, type Ratio } from "./money.js";
import {
  type CompiledOverride,
  compileOverrides,
  findOverride,
  overridePriceVersion,
  type PriceOverrides,
  parsePriceOverrides,
} from "./overrides.js";
import { genaiPricesProviderId } from "./providers.js";
import { type Rate, type RateCard, rateAt, tierStarts } from "./rate-card.js";
import { applyServiceTier } from "./service-tiers.js";

export interface PriceBookOptions {
  /** Validated overrides (see `parsePriceOverrides`); checked before genai-prices. */
  overrides?: PriceOverrides;
}

export interface PriceResult {
  cost: CallCost;
  /** Set when no price was found, so the collector can count price misses by model. */
  miss?: { provider: string; model: string };
}

/**
 * The fields of a call that pricing reads. With `status`, a call that succeeded but reports no
 * usage at all is left unpriced (see `PriceBook.price`).
 */
export type PricedCall = Pick<
  LlmCall,
  "provider" | "requestModel" | "responseModel" | "serviceTier" | "tokens" | "cost" | "startTimeUnixNano"
> & { status?: LlmCall["status"] };

/** What `PriceBook.totalUsd` reads: a call's models, tier and tokens, and when it started (Unix ms). */
export type TotalQuery = Pick<
  PricedCall,
  "provider" | "requestModel" | "responseModel" | "serviceTier" | "tokens"
> & {
  atMs: number;
};

export interface PriceBook {
  /**
   * Prices one call at call.startTimeUnixNano. Pure; never throws for an unknown model. A cost
   * the provider reported is kept. A call that succeeded without reporting a token (or a
   * billed search), such as traceloop's streamed spans, was billed for tokens nobody knows:
   * it is `unpriced`, not $0, and no price miss. A failed one was refused, and costs $0.
   */
  price(call: PricedCall): PriceResult;
  /**
   * A call's total cost in dollars as a number, or undefined when no price is known: the
   * same figure as `Number(price(call).cost.total)`, without the decimal strings. For the
   * instrumentation, which prices every LLM call on the app's own time.
   */
  totalUsd(query: TotalQuery): number | undefined;
  /** The per-million prices in force for a model at a time, and where they came from; undefined if unknown. */
  lookup(query: { provider: string; model: string; at: Date }): ModelPrice | undefined;
  /** The price data version, e.g. "genai-prices@0.1.8". */
  readonly version: string;
}

/** Standard (not service-tier) prices per million tokens, as 12-decimal strings. */
export interface ModelPrice {
  /** The genai-prices provider id (e.g. `google` for `gcp.vertex_ai`), or the override's or query's provider. */
  provider: string;
  /** The model id genai-prices prices it as (`gpt-4o` for `gpt-4o-2024-08-06`), or the queried name for overrides. */
  model: string;
  /** Prices for prompts up to the first tier start (see `tiers`). */
  inputPerMillion: string;
  outputPerMillion: string;
  cacheReadPerMillion?: string;
  cacheWritePerMillion?: string;
  /** Writes to a one-hour cache, where the model prices them apart (Anthropic). */
  cacheWrite1hPerMillion?: string;
  /** Audio prompt tokens, where the model prices them apart (`gpt-audio`); else they are at `inputPerMillion`. */
  audioInputPerMillion?: string;
  /** Audio output tokens, where the model prices them apart; else they are at `outputPerMillion`. */
  audioOutputPerMillion?: string;
  /** The fee per thousand server-side web searches, where the model charges one. */
  webSearchPerThousand?: string;
  /** Long-context prices: each applies when the whole prompt exceeds `aboveInputTokens`. */
  tiers?: ModelPriceTier[];
  source: "genai-prices" | "override";
  version: string;
}

export interface ModelPriceTier {
  aboveInputTokens: number;
  inputPerMillion: string;
  outputPerMillion: string;
  cacheReadPerMillion?: string;
  cacheWritePerMillion?: string;
  cacheWrite1hPerMillion?: string;
  audioInputPerMillion?: string;
  audioOutputPerMillion?: string;
}

/**
 * The prices a call is charged at (a rate card, the service tier's ratio, their version, and
 * the same as whole pico-dollars per token when they come out whole), or the model no price
 * was found for.
 */
type PriceChoice =
  | { card: RateCard; ratio: Ratio; version: string; whole?: WholeRates }
  | { missedModel: string };

const MS_PER_MINUTE = 60_000;
/** Distinct (provider, models, tier, minute) choices kept; past it the cache starts over. */
const CHOICE_CACHE_LIMIT = 10_000;

/** Where one model's prices were found. */
interface Found {
  source: "genai-prices" | "override";
  provider: string;
  modelId: string;
  card: RateCard;
  version: string;
}

/**
 * Creates a price book over genai-prices' bundled data and optional user overrides.
 *
 * Order: a cost the provider reported wins and is returned unchanged; otherwise the model
 * name is `responseModel` (the snapshot that actually ran), then `requestModel`. Overrides
 * are tried for both names before genai-prices, because an override is the user's own
 * statement of what they pay; the first override in file order wins. Prices are those in
 * force at the span's start time, adjusted for the call's service tier. A model found
 * nowhere yields `UNPRICED` and a `miss`, never $0.
 * @example
 * const book = createPriceBook({ overrides: parsePriceOverrides(yaml, "prices.yaml") });
 * const { cost, miss } = book.price(call);
 */
export function createPriceBook(options: PriceBookOptions = {}): PriceBook {
  // Re-validate: overrides may have been built in code rather than read through the schema.
  const overrides = options.overrides && parsePriceOverrides(options.overrides, "price book overrides");
  const compiled = overrides ? compileOverrides(overrides) : [];
  const overrideVersion = overrides ? overridePriceVersion(overrides) : "";

  function find(provider: string, models: readonly string[], at: Date): Found | undefined {
    for (const model of models) {
      const override = findOverride(compiled, provider, model);
      if (override) return fromOverride(override, provider, model, overrideVersion);
    }
    for (const model of models) {
      const entry = findCatalogPrice(provider, model, at);
      if (entry) {
        const { providerId, modelId, card } = entry;
        return {
          source: "genai-prices",
          provider: providerId,
          modelId,
          card,
          version: GENAI_PRICES_PRICE_VERSION,
        };
      }
    }
    return undefined;
  }

  function choosePrices(call: ChoiceQuery): PriceChoice {
    const models = modelNames(call);
    const found = find(call.provider, models, new Date(call.atMs));
    if (!found) return { missedModel: models[0] ?? "" };
    const providerId = genaiPricesProviderId(found.provider);
    // OpenAI's published priority prices are for its own cards; an override is the user's own
    // price, which a tier scales like any model without a published one (so every name it
    // matches prices alike).
    const tierModel = found.source === "override" ? "" : found.modelId;
    const tiered = applyServiceTier(found.card, call.serviceTier, providerId, tierModel);
    const whole = wholeRates(tiered.card, tiered.ratio);
    return { card: tiered.card, ratio: tiered.ratio, version: found.version, ...(whole ? { whole } : {}) };
  }

  // Which prices apply depends on the provider, the model names, the service tier and the
  // time, and prices never change within a minute; the many calls that share all four
  // share one choice, so each call only does its own token arithmetic.
  // Most apps call one model over and over, so the last choice is compared field by field
  // before a map key is built at all.
  const choices = new Map<string, PriceChoice>();
  let last: { query: ChoiceQuery; minute: number; choice: PriceChoice } | undefined;
  function choose(call: ChoiceQuery): PriceChoice {
    const minute = Math.floor(call.atMs / MS_PER_MINUTE);
    if (last && last.minute === minute && sameModels(last.query, call)) return last.choice;
    const key = `${call.provider}\u0000${call.responseModel}\u0000${call.requestModel}\u0000${call.serviceTier}\u0000${minute}`;
    let choice = choices.get(key);
    if (!choice) {
      choice = choosePrices(call);
      if (choices.size >= CHOICE_CACHE_LIMIT) choices.clear();
      choices.set(key, choice);
    }
    const { provider, responseModel, requestModel, serviceTier, atMs } = call;
    last = { query: { provider, responseModel, requestModel, serviceTier, atMs }, minute, choice };
    return choice;
  }

  return {
    version: GENAI_PRICES_PRICE_VERSION,

    price(call) {
      if (call.cost.source === "provider") return { cost: call.cost };
      if (call.status === "ok" && !reportsUsage(call.tokens)) return { cost: UNPRICED };
      const { provider, requestModel, responseModel, serviceTier } = call;
      const atMs = Number(call.startTimeUnixNano / 1_000_000n);
      const choice = choose({ provider, requestModel, responseModel, serviceTier, atMs });
      if ("missedModel" in choice) return { cost: UNPRICED, miss: { provider, model: choice.missedModel } };
      return { cost: priceTokens(call.tokens, choice.card, choice.version, choice.ratio) };
    },

    totalUsd(query) {
      const choice = choose(query);
      if ("missedModel" in choice) return undefined;
      const fast = choice.whole && totalUsd(query.tokens, choice.whole);
      return fast ?? Number(priceTokens(query.tokens, choice.card, choice.version, choice.ratio).total);
    },

    lookup({ provider, model, at }) {
      const found = find(provider, [model], at);
      return found && toModelPrice(found);
    },
  };
}

/** True when a call's usage names any token or billed search. */
function reportsUsage(tokens: TokenUsage): boolean {
  return tokens.input > 0 || tokens.output > 0 || (tokens.webSearches ?? 0) > 0;
}

function fromOverride(override: CompiledOverride, provider: string, model: string, version: string): Found {
  // Service tiers follow this provider too, so an OpenAI fine-tune sent through batch is still halved.
  return {
    source: "override",
    provider: override.provider ?? provider,
    modelId: model,
    card: override.card,
    version,
  };
}

/** What choosing a call's prices reads. */
type ChoiceQuery = Omit<TotalQuery, "tokens">;

function sameModels(a: ChoiceQuery, b: ChoiceQuery): boolean {
  return (
    a.provider === b.provider &&
    a.responseModel === b.responseModel &&
    a.requestModel === b.requestModel &&
    a.serviceTier === b.serviceTier
  );
}

function modelNames(call: ChoiceQuery): string[] {
  const names = [call.responseModel, call.requestModel].map((name) => name.trim()).filter((name) => name);
  return [...new Set(names)];
}

function toModelPrice(found: Found): ModelPrice {
  const tiers = tierStarts(found.card).map((start) => ({
    aboveInputTokens: start,
    ...pricesAt(found.card, start + 1),
  }));
  return {
    provider: found.provider,
    model: found.modelId,
    ...pricesAt(found.card, 0),
    ...(found.card.webSearch ? { webSearchPerThousand: formatUsd(found.card.webSearch * 1000n) } : {}),
    ...(tiers.length > 0 ? { tiers } : {}),
    source: found.source,
    version: found.version,
  };
}

function pricesAt(card: RateCard, promptTokens: number): Omit<ModelPriceTier, "aboveInputTokens"> {
  const at = (rate: Rate) => formatUsd(rateAt(rate, promptTokens));
  return {
    inputPerMillion: at(card.input),
    outputPerMillion: at(card.output),
    ...(card.cacheRead ? { cacheReadPerMillion: at(card.cacheRead) } : {}),
    ...(card.cacheWrite ? { cacheWritePerMillion: at(card.cacheWrite) } : {}),
    ...(card.cacheWrite1h ? { cacheWrite1hPerMillion: at(card.cacheWrite1h) } : {}),
    ...(card.audioInput ? { audioInputPerMillion: at(card.audioInput) } : {}),
    ...(card.audioOutput ? { audioOutputPerMillion: at(card.audioOutput) } : {}),
  };
}
