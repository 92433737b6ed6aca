import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CallCost, GENAI_PRICES_PRICE_VERSION, type LlmCall, UNPRICED } from "@burnrate/core";
import {
  build,
  type ClickHouse,
  insertNewLlmCalls,
  loadMigrations,
  migrate,
  openEmbedded,
  sql,
  toLlmCallRow,
} from "@burnrate/storage";
import { beforeAll, describe, expect, it } from "vitest";
import { spawnBurnrate } from "./support/burnrate-process.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
// Two days ago (UTC), so the seeded calls are inside every TTL whenever the test runs.
const DAY_START = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const AT = DAY_START + 10 * 60 * MINUTE; // 10:00 that day
const FROM = new Date(DAY_START).toISOString().slice(0, 10);
const TO = new Date(DAY_START + DAY).toISOString().slice(0, 10);
const RANGE = `from ${FROM}T00:00:00Z to ${TO}T00:00:00Z`;

const root = mkdtempSync(join(tmpdir(), "burnrate-reprice-cli-"));
const dataDir = join(root, "data");
const overridesFile = join(root, "prices.yaml");
const env = { BURNRATE_DATA_DIR: dataDir, BURNRATE_PRICE_OVERRIDES: overridesFile };

function oldCost(total: string, source: CallCost["source"] = "computed"): CallCost {
  const priceVersion = source === "provider" ? "provider" : "old";
  return { input: total, output: "0", cacheRead: "0", cacheWrite: "0", total, source, priceVersion };
}

