import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPriceBook,
  formatUsd,
  type LlmCall,
  parseUsd,
  type TokenUsage,
  UNPRICED,
} from "@burnrate/core";
import { type ClickHouse, migrate, openEmbedded, sql } from "@burnrate/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repriceSlice } from "./reprice-slice.js";

const book = createPriceBook();
const at = new Date("2026-11-02T09:30:00Z");
let db: ClickHouse;

beforeAll(async () => {
  db = await openEmbedded(join(mkdtempSync(join(tmpdir(), "burnrate-reprice-slice-")), "data"));
  await migrate(db);
});
afterAll(() => db?.close());

type Tokens = Omit<TokenUsage, "reasoning">;

/** What the price book charges a call of `model` with these tokens at `at`. */
function priced(model: string, tokens: Tokens, provider = "anthropic") {
  const call: Pick<
    LlmCall,
    "provider" | "requestModel" | "responseModel" | "serviceTier" | "startTimeUnixNano" | "cost" | "tokens"
  > = {
    provider,
    requestModel: model,
    responseModel: "",
    serviceTier: "",
    startTimeUnixNano: BigInt(at.getTime()) * 1_000_000n,
    cost: UNPRICED,
    tokens: { ...tokens, reasoning: 0 },
  };
  return book.price(call).cost;
}

/** A stored call (by default a claude-sonnet-4-5 call of project `p`), its cost as the price book gives it. */
function row(
  span: string,
  tokens: Tokens,
  as = { project: "p", provider: "anthropic", model: "claude-sonnet-4-5" },
) {
  const cost = priced(as.model, tokens, as.provider);
  return {
    project_id: as.project,
    start_time: "2026-11-02 09:00:00.000000000",
    trace_id: `t-${span}`,
    span_id: span,
    provider: as.provider,
    operation: "chat",
    request_model: as.model,
    input_tokens: tokens.input,
    output_tokens: tokens.output,
    cache_read_tokens: tokens.cacheRead,
    cache_write_tokens: tokens.cacheWrite,
    cache_write_1h_tokens: tokens.cacheWrite1h ?? 0,
    audio_input_tokens: tokens.audioInput ?? 0,
    audio_output_tokens: tokens.audioOutput ?? 0,
    web_searches: tokens.webSearches ?? 0,
    cost_input: cost.input,
    cost_output: cost.output,
    cost_cache_read: cost.cacheRead,
    cost_cache_write: cost.cacheWrite,
    cost_total: cost.total,
    cost_source: cost.source,
    price_version: cost.priceVersion,
    status: "ok",
    duration_ns: 1_000_000,
    version: 1,
  };
}

describe("repriceSlice", () => {
  it("prices one-hour cache writes at their own rate, in every long-context tier, as the price book does", async () => {
    const calls: Tokens[] = [
      // 1000 five-minute writes at $3.75/M and 2000 one-hour ones at $6/M.
      { input: 10_000, output: 1_000, cacheRead: 0, cacheWrite: 3_000, cacheWrite1h: 2_000 },
      { input: 37_000, output: 800, cacheRead: 30_000, cacheWrite: 5_000 },
      // Above 200k prompt tokens: $7.50/M and $12/M.
      { input: 250_000, output: 1_000, cacheRead: 0, cacheWrite: 40_000, cacheWrite1h: 10_001 },
    ];
    await db.insert(
      "llm_calls",
      calls.map((tokens, i) => row(`s${i}`, tokens)),
    );
    const target = { provider: "anthropic", model: "claude-opus-4-1", serviceTier: "" };
    const [sameModel] = await repriceSlice(db, book, at, sql`project_id = 'p'`, [], (group) => ({
      provider: group.provider,
      model: group.model,
      serviceTier: group.serviceTier,
    }));
    const [otherModel] = await repriceSlice(db, book, at, sql`project_id = 'p'`, [], () => target);
    const sum = (model: string) =>
      formatUsd(calls.reduce((n, t) => n + parseUsd(priced(model, t).total), 0n));
    // 0.021 + 0.015 + (1000 * $3.75 + 2000 * $6)/M = 0.05175;
    // 2000 * $3 + 30,000 * $0.30 + 5000 * $3.75 + 800 * $15, per M = 0.04575;
    // 210,000 * $6 + 1000 * $22.50 + 29,999 * $7.50 + 10,001 * $12, per M = 1.6275045.
    expect(sum("claude-sonnet-4-5")).toBe("1.725004500000");
    expect({
      current: formatUsd(sameModel!.currentUsd),
      sameModel: formatUsd(sameModel!.counterfactualUsd!),
      otherModel: formatUsd(otherModel!.counterfactualUsd!),
    }).toEqual({
      current: sum("claude-sonnet-4-5"),
      sameModel: sum("claude-sonnet-4-5"),
      otherModel: sum("claude-opus-4-1"),
    });
  });
});

describe("repriceSlice with audio and web searches", () => {
  it("prices each call's audio where it sat, and each web search, under any target, as the price book does", async () => {
    const calls: Tokens[] = [
      // All audio uncached: 500 text + 1500 audio in, 200 text + 800 audio out.
      { input: 2_000, audioInput: 1_500, output: 1_000, audioOutput: 800, cacheRead: 0, cacheWrite: 0 },
      // More audio than the 800 uncached tokens: the rest fills the 1000 cache reads, the 700
      // five-minute writes and 300 of the 500 one-hour writes.
      {
        input: 3_000,
        audioInput: 2_800,
        output: 100,
        cacheRead: 1_000,
        cacheWrite: 1_200,
        cacheWrite1h: 500,
      },
      { input: 1_000, output: 50, cacheRead: 0, cacheWrite: 0, webSearches: 3 },
      { input: 400, output: 40, cacheRead: 100, cacheWrite: 0 },
    ];
    await db.insert(
      "llm_calls",
      calls.map((tokens, i) =>
        row(`audio-${i}`, tokens, { project: "p-audio", provider: "openai", model: "gpt-audio" }),
      ),
    );
    const sum = (model: string, provider: string) =>
      formatUsd(calls.reduce((n, t) => n + parseUsd(priced(model, t, provider).total), 0n));
    // Prices differ enough between the targets for a misplaced token to show.
    const targets = [
      { provider: "openai", model: "gpt-audio", serviceTier: "" }, // audio prices, no cache prices, no search fee
      { provider: "openai", model: "gpt-realtime", serviceTier: "" }, // audio prices and a cache-read price
      { provider: "anthropic", model: "claude-sonnet-4-5", serviceTier: "" }, // cache prices and a search fee, no audio
    ];
    const answers = [];
    for (const target of targets) {
      const [group] = await repriceSlice(db, book, at, sql`project_id = 'p-audio'`, [], () => target);
      answers.push({ model: target.model, usd: formatUsd(group!.counterfactualUsd!) });
    }
    expect(answers).toEqual(targets.map((t) => ({ model: t.model, usd: sum(t.model, t.provider) })));
    // The stored calls, priced as gpt-audio prices them:
    // 500 * $2.50/M + 1500 * $32/M + 200 * $10/M + 800 * $64/M = 0.10245;
    // (800 + 1000 + 700 + 300) audio * $32/M + 200 one-hour writes * $2.50/M + 100 * $10/M = 0.0911;
    // 1000 * $2.50/M + 50 * $10/M (no search fee) = 0.003;
    // 400 * $2.50/M (no cache-read price) + 40 * $10/M = 0.0014.
    expect(sum("gpt-audio", "openai")).toBe("0.197950000000");
  });
});
