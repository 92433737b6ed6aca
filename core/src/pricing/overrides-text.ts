import { parse } from "yaml";
import { type PriceOverrides, parsePriceOverrides } from "./overrides.js";

/**
 * Reads an overrides file's text (YAML, or JSON, which is YAML) and validates it. The
 * collector and the instrumentation both read the same file, so both price alike.
 * @param source names the file in error messages, e.g. its path.
 * @throws Error when the text is not YAML; PriceOverridesError when a field is invalid.
 * @example priceOverridesFromText('models: [{ match: { exact: "m" }, inputPerMillion: 1, outputPerMillion: 2 }]', "prices.yaml")
 */
export function priceOverridesFromText(text: string, source: string): PriceOverrides {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    const first = (error as Error).message.split("\n")[0];
    throw new Error(`price overrides file ${source} is not valid YAML or JSON: ${first}`);
  }
  return parsePriceOverrides(raw, source);
}
