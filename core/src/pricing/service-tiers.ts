/**
 * Service tiers: the same model billed at other prices. genai-prices 0.1.8 carries only
 * standard prices (no batch, flex or priority keys), so the published rules are encoded here.
 *
 * - batch: 50% of standard for every token kind, OpenAI (Batch API) and Anthropic (Message
 *   Batches API); caching discounts stack with it, so cache prices are halved too.
 * - flex: OpenAI only, half the standard price on the models that offer it (OpenAI's pricing
 *   page, Flex column; Azure's flex page: "a 50% discount compared with Standard processing").
 *   A model without flex rejects a flex request, so a call reporting `flex` was billed at half.
 * - priority (renamed "fast" by OpenAI on 2026-07-30; both names are accepted): OpenAI only,
 *   priced per model at https://openai.com/api-priority-processing/ (now /api-fast-mode/).
 *   The models in `OPENAI_PRIORITY` use those published prices. Every other OpenAI model pays
 *   2x its standard price: the ratio the published table applies to most of the GPT-5 family
 *   (gpt-5 $1.25 -> $2.50 in, $10 -> $20 out; gpt-5.4, gpt-5.6-sol/terra/luna likewise).
 *   The published priority prices exclude long context; the table's price is used anyway.
 * - Anthropic's `priority` tier is bought as committed capacity, not a per-token price, so
 *   it is priced as standard. Other providers' tiers (Google, Bedrock, Azure batch) are not
 *   encoded yet and price as standard, as do "default", "auto", "standard", "" and unknown tiers.
 * - Fees per web search are not token prices: every tier leaves them at standard (`priceTokens`
 *   does not scale them, and a published priority card keeps the standard one).
 */
import { parseUsd, type Ratio, WHOLE } from "./money.js";
import { flatRate, type RateCard } from "./rate-card.js";

const HALF: Ratio = Object.freeze({ numerator: 1n, denominator: 2n });
const DOUBLE: Ratio = Object.freeze({ numerator: 2n, denominator: 1n });

/** Published priority prices per million tokens: [input, cached input, output]; null = none. */
type PriorityPrices = readonly [input: string, cachedInput: string | null, output: string];

/**
 * OpenAI priority prices, keyed by genai-prices model id, as published on the page above.
 * o3 and o4-mini are no longer on that page; their figures are the ones OpenAI's pricing
 * page listed for priority (o4-mini's $2/$8 is also what Vercel's gateway lists for
 * "o4-mini (Fast)"); re-check them when the page changes. Codex variants share their base
 * model's prices, and genai-prices matches them to that model. A Map, so a model id that
 * names an Object.prototype member (`constructor`) finds no price rather than a function.
 */
const OPENAI_PRIORITY: ReadonlyMap<string, PriorityPrices> = new Map<string, PriorityPrices>([
  ["gpt-5.5", ["12.50", "1.250", "75.00"]],
  ["gpt-5.4", ["5.00", "0.500", "30.00"]],
  ["gpt-5.4-mini", ["1.50", "0.150", "9.00"]],
  ["gpt-5.2", ["3.50", "0.350", "28.00"]],
  ["gpt-5.1", ["2.50", "0.250", "20.00"]],
  ["gpt-5", ["2.50", "0.250", "20.00"]],
  ["gpt-5-mini", ["0.45", "0.045", "3.60"]],
  ["gpt-4.1", ["3.50", "0.875", "14.00"]],
  ["gpt-4.1-mini", ["0.70", "0.175", "2.80"]],
  ["gpt-4.1-nano", ["0.20", "0.050", "0.80"]],
  ["gpt-4o", ["4.25", "2.125", "17.00"]],
  ["gpt-4o-2024-05-13", ["8.75", null, "26.25"]],
  ["gpt-4o-mini", ["0.25", "0.125", "1.00"]],
  ["o3", ["3.50", "0.875", "14.00"]],
  ["o4-mini", ["2.00", "0.50", "8.00"]],
]);

/** How a tier changes a standard rate card: a replacement card and a ratio applied to every part. */
export interface TierPricing {
  card: RateCard;
  ratio: Ratio;
}

/**
 * Applies a call's service tier to the standard `card` of `modelId` at `providerId`
 * (genai-prices ids). Tier names are compared trimmed and lower-cased.
 * @example applyServiceTier(card, "batch", "openai", "gpt-4o") // { card, ratio: 1/2 }
 */
export function applyServiceTier(
  card: RateCard,
  tier: string,
  providerId: string,
  modelId: string,
): TierPricing {
  const name = tier.trim().toLowerCase();
  const isOpenAi = providerId === "openai";
  if (name === "batch" && (isOpenAi || providerId === "anthropic")) return { card, ratio: HALF };
  if (name === "flex" && isOpenAi) return { card, ratio: HALF };
  if ((name === "priority" || name === "fast") && isOpenAi) {
    const published = OPENAI_PRIORITY.get(modelId);
    return published ? { card: priorityCard(card, published), ratio: WHOLE } : { card, ratio: DOUBLE };
  }
  return { card, ratio: WHOLE };
}

function priorityCard(standard: RateCard, [input, cachedInput, output]: PriorityPrices): RateCard {
  const card: RateCard = { input: flatRate(parseUsd(input)), output: flatRate(parseUsd(output)) };
  if (cachedInput !== null) card.cacheRead = flatRate(parseUsd(cachedInput));
  // OpenAI publishes no cache-write price; keep whatever the standard card says (normally none).
  if (standard.cacheWrite) card.cacheWrite = standard.cacheWrite;
  // The page prices tokens only; a web search costs the same at any tier.
  if (standard.webSearch) card.webSearch = standard.webSearch;
  return card;
}
