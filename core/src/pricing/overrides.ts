/**
 * User price overrides: prices for models genai-prices does not know (self-hosted, fine-tuned)
 * or prices a user has negotiated. Reading the YAML or JSON file is the caller's job; this
 * module validates the parsed object and matches models against it.
 */
import { z } from "zod";
import { divideHalfEven, parseUsd } from "./money.js";
import { flatRate, type RateCard } from "./rate-card.js";

/** A price per million tokens: a non-negative number or decimal string, e.g. `0.5` or `"0.50"`. */
const perMillion = z
  .union([z.number(), z.string()], {
    error: (issue) => (issue.input === undefined ? "required" : "expected a number or a decimal string"),
  })
  .superRefine((value, ctx) => {
    let parsed: bigint;
    try {
      parsed = parseUsd(value);
    } catch {
      ctx.addIssue({ code: "custom", message: `expected a decimal price, got ${JSON.stringify(value)}` });
      return;
    }
    if (parsed < 0n) ctx.addIssue({ code: "custom", message: "a price cannot be negative" });
  });

/** A price per thousand (searches): the same non-negative number or decimal string. */
const perThousand = perMillion;

const regexSource = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message }); // "Invalid regular expression: /(/: ..."
    }
  });

/** Exactly one of `exact`, `prefix`, `regex`, compared case-sensitively with the model name. */
const modelMatch = z
  .strictObject({
    exact: z.string().min(1).optional(),
    prefix: z.string().min(1).optional(),
    regex: regexSource.optional(),
  })
  .superRefine((match, ctx) => {
    const given = [match.exact, match.prefix, match.regex].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({ code: "custom", message: "give exactly one of exact, prefix or regex" });
    }
  });

/** The token kinds an override prices, by their field names. */
const KINDS = [
  ["inputPerMillion", "input"],
  ["outputPerMillion", "output"],
  ["cacheReadPerMillion", "cacheRead"],
  ["cacheWritePerMillion", "cacheWrite"],
  ["cacheWrite1hPerMillion", "cacheWrite1h"],
  ["audioInputPerMillion", "audioInput"],
  ["audioOutputPerMillion", "audioOutput"],
] as const;

/**
 * Long-context prices: for a prompt larger than `aboveInputTokens` (input with cache reads
 * and writes), every token of the call is at the tier's prices, as Anthropic and Google bill.
 * A kind the tier leaves out keeps the price below it.
 */
const tier = z
  .strictObject({
    aboveInputTokens: z.int().positive(),
    inputPerMillion: perMillion.optional(),
    outputPerMillion: perMillion.optional(),
    cacheReadPerMillion: perMillion.optional(),
    cacheWritePerMillion: perMillion.optional(),
    cacheWrite1hPerMillion: perMillion.optional(),
    audioInputPerMillion: perMillion.optional(),
    audioOutputPerMillion: perMillion.optional(),
  })
  .refine((t) => KINDS.some(([field]) => t[field] !== undefined), "give at least one price");

const modelOverride = z
  .strictObject({
    match: modelMatch,
    /** When set, only calls whose provider name equals it exactly. */
    provider: z.string().min(1).optional(),
    inputPerMillion: perMillion,
    outputPerMillion: perMillion,
    cacheReadPerMillion: perMillion.optional(),
    cacheWritePerMillion: perMillion.optional(),
    /** Writes to a one-hour cache; without it they are charged `cacheWritePerMillion`. */
    cacheWrite1hPerMillion: perMillion.optional(),
    /** Audio prompt tokens; without it they are charged `inputPerMillion`, as genai-prices does. */
    audioInputPerMillion: perMillion.optional(),
    /** Audio output tokens; without it they are charged `outputPerMillion`. */
    audioOutputPerMillion: perMillion.optional(),
    /**
     * A fee per thousand server-side web searches, as providers publish it ($10 for Anthropic's
     * and OpenAI's). Not tiered: a search costs the same whatever the prompt's size.
     */
    webSearchPerThousand: perThousand.optional(),
    /** Long-context tiers, in ascending `aboveInputTokens`. */
    tiers: z.array(tier).optional(),
  })
  .superRefine((entry, ctx) => {
    const tiers = entry.tiers ?? [];
    tiers.forEach((t, i) => {
      if (i > 0 && t.aboveInputTokens <= tiers[i - 1]!.aboveInputTokens) {
        ctx.addIssue({
          code: "custom",
          path: ["tiers", i, "aboveInputTokens"],
          message: "tiers must be in ascending aboveInputTokens",
        });
      }
      for (const [field] of KINDS) {
        if (t[field] !== undefined && entry[field] === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["tiers", i, field],
            message: `a tier can only raise a price the model has: give ${field} at the model's level too`,
          });
        }
      }
    });
  });

