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
function priced(model: string, tokens: Tokens) {
  const call: Pick<
    LlmCall,
    "provider" | "requestModel" | "responseModel" | "serviceTier" | "startTimeUnixNano" | "cost" | "tokens"
  > = {
    provider: "anthropic",
    requestModel: model,
    responseModel: "",
    serviceTier: "",
    startTimeUnixNano: BigInt(at.getTime()) * 1_000_000n,
    cost: UNPRICED,
    tokens: { ...tokens, reasoning: 0 },
  };
  return book.price(call).cost;
}

/** A stored claude-sonnet-4-5 call of project `p`, its cost as the price book gives it. */
function row(span: string, tokens: Tokens) {
  const cost = priced("claude-sonnet-4-5", tokens);
  return {
    project_id: "p",
    start_time: "2026-11-02 09:00:00.000000000",
    trace_id: `t-${span}`,
    span_id: span,
    provider: "anthropic",
    operation: "chat",
    request_model: "claude-sonnet-4-5",
    input_tokens: tokens.input,
    output_tokens: tokens.output,
    cache_read_tokens: tokens.cacheRead,
    cache_write_tokens: tokens.cacheWrite,
    cache_write_1h_tokens: tokens.cacheWrite1h ?? 0,
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
