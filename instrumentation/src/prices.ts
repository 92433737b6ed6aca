import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createPriceBook, type PriceBook, priceOverridesFromText } from "@burnrate/core";
import { warnConfig } from "./config-warning.js";

/**
 * The app's price book: genai-prices, plus the collector's overrides file when
 * `BURNRATE_PRICE_OVERRIDES` names it (the variable the collector reads too), so a call's
 * local cost, `budget()` and the cost limits match what the collector records. A file that
 * cannot be read or is invalid is warned about and left out: telemetry never stops the app.
 */
export function priceBookFromEnv(env: NodeJS.ProcessEnv): PriceBook {
  const file = env.BURNRATE_PRICE_OVERRIDES;
  if (!file) return createPriceBook();
  const path = resolve(file);
  try {
    return createPriceBook({ overrides: priceOverridesFromText(readFileSync(path, "utf8"), path) });
  } catch (error) {
    warnConfig(
      `BURNRATE_PRICE_OVERRIDES is ignored, so local costs use genai-prices alone: ${(error as Error).message}`,
    );
    return createPriceBook();
  }
}

const warnedUnpriced = new Set<string>();

/**
 * Says once per model that a cost limit cannot count its calls: it has no price, so each
 * counts $0 towards `maxCostPerTrace` and `maxCostPerSession` (and `budget()`'s spend).
 */
export function warnUnpriced(provider: string, model: string): void {
  const key = `${provider}\u0000${model}`;
  if (warnedUnpriced.has(key)) return;
  warnedUnpriced.add(key);
  warnConfig(
    `model "${model}" (${provider}) has no price, so its calls count $0 towards the local cost limits; price it in the file BURNRATE_PRICE_OVERRIDES names, or with setPrices()`,
  );
}
