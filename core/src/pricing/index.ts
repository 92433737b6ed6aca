export { GENAI_PRICES_PRICE_VERSION, GENAI_PRICES_VERSION } from "./genai-prices-catalog.js";
export {
  addUsd,
  amountsApart,
  costOfTokens,
  divideHalfEven,
  formatUsd,
  parseUsd,
  type Ratio,
  sumUsd,
  USD_DECIMALS,
  type Usd,
} from "./money.js";
export {
  type PriceOverrides,
  PriceOverridesError,
  type PriceOverridesProblem,
  parsePriceOverrides,
  priceOverridesSchema,
} from "./overrides.js";
export { priceOverridesFromText } from "./overrides-text.js";
export {
  createPriceBook,
  type ModelPrice,
  type ModelPriceTier,
  type PriceBook,
  type PriceBookOptions,
  type PricedCall,
  type PriceResult,
  type TotalQuery,
} from "./price-book.js";
