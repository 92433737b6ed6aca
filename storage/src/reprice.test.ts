import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CallCost,
  createPriceBook,
  GENAI_PRICES_PRICE_VERSION,
  type LlmCall,
  UNPRICED,
} from "@burnrate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCall } from "../test/seam-contract.js";
import type { ClickHouse } from "./client.js";
import { openEmbedded } from "./embedded.js";
import { insertNewLlmCalls, toLlmCallRow } from "./llm-calls.js";
import { migrate } from "./migrate.js";
import { reprice } from "./reprice.js";
import { ROLLUP_COLUMNS, rebuildRollupMinutes } from "./rollup-rebuild.js";
import { build, param, sql } from "./sql.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// 10:00 UTC two days ago: inside the 400-day TTL whenever the test runs, and priced by the
// bundled genai-prices data's current prices (below, looked up with createPriceBook().lookup).
const BASE = Math.floor(Date.now() / DAY) * DAY - 2 * DAY + 10 * HOUR;
const FROM = new Date(BASE);
const TO = new Date(BASE + 2 * HOUR);
const book = createPriceBook();

/** A cost as it was stored by an older price book: wrong amounts and a stale version. */
function oldCost(total: string): CallCost {
  return {
    input: total,
    output: "0",
    cacheRead: "0",
    cacheWrite: "0",
    total,
    source: "computed",
    priceVersion: "old",
  };
}

function call(spanId: string, atMs: number, overrides: Partial<LlmCall>): LlmCall {
  return sampleCall({
    projectId: "acme",
    traceId: `trace-${spanId}`,
    spanId,
    // Nanoseconds past the millisecond, to check the start time survives the round trip exactly.
    startTimeUnixNano: BigInt(atMs) * 1_000_000n + 123_456n,
    tokens: { input: 1000, output: 200, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    ...overrides,
  });
}

const gpt4o = { provider: "openai", requestModel: "gpt-4o", responseModel: "gpt-4o-2024-08-06" };
const seeded: LlmCall[] = [
  // (a) stored with an outdated price version and a wrong total.
  call("a-wrong", BASE + 1 * MINUTE, { ...gpt4o, cost: oldCost("0.6") }),
  // (a) again, with cached tokens, in the next hour so the rollup is rebuilt in two windows.
  call("a-cached", BASE + HOUR + 5 * MINUTE, {
    ...gpt4o,
    tokens: { input: 2000, output: 100, cacheRead: 1000, cacheWrite: 0, reasoning: 0 },
    cost: oldCost("0.01"),
  }),
  // (b) a provider-reported cost, in the same minute as a-wrong.
  call("b-provider", BASE + 1 * MINUTE + 30_000, {
    ...gpt4o,
    cost: { ...oldCost("0.0123"), source: "provider", priceVersion: "provider" },
  }),
  // (c) a model no price book knows.
  call("c-unknown", BASE + 2 * MINUTE, {
    provider: "self-hosted",
    requestModel: "acme-llama-70b",
    responseModel: "",
    cost: UNPRICED,
  }),
  // (d) outside the range: one minute before FROM.
  call("d-outside", BASE - MINUTE, { ...gpt4o, cost: oldCost("0.7") }),
  // (e) another model, repriced only when no --model is given.
  call("e-mini", BASE + 3 * MINUTE, {
    provider: "openai",
    requestModel: "gpt-4o-mini",
    responseModel: "",
    tokens: { input: 10_000, output: 1000, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    cost: oldCost("0.5"),
  }),
  // (f) already priced by this price book: read, but not rewritten.
  call("f-current", BASE + 1 * MINUTE, {
    ...gpt4o,
    cost: {
      input: "0.0025", // 1000 input tokens * $2.50/M
      output: "0.002", // 200 output tokens * $10.00/M
      cacheRead: "0",
      cacheWrite: "0",
      total: "0.0045",
      source: "computed",
      priceVersion: GENAI_PRICES_PRICE_VERSION,
    },
  }),
];

let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(mkdtempSync(join(tmpdir(), "burnrate-reprice-")));
  await migrate(db);
  await insertNewLlmCalls(
    db,
    seeded.map((c) => toLlmCallRow(c, 1n)),
  );
});
afterAll(async () => {
  await db.close();
});

