/**
 * The genai-prices price data, read as exact rate cards.
 *
 * Never over the network: only `calcPrice` and `findProvider` are imported. genai-prices
 * fetches newer data only after `updatePrices` (and `waitForUpdate`) have been called to
 * register a fetcher; `calcPrice` otherwise reads the data bundled in the package. This
 * module never calls either, so prices are exactly those of the installed version, and
 * the same call prices the same way on every run (a test spies on `fetch` to keep it so).
 *
 * Only the model lookup and the time-dependent price choice come from `calcPrice`; its
 * float totals are ignored and costs are recomputed exactly from `model_price`.
 */
import { calcPrice, findProvider, type ModelPrice as GenaiModelPrice } from "@pydantic/genai-prices";
import { divideHalfEven, parseUsd, type Usd } from "./money.js";
import { genaiPricesProviderId } from "./providers.js";
import type { Rate, RateCard } from "./rate-card.js";

/**
 * The installed genai-prices version. The package exposes no version or data-timestamp at
 * runtime (its `auto_update_timestamp` is set only for fetched data), and its package.json
 * is not exported, so it is pinned here; a test fails if it drifts from the installed package.
 */
export const GENAI_PRICES_VERSION = "0.1.8";

/** The `priceVersion` of every cost priced from genai-prices data. */
export const GENAI_PRICES_PRICE_VERSION = `genai-prices@${GENAI_PRICES_VERSION}`;

/** A model's prices found in genai-prices, with the ids genai-prices knows it by. */
export interface CatalogPrice {
  providerId: string;
  modelId: string;
  card: RateCard;
}

/**
 * Finds the prices in force for `model` at `at`. The provider name is mapped to its
 * genai-prices id; when that id is empty or genai-prices does not know it, genai-prices
 * infers the provider from the model name. Returns undefined for an unknown model, and for
 * a model priced in units other than text tokens (images, audio hours), which cannot be
 * priced from `TokenUsage` and must not be reported as $0.
 */
export function findCatalogPrice(provider: string, model: string, at: Date): CatalogPrice | undefined {
  const providerId = genaiPricesProviderId(provider);
  const known = providerId !== "" && findProvider({ providerId }) !== undefined;
  try {
    // Empty usage: we only want the model and its prices at `at`, not calcPrice's float sums.
    const found = calcPrice({}, model, { ...(known ? { providerId } : {}), timestamp: at });
    const card = found ? toRateCard(found.model_price) : undefined;
    if (!found || !card) return undefined;
    return { providerId: found.provider.id, modelId: found.model.id, card };
  } catch {
    return undefined; // an invalid time or malformed price data: a miss, not a crash
  }
}

function toRateCard(prices: GenaiModelPrice): RateCard | undefined {
  const input = toRate(prices.input_mtok);
  const output = toRate(prices.output_mtok);
  if (!input && !output) return undefined;
  const zero: Rate = { base: 0n, tiers: [] };
  const cacheRead = toRate(prices.cache_read_mtok);
  const cacheWrite = toRate(prices.cache_write_mtok);
  const cacheWrite1h = toRate(prices.cache_write_1h_mtok);
  const audioInput = toRate(prices.input_audio_mtok);
  const audioOutput = toRate(prices.output_audio_mtok);
  // genai-prices prices requests and searches per thousand (`requests_kcount`,
  // `web_searches_kcount`); Burnrate keeps the price of one.
  const perRequest = perOne(prices.requests_kcount);
  const webSearch = perOne(prices.web_searches_kcount);
  // A model with only an input price (embeddings) produces no output tokens, and vice versa.
  return {
    input: input ?? zero,
    output: output ?? zero,
    ...(cacheRead ? { cacheRead } : {}),
    ...(cacheWrite ? { cacheWrite } : {}),
    ...(cacheWrite1h ? { cacheWrite1h } : {}),
    ...(audioInput ? { audioInput } : {}),
    ...(audioOutput ? { audioOutput } : {}),
    ...(perRequest ? { perRequest } : {}),
    ...(webSearch ? { webSearch } : {}),
  };
}

/** The price of one, from a genai-prices price per thousand; undefined for none or a tiered one. */
function perOne(perThousand: GenaiModelPrice[string]): Usd | undefined {
  return typeof perThousand === "number" && perThousand > 0
    ? divideHalfEven(parseUsd(perThousand), 1000n)
    : undefined;
}

/** A genai-prices price: a number per million tokens, or `{ base, tiers: [{ start, price }] }`. */
function toRate(price: GenaiModelPrice[string]): Rate | undefined {
  if (price === undefined) return undefined;
  if (typeof price === "number") return { base: parseUsd(price), tiers: [] };
  const tiers = [...price.tiers]
    .sort((a, b) => a.start - b.start)
    .map((tier) => ({ start: tier.start, perMillion: parseUsd(tier.price) }));
  return { base: parseUsd(price.base), tiers };
}