/** Schema of a price-overrides file. Unknown keys are errors, so a misspelt price is not ignored. */
export const priceOverridesSchema = z.strictObject({
  /** Names the override data in `priceVersion` as `override:<version>`. */
  version: z.string().min(1).optional(),
  models: z.array(modelOverride),
});

/** A validated price-overrides file. */
export type PriceOverrides = z.infer<typeof priceOverridesSchema>;
type ModelOverride = PriceOverrides["models"][number];

/** One invalid field of an overrides file: its path (`models[1].match.regex`) and what is wrong. */
export interface PriceOverridesProblem {
  path: string;
  message: string;
}

/** An overrides file failed validation; `problems` lists every bad field, as does the message. */
export class PriceOverridesError extends Error {
  override readonly name = "PriceOverridesError";
  constructor(
    readonly source: string,
    readonly problems: readonly PriceOverridesProblem[],
  ) {
    const list = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
    super(`${source}: invalid price overrides: ${list}`);
  }
}

/**
 * Validates an already-parsed overrides file (YAML or JSON).
 * @param source names the file in error messages, e.g. its path.
 * @throws PriceOverridesError naming `source` and the path of every invalid field, e.g.
 *   `prices.yaml: invalid price overrides: models[1].match.regex: Invalid regular expression: ...`
 * @example parsePriceOverrides(YAML.parse(text), "prices.yaml")
 */
export function parsePriceOverrides(raw: unknown, source: string): PriceOverrides {
  const result = priceOverridesSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    path: fieldPath(issue.path),
    message: issue.message,
  }));
  throw new PriceOverridesError(source, problems);
}

/** The `priceVersion` of costs priced from an overrides file. */
export function overridePriceVersion(overrides: PriceOverrides): string {
  return overrides.version ? `override:${overrides.version}` : "override";
}

/** An override ready to match: its predicate compiled once. */
export interface CompiledOverride {
  provider: string | undefined;
  matches: (model: string) => boolean;
  card: RateCard;
}

/** Compiles overrides in file order, so the first match wins. */
export function compileOverrides(overrides: PriceOverrides): CompiledOverride[] {
  return overrides.models.map((entry) => ({
    provider: entry.provider,
    matches: matcher(entry.match),
    card: overrideCard(entry),
  }));
}

/** The first override that names `model` and, if it names a provider, `provider`. */
export function findOverride(
  overrides: readonly CompiledOverride[],
  provider: string,
  model: string,
): CompiledOverride | undefined {
  return overrides.find((o) => (o.provider === undefined || o.provider === provider) && o.matches(model));
}

function matcher(match: ModelOverride["match"]): (model: string) => boolean {
  if (match.exact !== undefined) {
    const exact = match.exact;
    return (model) => model === exact;
  }
  if (match.prefix !== undefined) {
    const prefix = match.prefix;
    return (model) => model.startsWith(prefix);
  }
  const pattern = new RegExp(match.regex ?? "");
  return (model) => pattern.test(model);
}

function overrideCard(entry: ModelOverride): RateCard {
  const card = {} as { -readonly [K in keyof RateCard]: RateCard[K] };
  for (const [field, kind] of KINDS) {
    const base = entry[field];
    if (base === undefined) continue;
    const tiers = (entry.tiers ?? []).flatMap((t) => {
      const price = t[field];
      return price === undefined ? [] : [{ start: t.aboveInputTokens, perMillion: parseUsd(price) }];
    });
    card[kind] = { ...flatRate(parseUsd(base)), tiers };
  }
  // Cards keep the price of one search, as genai-prices' per-thousand prices become in the catalog.
  if (entry.webSearchPerThousand !== undefined) {
    card.webSearch = divideHalfEven(parseUsd(entry.webSearchPerThousand), 1000n);
  }
  return card as RateCard;
}

/** `["models", 1, "match", "regex"]` becomes `models[1].match.regex`. */
function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}