/** The stored cost of each seeded call, by span id, with its version and exact start time. */
async function storedCalls(project = "acme") {
  return db.query(
    build(sql`SELECT span_id, toString(toUnixTimestamp64Nano(start_time)) AS start_ns,
        toString(cost_input) AS input, toString(cost_output) AS output, toString(cost_cache_read) AS cacheRead,
        toString(cost_cache_write) AS cacheWrite, toString(cost_total) AS total, toString(cost_source) AS source,
        price_version AS priceVersion, toBool(version > 1) AS rewritten
      FROM llm_calls FINAL WHERE project_id = ${param("String", project)} ORDER BY span_id`),
  );
}

/** Cost and calls per (project, minute), from the rollup and from the calls themselves. */
async function rollupAndCalls() {
  const rollup = await db.query(
    build(sql`SELECT project_id, toString(minute) AS minute, toString(sum(cost_total)) AS cost, sum(calls) AS calls
      FROM llm_cost_minutely GROUP BY project_id, minute ORDER BY project_id, minute`),
  );
  const calls = await db.query(
    build(sql`SELECT project_id, toString(toStartOfMinute(start_time)) AS minute,
        toString(sum(cost_total)) AS cost, count() AS calls
      FROM llm_calls FINAL GROUP BY project_id, minute ORDER BY project_id, minute`),
  );
  return { rollup, calls };
}

function minuteText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function stored(spanId: string, atMs: number, cost: CallCost, rewritten: boolean) {
  const { input, output, cacheRead, cacheWrite, total, source, priceVersion } = cost;
  const start_ns = `${BigInt(atMs) * 1_000_000n + 123_456n}`;
  return {
    span_id: spanId,
    start_ns,
    input,
    output,
    cacheRead,
    cacheWrite,
    total,
    source,
    priceVersion,
    rewritten,
  };
}

const computed = (parts: Omit<CallCost, "source" | "priceVersion">): CallCost => ({
  ...parts,
  source: "computed",
  priceVersion: GENAI_PRICES_PRICE_VERSION,
});
// What the calls hold once repriced. Prices are genai-prices' per-million prices at BASE:
// gpt-4o $2.50 input, $1.25 cache read, $10.00 output; gpt-4o-mini $0.15 input, $0.60 output.
const A_WRONG = computed({
  input: "0.0025", // 1000 input tokens * $2.50/M
  output: "0.002", // 200 output tokens * $10.00/M
  cacheRead: "0",
  cacheWrite: "0",
  total: "0.0045", // 0.0025 + 0.002
});
const A_CACHED = computed({
  input: "0.0025", // (2000 - 1000 cached) input tokens * $2.50/M
  output: "0.001", // 100 output tokens * $10.00/M
  cacheRead: "0.00125", // 1000 cache-read tokens * $1.25/M
  cacheWrite: "0",
  total: "0.00475", // 0.0025 + 0.001 + 0.00125
});
const E_MINI = computed({
  input: "0.0015", // 10,000 input tokens * $0.15/M
  output: "0.0006", // 1000 output tokens * $0.60/M
  cacheRead: "0",
  cacheWrite: "0",
  total: "0.0021", // 0.0015 + 0.0006
});
const B_PROVIDER = { ...oldCost("0.0123"), source: "provider" as const, priceVersion: "provider" };
const F_CURRENT = { ...A_WRONG };