function call(spanId: string, atMs: number, model: string, provider: string, cost: CallCost): LlmCall {
  return {
    projectId: "default",
    traceId: `trace-${spanId}`,
    spanId,
    parentSpanId: "",
    startTimeUnixNano: BigInt(atMs) * 1_000_000n,
    durationNs: 500_000_000n,
    sessionId: "",
    service: "support-bot",
    agent: "",
    feature: "summary",
    user: "",
    tenant: "",
    provider,
    operation: "chat",
    requestModel: model,
    responseModel: "",
    serviceTier: "",
    tokens: { input: 1000, output: 200, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    cost,
    estimated: false,
    promptFingerprint: "",
    toolCallFingerprints: [],
    status: "ok",
    errorType: "",
  };
}

const SEEDED = [
  call("a-wrong", AT, "gpt-4o", "openai", oldCost("0.6")), // an outdated price
  call("b-provider", AT + 20_000, "gpt-4o", "openai", oldCost("0.0123", "provider")), // kept
  call("c-override", AT + MINUTE, "acme-llama-70b", "self-hosted", UNPRICED), // priced by the overrides file
  call("c-unknown", AT + MINUTE, "mystery-model", "self-hosted", UNPRICED), // stays unpriced
  call("d-outside", DAY_START - MINUTE, "gpt-4o", "openai", oldCost("0.7")), // before --from
];

async function withStore<T>(use: (db: ClickHouse) => Promise<T>): Promise<T> {
  const db = await openEmbedded(dataDir);
  try {
    return await use(db);
  } finally {
    await db.close();
  }
}

/** Every call's cost columns and whether it was rewritten, plus the rollup next to the calls. */
function snapshot() {
  return withStore(async (db) => ({
    calls: await db.query(
      build(sql`SELECT span_id, toString(cost_input) AS input, toString(cost_output) AS output,
        toString(cost_total) AS total, toString(cost_source) AS source, price_version, toBool(version > 1) AS rewritten
      FROM llm_calls FINAL ORDER BY span_id`),
    ),
    rollup: await db.query(
      build(sql`SELECT toString(minute) AS minute, toString(sum(cost_total)) AS cost, sum(calls) AS calls
      FROM llm_cost_minutely GROUP BY minute ORDER BY minute`),
    ),
    fromCalls: await db.query(
      build(sql`SELECT toString(toStartOfMinute(start_time)) AS minute,
        toString(sum(cost_total)) AS cost, count() AS calls
      FROM llm_calls FINAL GROUP BY minute ORDER BY minute`),
    ),
  }));
}

async function reprice(...args: string[]) {
  const p = spawnBurnrate(["reprice", ...args], env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

beforeAll(async () => {
  // acme-llama-70b is self-hosted: no price book knows it until this file prices it.
  writeFileSync(
    overridesFile,
    'version: "acme-2026-11"\nmodels:\n  - match: { exact: "acme-llama-70b" }\n    inputPerMillion: 0.5\n    outputPerMillion: 1.5\n',
  );
  await withStore(async (db) => {
    await migrate(db);
    await insertNewLlmCalls(
      db,
      SEEDED.map((c) => toLlmCallRow(c, 1n)),
    );
  });
});

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const minuteText = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

describe("burnrate reprice", () => {
  it.each([
    [
      ["--from", "garbage", "--to", TO],
      `--from must be an ISO date or date-time in UTC, e.g. 2026-11-01 or 2026-11-01T09:30:00Z; got "garbage"`,
    ],
    [["--from", FROM], "--to is required, e.g. --to 2026-11-01"],
    [["--from", TO, "--to", FROM], `--to (${FROM}T00:00:00Z) must be after --from (${TO}T00:00:00Z)`],
  ])("rejects %j with a one-line error naming the option", async (args, message) => {
    expect(await reprice(...args)).toEqual({ code: 2, stdout: "", stderr: `burnrate reprice: ${message}\n` });
  });

  it.each([
    [7, "the one-hour cache-write column"],
    [8, "the audio and web-search columns"],
  ])("asks for `burnrate migrate` on a store before migration %i (%s)", async (version) => {
    const oldDir = join(root, `before-000${version}`);
    const db = await openEmbedded(oldDir);
    try {
      await migrate(
        db,
        loadMigrations().filter((m) => m.version < version),
      );
    } finally {
      await db.close();
    }
    const p = spawnBurnrate(["reprice", "--from", FROM, "--to", TO], { ...env, BURNRATE_DATA_DIR: oldDir });
    expect({ code: await p.exited, stdout: p.stdout(), stderr: p.stderr() }).toEqual({
      code: 1,
      stdout: "",
      stderr: `burnrate: embedded chDB, data directory ${oldDir} needs newer migrations for reprice; run \`burnrate migrate\` first\n`,
    });
  });

  it("refuses in one line while another process holds the data directory", async () => {
    const result = await withStore(() => reprice("--from", FROM, "--to", TO));
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: `burnrate: the data directory ${dataDir} is in use by process ${process.pid} (probably \`burnrate start\`); embedded chDB opens it in one process at a time, so stop that process and run burnrate reprice again\n`,
    });
  });

  it("with --dry-run reports what would change and writes nothing", async () => {
    const before = await snapshot();
    const result = await reprice("--from", FROM, "--to", TO, "--dry-run");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `repriced 4 calls ${RANGE}: 2 changed, cost before $0.6123, after $0.0176 (unpriced before 2, after 1); dry run, nothing written\n`,
    );
    expect(await snapshot()).toEqual(before);
  });

  it("rewrites changed costs, keeps the rollup exact, and changes nothing the second time", async () => {
    const first = await reprice("--from", FROM, "--to", TO);
    expect(first.code).toBe(0);
    // before: 0.6 + 0.0123 + 0 + 0; after: 0.0045 + 0.0123 + 0.0008 + 0
    expect(first.stdout).toBe(
      `repriced 4 calls ${RANGE}: 2 changed, cost before $0.6123, after $0.0176 (unpriced before 2, after 1)\n`,
    );
    expect(first.stderr).toMatch(
      new RegExp(
        `^reprice: embedded chDB, data directory ${literal(dataDir)}; ` +
          `prices ${literal(GENAI_PRICES_PRICE_VERSION)} and overrides from ${literal(overridesFile)}\n` +
          "reprice: 4/4 calls \\(100%\\), 2 changed, \\d+\\.\\d s\n" +
          "reprice: rebuilding the rollup: 1/1 hour windows \\(100%\\), \\d+\\.\\d s\n$",
      ),
    );
    const after = await snapshot();
    expect(after.calls).toEqual([
      // 1000 input tokens * $2.50/M = $0.0025; 200 output tokens * $10.00/M = $0.002
      {
        span_id: "a-wrong",
        input: "0.0025",
        output: "0.002",
        total: "0.0045",
        source: "computed",
        price_version: GENAI_PRICES_PRICE_VERSION,
        rewritten: true,
      },
      {
        span_id: "b-provider",
        input: "0.0123",
        output: "0",
        total: "0.0123",
        source: "provider",
        price_version: "provider",
        rewritten: false,
      },
      // 1000 input tokens * $0.50/M = $0.0005; 200 output tokens * $1.50/M = $0.0003
      {
        span_id: "c-override",
        input: "0.0005",
        output: "0.0003",
        total: "0.0008",
        source: "computed",
        price_version: "override:acme-2026-11",
        rewritten: true,
      },
      {
        span_id: "c-unknown",
        input: "0",
        output: "0",
        total: "0",
        source: "unpriced",
        price_version: "",
        rewritten: false,
      },
      {
        span_id: "d-outside",
        input: "0.7",
        output: "0",
        total: "0.7",
        source: "computed",
        price_version: "old",
        rewritten: false,
      },
    ]);
    expect(after.rollup).toEqual(after.fromCalls);
    expect(after.rollup).toEqual([
      { minute: minuteText(DAY_START - MINUTE), cost: "0.7", calls: 1 },
      { minute: minuteText(AT), cost: "0.0168", calls: 2 }, // 0.0045 + 0.0123, each once
      { minute: minuteText(AT + MINUTE), cost: "0.0008", calls: 2 }, // 0.0008 + unpriced 0
    ]);

    const second = await reprice("--from", FROM, "--to", TO);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(
      `repriced 4 calls ${RANGE}: 0 changed, cost before $0.0176, after $0.0176 (unpriced before 1, after 1)\n`,
    );
    expect(await snapshot()).toEqual(after);
  });
});
