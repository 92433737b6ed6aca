// A namespace import: a bundle's common banner declares its own `createRequire`, and a named
// import of it here would clash with that in an app bundled with esbuild.
import * as nodeModule from "node:module";
import { type PriceOverrides, parsePriceOverrides } from "./overrides.js";

/** `yaml` is loaded on first use: an instrumented app without an overrides file never pays its 30 ms. */
const load = nodeModule.createRequire(import.meta.url);

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
    raw = (load("yaml") as typeof import("yaml")).parse(text);
  } catch (error) {
    const first = (error as Error).message.split("\n")[0];
    throw new Error(`price overrides file ${source} is not valid YAML or JSON: ${first}`);
  }
  return parsePriceOverrides(raw, source);
}