describe("reprice", () => {
  it("on a dry run reports what would change and writes nothing", async () => {
    const before = { calls: await storedCalls(), rollup: await rollupAndCalls() };
    const report = await reprice(db, book, {
      from: FROM,
      to: TO,
      model: "gpt-4o",
      project: "acme",
      dryRun: true,
    });
    expect(report).toEqual({
      calls: 4, // a-wrong, a-cached, b-provider, f-current
      changed: 2, // a-wrong, a-cached
      costBefore: "0.626800000000", // 0.6 + 0.01 + 0.0123 + 0.0045
      costAfter: "0.026050000000", // 0.0045 + 0.00475 + 0.0123 + 0.0045
      unpricedBefore: 0,
      unpricedAfter: 0,
      rollupMinutes: 0,
      rollupRepaired: 0,
    });
    expect({ calls: await storedCalls(), rollup: await rollupAndCalls() }).toEqual(before);
  });

  it("rewrites only the changed calls of one model, in pages, and keeps the rollup exact", async () => {
    const progress: string[] = [];
    const report = await reprice(db, book, {
      from: FROM,
      to: TO,
      model: "gpt-4o",
      project: "acme",
      pageSize: 2,
      onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total} changed ${p.changed}`),
    });
    expect(report).toEqual({
      calls: 4,
      changed: 2,
      costBefore: "0.626800000000",
      costAfter: "0.026050000000",
      unpricedBefore: 0,
      unpricedAfter: 0,
      rollupMinutes: 2, // a-wrong's minute and a-cached's minute
      rollupRepaired: 0,
    });
    // Pages of 2 over 4 calls, then an empty page; then one rollup window per hour.
    expect(progress).toEqual([
      "calls 2/4 changed 2", // trace-a-cached, trace-a-wrong: keys are read in order
      "calls 4/4 changed 2",
      "calls 4/4 changed 2",
      "rollup 1/2 changed 2",
      "rollup 2/2 changed 2",
    ]);
    expect(await storedCalls()).toEqual([
      stored("a-cached", BASE + HOUR + 5 * MINUTE, A_CACHED, true),
      stored("a-wrong", BASE + MINUTE, A_WRONG, true),
      stored("b-provider", BASE + MINUTE + 30_000, B_PROVIDER, false),
      stored("c-unknown", BASE + 2 * MINUTE, UNPRICED, false),
      stored("d-outside", BASE - MINUTE, oldCost("0.7"), false),
      stored("e-mini", BASE + 3 * MINUTE, oldCost("0.5"), false),
      stored("f-current", BASE + MINUTE, F_CURRENT, false),
    ]);
    const { rollup, calls } = await rollupAndCalls();
    expect(rollup).toEqual(calls);
    expect(rollup).toEqual([
      { project_id: "acme", minute: minuteText(BASE - MINUTE), cost: "0.7", calls: 1 },
      // a-wrong 0.0045 + b-provider 0.0123 + f-current 0.0045, each counted once
      { project_id: "acme", minute: minuteText(BASE + MINUTE), cost: "0.0213", calls: 3 },
      { project_id: "acme", minute: minuteText(BASE + 2 * MINUTE), cost: "0", calls: 1 },
      { project_id: "acme", minute: minuteText(BASE + 3 * MINUTE), cost: "0.5", calls: 1 },
      { project_id: "acme", minute: minuteText(BASE + HOUR + 5 * MINUTE), cost: "0.00475", calls: 1 },
    ]);
  });

  it("changes nothing when run again", async () => {
    const before = { calls: await storedCalls(), rollup: await rollupAndCalls() };
    const report = await reprice(db, book, { from: FROM, to: TO, model: "gpt-4o" });
    expect(report).toEqual({
      calls: 4,
      changed: 0,
      costBefore: "0.026050000000",
      costAfter: "0.026050000000",
      unpricedBefore: 0,
      unpricedAfter: 0,
      rollupMinutes: 0,
      rollupRepaired: 0,
    });
    expect({ calls: await storedCalls(), rollup: await rollupAndCalls() }).toEqual(before);
  });

  it("without --model reprices every model, keeps unknown ones unpriced and leaves the range's outside alone", async () => {
    const report = await reprice(db, book, { from: FROM, to: TO });
    expect(report).toEqual({
      calls: 6, // all but d-outside
      changed: 1, // e-mini
      costBefore: "0.526050000000", // 0.026050 + c-unknown 0 + e-mini 0.5
      costAfter: "0.028150000000", // 0.026050 + 0 + e-mini 0.0021
      unpricedBefore: 1, // c-unknown
      unpricedAfter: 1,
      rollupMinutes: 1,
      rollupRepaired: 0,
    });
    expect(
      (await storedCalls()).filter((c) => ["c-unknown", "d-outside", "e-mini"].includes(c.span_id as string)),
    ).toEqual([
      stored("c-unknown", BASE + 2 * MINUTE, UNPRICED, false),
      stored("d-outside", BASE - MINUTE, oldCost("0.7"), false),
      stored("e-mini", BASE + 3 * MINUTE, E_MINI, true),
    ]);
    const { rollup, calls } = await rollupAndCalls();
    expect(rollup).toEqual(calls);
    expect(rollup[3]).toEqual({
      project_id: "acme",
      minute: minuteText(BASE + 3 * MINUTE),
      cost: "0.0021",
      calls: 1,
    });
  });

  it("refuses a range whose end is not after its start", async () => {
    await expect(reprice(db, book, { from: TO, to: TO })).rejects.toThrow(
      new RangeError("`to` must be after `from`"),
    );
  });
});

describe("a reprice that fails half-way", () => {
  // Two days before the reprice tests' range, in a project of its own.
  const at = BASE - 2 * DAY;
  const halfway = [0, 1, 2, 3].map((i) =>
    call(`h${i}`, at + i * MINUTE, { ...gpt4o, projectId: "halfway", cost: oldCost("0.6") }),
  );
  const range = { from: new Date(at), to: new Date(at + HOUR), project: "halfway" };
  /** Cost per minute of the project, from the rollup or from the calls themselves. */
  const perMinute = async (from: "llm_cost_minutely" | "llm_calls FINAL") =>
    db.query(
      from === "llm_cost_minutely"
        ? build(sql`SELECT toString(minute) AS minute, toString(sum(cost_total)) AS cost FROM llm_cost_minutely
            WHERE project_id = 'halfway' GROUP BY minute ORDER BY minute`)
        : build(sql`SELECT toString(toStartOfMinute(start_time)) AS minute, toString(sum(cost_total)) AS cost
            FROM llm_calls FINAL WHERE project_id = 'halfway' GROUP BY minute ORDER BY minute`),
    );
  const pending = async () =>
    (
      await db.query<{ minute: string }>(
        build(
          sql`SELECT toString(minute) AS minute FROM rollup_repairs FINAL WHERE project_id = 'halfway' ORDER BY minute`,
        ),
      )
    ).map((r) => r.minute);

  it("leaves its minutes in rollup_repairs, and the next reprice rebuilds them before anything else", async () => {
    await insertNewLlmCalls(
      db,
      halfway.map((c) => toLlmCallRow(c, 1n)),
    );
    // The second page's write fails, as a dropped connection or a Ctrl-C would stop it.
    let writes = 0;
    const failing: ClickHouse = {
      mode: db.mode,
      location: db.location,
      query: (q) => db.query(q),
      insert: async (table, rows) => {
        if (table === "llm_calls" && ++writes === 2) throw new Error("connection lost");
        return db.insert(table, rows);
      },
      insertJsonEachRow: (table, payload) => db.insertJsonEachRow(table, payload),
      command: (q) => db.command(q),
      ping: () => db.ping(),
      close: async () => {},
    };
    await expect(reprice(failing, book, { ...range, pageSize: 1 })).rejects.toThrow("connection lost");
    // The first page's call is counted twice in the rollup; both pages' minutes wait for repair.
    expect({ rollup: await perMinute("llm_cost_minutely"), pending: await pending() }).toEqual({
      rollup: [
        { minute: minuteText(at), cost: "0.6045" }, // the old 0.6 and the rewritten 0.0045, both counted
        { minute: minuteText(at + MINUTE), cost: "0.6" },
        { minute: minuteText(at + 2 * MINUTE), cost: "0.6" },
        { minute: minuteText(at + 3 * MINUTE), cost: "0.6" },
      ],
      pending: [minuteText(at), minuteText(at + MINUTE)],
    });

    // Any reprice repairs first: this one's own range has nothing to change.
    const report = await reprice(db, book, { ...range, model: "no-such-model" });
    expect({ repaired: report.rollupRepaired, pending: await pending() }).toEqual({
      repaired: 2,
      pending: [],
    });
    expect(await perMinute("llm_cost_minutely")).toEqual(await perMinute("llm_calls FINAL"));

    // And a full run finishes the job.
    const finished = await reprice(db, book, range);
    expect({ changed: finished.changed, repaired: finished.rollupRepaired }).toEqual({
      changed: 3,
      repaired: 0,
    });
    expect(await perMinute("llm_cost_minutely")).toEqual(
      [0, 1, 2, 3].map((i) => ({ minute: minuteText(at + i * MINUTE), cost: "0.0045" })),
    );
  });
});

describe("a call with one-hour cache writes", () => {
  // Three days before the reprice tests' range, in a project of its own.
  const at = BASE - 3 * DAY;
  const range = { from: new Date(at), to: new Date(at + HOUR), project: "one-hour" };
  // Anthropic's claude-sonnet-4-5: $3/M input, $15/M output, $3.75/M for five-minute cache
  // writes (1.25x input) and $6/M for one-hour ones (2x input).
  const sonnet = call("sonnet-1h", at, {
    projectId: "one-hour",
    provider: "anthropic",
    requestModel: "claude-sonnet-4-5",
    responseModel: "",
    tokens: { input: 10_000, output: 1000, cacheRead: 0, cacheWrite: 3000, cacheWrite1h: 2000, reasoning: 0 },
    // As priced before one-hour writes had their own rate: all 3000 writes at $3.75/M.
    cost: computed({
      input: "0.021",
      output: "0.015",
      cacheRead: "0",
      cacheWrite: "0.01125", // 3000 * $3.75/M
      total: "0.04725",
    }),
  });
  const SPLIT = computed({
    input: "0.021", // (10,000 - 3000 written) uncached input tokens * $3/M
    output: "0.015", // 1000 output tokens * $15/M
    cacheRead: "0",
    cacheWrite: "0.01575", // 1000 five-minute writes * $3.75/M + 2000 one-hour writes * $6/M = 0.00375 + 0.012
    total: "0.05175", // 0.021 + 0.015 + 0.01575
  });
  const tokens = () =>
    db.query(
      build(sql`SELECT span_id, cache_write_tokens AS cacheWrite, cache_write_1h_tokens AS cacheWrite1h
        FROM llm_calls FINAL WHERE project_id = 'one-hour' ORDER BY span_id`),
    );

  it("is stored with its one-hour part, and repriced with it, which survives the rewrite", async () => {
    await insertNewLlmCalls(db, [toLlmCallRow(sonnet, 1n)]);
    expect(await tokens()).toEqual([{ span_id: "sonnet-1h", cacheWrite: 3000, cacheWrite1h: 2000 }]);
    // The price book agrees with the amounts worked out above.
    expect(book.price({ ...sonnet, cost: UNPRICED }).cost).toEqual({
      input: "0.021000000000",
      output: "0.015000000000",
      cacheRead: "0.000000000000",
      cacheWrite: "0.015750000000",
      total: "0.051750000000",
      source: "computed",
      priceVersion: GENAI_PRICES_PRICE_VERSION,
    });

    expect(await reprice(db, book, range)).toEqual({
      calls: 1,
      changed: 1,
      costBefore: "0.047250000000",
      costAfter: "0.051750000000",
      unpricedBefore: 0,
      unpricedAfter: 0,
      rollupMinutes: 1,
      rollupRepaired: 0,
    });
    expect(await storedCalls("one-hour")).toEqual([stored("sonnet-1h", at, SPLIT, true)]);
    expect(await tokens()).toEqual([{ span_id: "sonnet-1h", cacheWrite: 3000, cacheWrite1h: 2000 }]);

    // Read back with its split, the rewritten call is priced the same again: nothing changes.
    const again = await reprice(db, book, range);
    expect({ changed: again.changed, costAfter: again.costAfter }).toEqual({
      changed: 0,
      costAfter: "0.051750000000",
    });
    expect(await rollupRows("one-hour")).toEqual([
      expect.objectContaining({
        calls: 1,
        cacheWrite: 3000,
        costCacheWrite: "0.01575",
        costTotal: "0.05175",
      }),
    ]);
  });
});

describe("calls with audio tokens and web searches", () => {
  // Four days before the reprice tests' range, in a project of its own.
  const at = BASE - 4 * DAY;
  const range = { from: new Date(at), to: new Date(at + HOUR), project: "audio-search" };
  // OpenAI's gpt-audio: $2.50/M text input, $10/M text output, $32/M audio input, $64/M audio output.
  const audio = call("gpt-audio", at, {
    projectId: "audio-search",
    provider: "openai",
    requestModel: "gpt-audio",
    responseModel: "",
    tokens: {
      input: 2000,
      audioInput: 1500,
      output: 1000,
      audioOutput: 800,
      cacheRead: 0,
      cacheWrite: 0,
      reasoning: 0,
    },
    // As priced before audio had its own rates: every token as text.
    cost: computed({
      input: "0.005", // 2000 * $2.50/M
      output: "0.01", // 1000 * $10/M
      cacheRead: "0",
      cacheWrite: "0",
      total: "0.015",
    }),
  });
  // Anthropic's claude-sonnet-4-5: $3/M input, $15/M output, $10 per thousand web searches.
  const search = call("sonnet-search", at + MINUTE, {
    projectId: "audio-search",
    provider: "anthropic",
    requestModel: "claude-sonnet-4-5",
    responseModel: "",
    tokens: { input: 2000, output: 300, cacheRead: 0, cacheWrite: 0, reasoning: 0, webSearches: 5 },
    // As priced before web searches had a fee: tokens only.
    cost: computed({
      input: "0.006", // 2000 * $3/M
      output: "0.0045", // 300 * $15/M
      cacheRead: "0",
      cacheWrite: "0",
      total: "0.0105",
    }),
  });
  const AUDIO = computed({
    input: "0.04925", // 500 text * $2.50/M + 1500 audio * $32/M = 0.00125 + 0.048
    output: "0.0532", // 200 text * $10/M + 800 audio * $64/M = 0.002 + 0.0512
    cacheRead: "0",
    cacheWrite: "0",
    total: "0.10245", // 0.04925 + 0.0532
  });
  const SEARCH = computed({
    input: "0.056", // 2000 * $3/M + 5 searches * $10/1000 = 0.006 + 0.05
    output: "0.0045", // 300 * $15/M
    cacheRead: "0",
    cacheWrite: "0",
    total: "0.0605", // 0.056 + 0.0045
  });
  const counts = () =>
    db.query(
      build(sql`SELECT span_id, input_tokens AS input, audio_input_tokens AS audioInput, output_tokens AS output,
          audio_output_tokens AS audioOutput, web_searches AS webSearches
        FROM llm_calls FINAL WHERE project_id = 'audio-search' ORDER BY span_id`),
    );
  const COUNTS = [
    { span_id: "gpt-audio", input: 2000, audioInput: 1500, output: 1000, audioOutput: 800, webSearches: 0 },
    { span_id: "sonnet-search", input: 2000, audioInput: 0, output: 300, audioOutput: 0, webSearches: 5 },
  ];

  it("are stored with their counts, and repriced with them, which survive the rewrite", async () => {
    await insertNewLlmCalls(db, [toLlmCallRow(audio, 1n), toLlmCallRow(search, 1n)]);
    expect(await counts()).toEqual(COUNTS);
    // The price book agrees with the amounts worked out above.
    expect([audio, search].map((c) => book.price({ ...c, cost: UNPRICED }).cost)).toEqual([
      {
        input: "0.049250000000",
        output: "0.053200000000",
        cacheRead: "0.000000000000",
        cacheWrite: "0.000000000000",
        total: "0.102450000000",
        source: "computed",
        priceVersion: GENAI_PRICES_PRICE_VERSION,
      },
      {
        input: "0.056000000000",
        output: "0.004500000000",
        cacheRead: "0.000000000000",
        cacheWrite: "0.000000000000",
        total: "0.060500000000",
        source: "computed",
        priceVersion: GENAI_PRICES_PRICE_VERSION,
      },
    ]);

    expect(await reprice(db, book, range)).toEqual({
      calls: 2,
      changed: 2,
      costBefore: "0.025500000000",
      costAfter: "0.162950000000",
      unpricedBefore: 0,
      unpricedAfter: 0,
      rollupMinutes: 2,
      rollupRepaired: 0,
    });
    expect(await storedCalls("audio-search")).toEqual([
      stored("gpt-audio", at, AUDIO, true),
      stored("sonnet-search", at + MINUTE, SEARCH, true),
    ]);
    expect(await counts()).toEqual(COUNTS);

    // Read back with their counts, the rewritten calls are priced the same again: nothing changes.
    const again = await reprice(db, book, range);
    expect({ changed: again.changed, costAfter: again.costAfter }).toEqual({
      changed: 0,
      costAfter: "0.162950000000",
    });
    // The rollup's minutes are rebuilt at the new costs; it keeps no audio or search counts of its own.
    const rollupRow = (minute: number, model: string, provider: string, tokens: object, costs: object) => ({
      project_id: "audio-search",
      minute: minuteText(minute),
      service: "support-bot",
      feature: "ticket-summary",
      user_id: "u-42",
      tenant: "acme",
      agent: "triage",
      provider,
      model,
      operation: "chat",
      calls: 1,
      unpriced: 0,
      errors: 0,
      estimated: 0,
      cacheRead: 0,
      cacheWrite: 0,
      reasoning: 0,
      costCacheRead: "0",
      costCacheWrite: "0",
      ...tokens,
      ...costs,
    });
    expect(await rollupRows("audio-search")).toEqual([
      rollupRow(
        at,
        "gpt-audio",
        "openai",
        { input: 2000, output: 1000 },
        { costInput: "0.04925", costOutput: "0.0532", costTotal: "0.10245" },
      ),
      rollupRow(
        at + MINUTE,
        "claude-sonnet-4-5",
        "anthropic",
        { input: 2000, output: 300 },
        { costInput: "0.056", costOutput: "0.0045", costTotal: "0.0605" },
      ),
    ]);
  });
});

/** Every rollup row of a project, summed per key (SummingMergeTree may not have merged yet). */
async function rollupRows(project: string) {
  return db.query(
    build(sql`SELECT project_id, toString(minute) AS minute, service, feature, user_id, tenant, agent, provider,
        model, operation, sum(calls) AS calls, sum(unpriced_calls) AS unpriced, sum(error_calls) AS errors,
        sum(estimated_calls) AS estimated, sum(input_tokens) AS input, sum(output_tokens) AS output,
        sum(cache_read_tokens) AS cacheRead, sum(cache_write_tokens) AS cacheWrite,
        sum(reasoning_tokens) AS reasoning, toString(sum(cost_input)) AS costInput,
        toString(sum(cost_output)) AS costOutput, toString(sum(cost_cache_read)) AS costCacheRead,
        toString(sum(cost_cache_write)) AS costCacheWrite, toString(sum(cost_total)) AS costTotal
      FROM llm_cost_minutely WHERE project_id = ${param("String", project)}
      GROUP BY ALL ORDER BY ALL`),
  );
}

describe("rebuildRollupMinutes", () => {
  // A day before the reprice tests' range, so those tests never see these calls.
  const at = BASE - DAY;
  const guard = (spanId: string, ms: number, overrides: Partial<LlmCall>) =>
    call(spanId, ms, { projectId: "mv-guard", ...overrides });
  // Between them these exercise every expression of the view: both model names, errors,
  // estimates, unpriced calls, every token kind and every cost part, and summing within a key.
  const calls = [
    guard("g1", at, { tokens: { input: 500, output: 80, cacheRead: 100, cacheWrite: 50, reasoning: 30 } }),
    guard("g2", at + 10_000, { status: "error", errorType: "RateLimitError", estimated: true }),
    guard("g3", at + 20_000, { responseModel: "", requestModel: "gpt-4o-mini", feature: "search" }),
    guard("g4", at + 30_000, {
      cost: UNPRICED,
      provider: "self-hosted",
      requestModel: "x",
      responseModel: "",
    }),
    guard("g5", at + MINUTE, { user: "u-7", tenant: "globex", agent: "planner", operation: "embeddings" }),
  ];
  const minutes = [new Date(at), new Date(at + MINUTE)];

  it("names every column of llm_cost_minutely, in order", async () => {
    const columns = await db.query<{ name: string }>(
      build(sql`SELECT name FROM system.columns
        WHERE database = currentDatabase() AND table = ${param("String", "llm_cost_minutely")} ORDER BY position`),
    );
    expect(columns.map((c) => c.name)).toEqual(ROLLUP_COLUMNS.map(([name]) => name));
  });

  it("rebuilds exactly what the materialized view produced, replacing double-counted rows", async () => {
    await insertNewLlmCalls(
      db,
      calls.map((c) => toLlmCallRow(c, 1n)),
    );
    const fromView = await rollupRows("mv-guard");
    expect(fromView).toHaveLength(4); // g1+g2 share every key; g3 and g4 differ in model, g5 in minute
    // What a reprice does: the same calls written again with a higher version. The view sums
    // them a second time, although llm_calls FINAL still holds each call once.
    await db.insert(
      "llm_calls",
      calls.map((c) => toLlmCallRow(c, 2n)),
    );
    const doubled = await rollupRows("mv-guard");
    expect(doubled.map((r) => `${r.minute} ${r.feature} ${r.model} ${r.calls}`)).toEqual([
      `${minuteText(at)} search gpt-4o-mini 2`, // g3, twice
      `${minuteText(at)} ticket-summary gpt-4o-2024-08-06 4`, // g1 and g2, twice
      `${minuteText(at)} ticket-summary x 2`, // g4, twice
      `${minuteText(at + MINUTE)} ticket-summary gpt-4o-2024-08-06 2`, // g5, twice
    ]);

    await rebuildRollupMinutes(db, "mv-guard", minutes);
    expect(await rollupRows("mv-guard")).toEqual(fromView);
  });
});
