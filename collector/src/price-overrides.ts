import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type PriceOverrides, parsePriceOverrides } from "@burnrate/core";
import { parse } from "yaml";

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
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new Error(
      `price overrides file ${path} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  return parsePriceOverrides(raw, path);
}
