import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as C from "@burnrate/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../test/harness.js";
import { warningsOf } from "../test/warnings.js";
import { withAttribution } from "./attribution.js";
import { budget, configure, setPrices } from "./budget.js";
import { priceBookFromEnv } from "./prices.js";
import { getRuntime } from "./runtime.js";

let h: Harness;
const original = getRuntime().priceBook;
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(() => {
  h.exporter.reset();
});
afterAll(async () => {
  getRuntime().priceBook = original;
  configure({ maxCostPerSession: undefined });
  await h.close();
});

const messages = [{ role: "user" as const, content: "hello" }];
const acme = { match: { exact: "acme-llama-70b" }, inputPerMillion: 0.5, outputPerMillion: 1.5 };
const usage = { input: 1_000_000, output: 100_000 }; // $0.50 + $0.15

describe("the app's prices", () => {
  it("reads the collector's overrides file from BURNRATE_PRICE_OVERRIDES, YAML or JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-prices-"));
    const yaml = join(dir, "prices.yaml");
    writeFileSync(
      yaml,
      'version: "acme-1"\nmodels:\n  - match: { exact: "acme-llama-70b" }\n    inputPerMillion: 0.5\n    outputPerMillion: 1.5\n',
    );
    const json = join(dir, "prices.json");
    writeFileSync(json, JSON.stringify({ models: [acme] }));
    const query = (book: C.PriceBook) =>
      book.totalUsd({
        provider: "openai",
        requestModel: "acme-llama-70b",
        responseModel: "",
        serviceTier: "",
        tokens: usage,
        atMs: Date.now(),
      });
    expect([
      query(priceBookFromEnv({ BURNRATE_PRICE_OVERRIDES: yaml })),
      query(priceBookFromEnv({ BURNRATE_PRICE_OVERRIDES: json })),
      query(priceBookFromEnv({})),
    ]).toEqual([0.65, 0.65, undefined]);
  });

  it("warns about an overrides file it cannot use and keeps genai-prices' prices", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-prices-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      "models:\n  - match: { exact: m }\n    inputPerMillion: -1\n    outputPerMillion: 1\n",
    );
    const missing = join(dir, "missing.yaml");
    let books: C.PriceBook[] = [];
    const warnings = await warningsOf(() => {
      books = [
        priceBookFromEnv({ BURNRATE_PRICE_OVERRIDES: bad }),
        priceBookFromEnv({ BURNRATE_PRICE_OVERRIDES: missing }),
      ];
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^burnrate: BURNRATE_PRICE_OVERRIDES is ignored, so local costs use genai-prices alone: ${bad}: invalid price overrides: models\\[0\\]\\.inputPerMillion: `,
        ),
      ),
      `burnrate: BURNRATE_PRICE_OVERRIDES is ignored, so local costs use genai-prices alone: ENOENT: no such file or directory, open '${missing}'`,
    ]);
    expect(books.map((b) => b.version)).toEqual([original.version, original.version]);
  });

  it("prices a model genai-prices does not know from setPrices(), on the span and in budget()", async () => {
    setPrices({ models: [acme] });
    h.mock.enqueue({ text: "hi", usage, model: "acme-llama-70b" });
    const spent = await withAttribution({ session: "acme-priced" }, async () => {
      await h.openai.chat.completions.create({ model: "acme-llama-70b", messages });
      return budget().spentUsd;
    });
    const [span] = await h.waitForSpans(1);
    expect({
      spent,
      amount: span!.attributes[C.ATTR_GEN_AI_USAGE_COST_AMOUNT],
      source: span!.attributes[C.ATTR_GEN_AI_USAGE_COST_SOURCE],
    }).toEqual({ spent: 0.65, amount: 0.65, source: "local" });
    expect(() => setPrices({ models: [{ ...acme, inputPerMillion: -1 }] })).toThrow(
      /^setPrices\(\): invalid price overrides: models\[0\]\.inputPerMillion: /,
    );
  });

  it("says once per model that a cost limit cannot count calls without a price", async () => {
    getRuntime().priceBook = original;
    configure({ maxCostPerSession: 5 });
    const call = () => {
      h.mock.enqueue({ text: "hi", usage, model: "mystery-model" });
      return withAttribution({ session: "unpriced" }, () =>
        h.openai.chat.completions.create({ model: "mystery-model", messages }),
      );
    };
    const warnings = await warningsOf(async () => {
      await call();
      await call();
    });
    expect(warnings).toEqual([
      'burnrate: model "mystery-model" (openai) has no price, so its calls count $0 towards the local cost limits; price it in the file BURNRATE_PRICE_OVERRIDES names, or with setPrices()',
    ]);
    configure({ maxCostPerSession: undefined });
  });
});
