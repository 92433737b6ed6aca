import type { ModelPrice } from "@burnrate/core";
import { HttpError } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";
import { priceQuery, priceResponse } from "../schemas/price.js";

/** GET /v1/prices — the price-book entry in use for a model. */
export const getPrice = defineRoute({
  method: "get",
  path: "/v1/prices",
  tag: "prices",
  summary: "The price-book entry in use for a model",
  description:
    "Standard per-million prices (with one-hour cache writes and audio apart, and a fee per thousand web searches, " +
    "where the model prices them so), long-context tiers, and where they came from (genai-prices or an override) with its version.",
  role: "read",
  query: priceQuery,
  response: priceResponse,
  errors: [404],
  async handle({ query, context }) {
    const at = query.at ?? context.now();
    const found = context.priceBook.lookup({ provider: query.provider, model: query.model, at });
    if (!found) {
      const from = query.provider ? ` from ${query.provider}` : "";
      throw new HttpError(
        404,
        `no price for model ${query.model}${from}; calls to it are stored as unpriced`,
      );
    }
    const nullable = (value: string | undefined) => value ?? null;
    // Each only where the model has that price: one-hour cache writes apart (Anthropic's),
    // audio apart (OpenAI's audio models), a fee per web search.
    const only = <K extends string>(key: K, value: string | undefined) =>
      value === undefined ? {} : ({ [key]: value } as Record<K, string>);
    const apart = (
      prices: Pick<ModelPrice, "cacheWrite1hPerMillion" | "audioInputPerMillion" | "audioOutputPerMillion">,
    ) => ({
      ...only("cacheWrite1hPerMillion", prices.cacheWrite1hPerMillion),
      ...only("audioInputPerMillion", prices.audioInputPerMillion),
      ...only("audioOutputPerMillion", prices.audioOutputPerMillion),
    });
    return {
      provider: found.provider,
      model: found.model,
      inputPerMillion: found.inputPerMillion,
      outputPerMillion: found.outputPerMillion,
      cacheReadPerMillion: nullable(found.cacheReadPerMillion),
      cacheWritePerMillion: nullable(found.cacheWritePerMillion),
      ...apart(found),
      tiers: (found.tiers ?? []).map((t) => ({
        aboveInputTokens: t.aboveInputTokens,
        inputPerMillion: t.inputPerMillion,
        outputPerMillion: t.outputPerMillion,
        cacheReadPerMillion: nullable(t.cacheReadPerMillion),
        cacheWritePerMillion: nullable(t.cacheWritePerMillion),
        ...apart(t),
      })),
      ...only("webSearchPerThousand", found.webSearchPerThousand),
      source: found.source,
      version: found.version,
      at: at.toISOString(),
    };
  },
});
