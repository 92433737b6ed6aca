import { z } from "zod";
import { instant, usd } from "./money.js";
import { timeInput } from "./time-range.js";

const provider = z
  .string()
  .max(128)
  .default("")
  .describe("`gen_ai.provider.name` (openai, anthropic, aws.bedrock…); empty lets the price book infer it");

/** GET /v1/prices query. */
export const priceQuery = z.strictObject({
  model: z.string().min(1).max(256).describe("the model name as the provider reports it"),
  provider,
  at: timeInput.optional().describe("the instant whose prices to show (default: now)"),
});

const perMillion = usd.describe("dollars per million tokens");

const tierPrices = {
  inputPerMillion: perMillion,
  outputPerMillion: perMillion,
  cacheReadPerMillion: perMillion.nullable().describe("null: cache reads are billed at the input price"),
  cacheWritePerMillion: perMillion.nullable().describe("null: cache writes are billed at the input price"),
  cacheWrite1hPerMillion: perMillion
    .optional()
    .describe(
      "writes to a one-hour cache (Anthropic's ttl 1h), where the model prices them apart; absent: billed as other cache writes",
    ),
  audioInputPerMillion: perMillion
    .optional()
    .describe("audio prompt tokens, where the model prices them apart; absent: billed as other input"),
  audioOutputPerMillion: perMillion
    .optional()
    .describe("audio completion tokens, where the model prices them apart; absent: billed as other output"),
};

/** GET /v1/prices response: the entry the collector prices this model with. */
export const priceResponse = z.object({
  provider: z.string().describe("the price book's provider id"),
  model: z.string().describe("the model id the price book matched"),
  ...tierPrices,
  tiers: z.array(z.object({ aboveInputTokens: z.number().int(), ...tierPrices })),
  webSearchPerThousand: usd
    .optional()
    .describe(
      "dollars per thousand server-side web searches, where the model charges for them; in the input cost",
    ),
  source: z.enum(["genai-prices", "override"]),
  version: z.string(),
  at: instant,
});

const count = z.number().int().nonnegative().max(1_000_000_000);

/**
 * Token counts as the GenAI conventions count them: `inputTokens` is the whole prompt, so it
 * includes the cache reads and writes and the audio, `cacheWriteTokens` includes the one-hour
 * writes, and `outputTokens` includes the reasoning and the audio. Counts that break this
 * (Anthropic's raw `input_tokens` leaves the cache out) are refused, naming the total to
 * raise, rather than priced as something no call could cost. `webSearches` counts searches,
 * not tokens, so it is part of no total.
 */
const usage = z
  .strictObject({
    inputTokens: count.describe("the whole prompt, cached parts included"),
    outputTokens: count.describe("the whole completion, reasoning included"),
    cacheReadTokens: count.default(0).describe("the part of `inputTokens` read from the prompt cache"),
    cacheWriteTokens: count.default(0).describe("the part of `inputTokens` written to the prompt cache"),
    cacheWrite1hTokens: count
      .default(0)
      .describe(
        "the part of `cacheWriteTokens` written to a one-hour cache (Anthropic's ttl 1h), billed at its own rate",
      ),
    reasoningTokens: count.default(0).describe("the part of `outputTokens` spent on reasoning"),
    audioInputTokens: count
      .default(0)
      .describe("the part of `inputTokens` that was audio, billed at the model's audio input rate"),
    audioOutputTokens: count
      .default(0)
      .describe("the part of `outputTokens` that was audio, billed at the model's audio output rate"),
    webSearches: count
      .default(0)
      .describe(
        "server-side web searches the call ran, each billed the model's fee per search (in `inputUsd`)",
      ),
  })
  .superRefine((tokens, ctx) => {
    // Zod runs this even when a count already failed; that count's own issue says enough.
    if (!Object.values(tokens).every((n) => Number.isSafeInteger(n) && n >= 0)) return;
    const cached = tokens.cacheReadTokens + tokens.cacheWriteTokens;
    if (tokens.inputTokens < cached) {
      ctx.addIssue({
        code: "custom",
        path: ["inputTokens"],
        message: `must count the whole prompt, cached parts included, so at least cacheReadTokens + cacheWriteTokens (${cached})`,
      });
    }
    if (tokens.cacheWriteTokens < tokens.cacheWrite1hTokens) {
      ctx.addIssue({
        code: "custom",
        path: ["cacheWriteTokens"],
        message: `must count every cache write, one-hour ones included, so at least cacheWrite1hTokens (${tokens.cacheWrite1hTokens})`,
      });
    }
    if (tokens.outputTokens < tokens.reasoningTokens) {
      ctx.addIssue({
        code: "custom",
        path: ["outputTokens"],
        message: `must count the whole completion, reasoning included, so at least reasoningTokens (${tokens.reasoningTokens})`,
      });
    }
    if (tokens.inputTokens < tokens.audioInputTokens) {
      ctx.addIssue({
        code: "custom",
        path: ["inputTokens"],
        message: `must count the whole prompt, audio included, so at least audioInputTokens (${tokens.audioInputTokens})`,
      });
    }
    if (tokens.outputTokens < tokens.audioOutputTokens) {
      ctx.addIssue({
        code: "custom",
        path: ["outputTokens"],
        message: `must count the whole completion, audio included, so at least audioOutputTokens (${tokens.audioOutputTokens})`,
      });
    }
  });

/** POST /v1/prices/quote body. */
export const quoteInput = z.strictObject({
  model: z.string().min(1).max(256),
  provider,
  serviceTier: z.string().max(32).default("").describe("batch, flex, priority…; empty is standard"),
  at: timeInput.optional().describe("price at this instant (default: now)"),
  usage,
});

/** POST /v1/prices/quote response. `cost` is null when no price is known: never $0. */
export const quoteResponse = z.object({
  model: z.string(),
  provider: z.string(),
  serviceTier: z.string(),
  at: instant,
  priced: z.boolean(),
  cost: z
    .object({
      inputUsd: usd.describe(
        "the prompt tokens billed at the input or audio input price, plus any fee per request or per web search",
      ),
      outputUsd: usd.describe("the completion, its audio at the audio output price"),
      cacheReadUsd: usd,
      cacheWriteUsd: usd.describe("every cache write, the one-hour ones at their own price"),
      totalUsd: usd,
      priceVersion: z.string(),
    })
    .nullable(),
});
