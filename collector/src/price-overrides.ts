import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type PriceOverrides, priceOverridesFromText } from "@burnrate/core";

/** Reads and validates a price-override file (YAML or JSON; JSON is YAML). */
export function loadPriceOverrides(file: string): PriceOverrides {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read the price overrides file ${path} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  return priceOverridesFromText(text, path);
}
