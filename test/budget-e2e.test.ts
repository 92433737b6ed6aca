import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@burnrate/core";
import { costByDay } from "@burnrate/storage";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { hexId, otlpJson } from "./support/otlp-json.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

// Budgets run per UTC day and month whatever the host's zone, so this file runs in Tokyo
// (UTC+9), where the local day starts at 15:00 UTC the day before. chDB takes the process's
// TZ once, at its first query (setting TZ later in the same process changes nothing), so it
// is set before any import runs; every test file runs in a fork of its own (vitest.config.ts).
vi.hoisted(() => {
  process.env.TZ = "Asia/Tokyo";
});

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const USER = "u-budget";

let receiver: WebhookReceiver;
let first: TestCollector;

const config = (receiverUrl: string) => ({
  detection: { budgetPollSeconds: 0.2 },
  decisions: { webhooks: [{ url: receiverUrl, secret: SECRET }] },
});

/**
 * One call for the user: 10,000 input tokens of gpt-4o-mini = 10000 * $0.15/M = $0.0015 (or
 * `inputTokens` of them), started now or at `atMs`.
 */
async function spend(
  c: TestCollector,
  user = USER,
  { inputTokens = 10_000, atMs }: { inputTokens?: number; atMs?: number } = {},
): Promise<void> {
  const res = await fetch(`${c.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: otlpJson([
      {
        traceId: hexId(16),
        spanId: hexId(8),
        ...(atMs === undefined ? {} : { startNs: BigInt(atMs) * 1_000_000n }),
        attributes: {
          [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
          [ATTR_GEN_AI_OPERATION_NAME]: "chat",
          [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o-mini",
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: inputTokens,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
          [ATTR_BURNRATE_USER]: user,
        },
      },
    ]),
  });
  expect(res.status).toBe(200);
}

/** The budget decisions the receiver handled, in the order they arrived. */
function alerts() {
  return [...receiver.handled.values()]
    .filter((d) => d.detector === "budget")
    .map((d) => ({ action: d.action, scope: d.scope, threshold: d.evidence.threshold }));
}

/** A $0.01-a-day (or a month) budget for `user`, alerting at 50%, 80% and 100%, as PUT /v1/budgets stores it. */
function dailyBudget(id: string, user: string, period: "day" | "month" = "day") {
  return {
    project_id: "default",
    id,
    scope: "user",
    match: user,
    period,
    limit_usd: "0.01",
    alert_at: [0.5, 0.8, 1],
    updated_at: new Date().toISOString().replace("T", " ").replace("Z", ""),
    version: 1,
    deleted: 0,
  };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  first = await startTestCollector({ config: config(receiver.url) });
  await first.db.insert("budgets", [dailyBudget("daily-user", USER)]);
  await new Promise((r) => setTimeout(r, 500)); // the collector polls budgets every 0.2 s here
});

afterAll(async () => {
  await receiver.close();
});

describe("a user's daily budget", () => {
  it("warns at 50%, keeps its spend across a restart, warns at 80%, kills at 100%, and loads late when storage was down at start", async () => {
    for (let i = 0; i < 4; i++) await spend(first); // $0.0060: past 50%
    await eventually(
      async () => alerts(),
      (a) => a.length === 1,
    );
    expect(alerts()).toEqual([{ action: "warn", scope: { user: USER }, threshold: 0.5 }]);
    await first.stop(); // flushes the writer: the rollup holds the $0.0060

    const second = await startTestCollector({ dir: first.dir, config: config(receiver.url) });
    try {
      await spend(second); // $0.0075: nothing new
      await spend(second); // $0.0090: past 80% only because the $0.0060 before the restart counts
      await eventually(
        async () => alerts(),
        (a) => a.length === 2,
      );
      await spend(second); // $0.0105: past 100%
      await eventually(
        async () => alerts(),
        (a) => a.length === 3,
      );
      expect(alerts()).toEqual([
        { action: "warn", scope: { user: USER }, threshold: 0.5 },
        { action: "warn", scope: { user: USER }, threshold: 0.8 },
        { action: "kill", scope: { user: USER }, threshold: 1 },
      ]);
    } finally {
      await second.stop();
    }

    // A third collector starts while storage cannot be reached: it has no budgets and no spend
    // then, and loads both once storage answers, without a restart.
    writeFileSync(join(first.dir, "storage-outage"), "");
    const third = await startTestCollector({ dir: first.dir, config: config(receiver.url) });
    try {
      expect(third.logs.filter((l) => l.includes("budgets not loaded yet"))).toHaveLength(1);
      rmSync(join(first.dir, "storage-outage"));
      await eventually(
        async () => third.logs.includes("burnrate: budgets loaded"),
        (loaded) => loaded,
      );
      const published: { action: string; scope: unknown }[] = [];
      third.collector.decisions.onPublish((d) => published.push({ action: d.action, scope: d.scope }));
      await spend(third); // the day's spend, seeded late, is past 100%: the stop is repeated
      await eventually(
        async () => published,
        (p) => p.length > 0,
      );
      expect(published).toEqual([{ action: "kill", scope: { user: USER } }]);
    } finally {
      await third.stop();
    }
  });

  it("counts the day's spend from before a budget was created, and holds its stop until the day ends", async () => {
    const late = "u-budget-late";
    const c = await startTestCollector({ config: config(receiver.url) });
    try {
      for (let i = 0; i < 6; i++) await spend(c, late); // $0.0090 before any budget watches the user
      await eventually(
        async () =>
          c.db.query<{ cost: string }>({
            query:
              "SELECT toString(sum(cost_total)) AS cost FROM llm_cost_minutely WHERE user_id = {u:String}",
            params: { u: late },
          }),
        (rows) => Number(rows[0]?.cost) >= 0.009,
      );
      const published: { action: string; scope: unknown; expires_at: string }[] = [];
      c.collector.decisions.onPublish((d) =>
        published.push({ action: d.action, scope: d.scope, expires_at: d.expires_at }),
      );
      await c.db.insert("budgets", [dailyBudget("daily-late", late)]);
      await new Promise((r) => setTimeout(r, 600)); // polled every 0.2 s here
      await spend(c, late); // $0.0105 for the day: past 100% only if the spend before the budget counts
      await eventually(
        async () => published,
        (p) => p.some((d) => d.action === "kill"),
      );
      const day = new Date();
      const nextMidnight = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1));
      expect(published.filter((d) => d.action === "kill")).toEqual([
        { action: "kill", scope: { user: late }, expires_at: nextMidnight.toISOString() },
      ]);
    } finally {
      await c.stop();
    }
  });

  it("counts the UTC day and month, not the host's: spend of yesterday and last month, after 15:00 UTC, is not today's", async () => {
    const c = await startTestCollector({ config: config(receiver.url) });
    try {
      const [zone] = await c.db.query<{ tz: string }>({ query: "SELECT timezone() AS tz", params: {} });
      expect(zone).toEqual({ tz: "Asia/Tokyo" });
      const now = new Date();
      const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
      const thisMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
      // 20:00 UTC is 05:00 the next day in Tokyo: "today" and "this month" there already.
      const [daily, monthly] = ["u-tz-day", "u-tz-month"];
      await spend(c, daily, { inputTokens: 40_000, atMs: today - 4 * 3600_000 }); // $0.006 yesterday
      await spend(c, monthly, { inputTokens: 40_000, atMs: thisMonth - 4 * 3600_000 }); // $0.006 last month
      await eventually(
        async () =>
          c.db.query<{ n: string }>({
            query:
              "SELECT toString(count()) AS n FROM llm_cost_minutely WHERE user_id IN ('u-tz-day', 'u-tz-month')",
            params: {},
          }),
        (rows) => rows[0]?.n === "2",
      );
      const published: { action: string; scope: unknown; spent: unknown; threshold: unknown }[] = [];
      c.collector.decisions.onPublish((d) =>
        published.push({
          action: d.action,
          scope: d.scope,
          spent: d.evidence.spent_usd,
          threshold: d.evidence.threshold,
        }),
      );
      await c.db.insert("budgets", [dailyBudget("tz-day", daily), dailyBudget("tz-month", monthly, "month")]);
      await new Promise((r) => setTimeout(r, 600)); // polled, and seeded, every 0.2 s here
      await spend(c, daily, { inputTokens: 40_000 }); // $0.006 today: 60% of the day, not 120%
      await spend(c, monthly, { inputTokens: 40_000 }); // $0.006 this month: 60%, not 120%
      await eventually(
        async () => published,
        (p) => p.length >= 2,
      );
      await new Promise((r) => setTimeout(r, 300)); // nothing more comes
      expect(published).toEqual([
        { action: "warn", scope: { user: daily }, spent: "0.006", threshold: 0.5 },
        { action: "warn", scope: { user: monthly }, spent: "0.006", threshold: 0.5 },
      ]);
      // The day-by-day cost reads the same UTC day.
      const day = new Date(today).toISOString().slice(0, 10);
      const nextDay = new Date(today + 86_400_000).toISOString().slice(0, 10);
      const rows = await eventually(
        () => costByDay(c.db, "default", "user_id", { from: day, to: nextDay }),
        (r) => r.length === 2,
      );
      expect(rows).toEqual([
        { day, key: daily, calls: 1, unpricedCalls: 0, costUsd: "0.006000000000" },
        { day, key: monthly, calls: 1, unpricedCalls: 0, costUsd: "0.006000000000" },
      ]);
    } finally {
      await c.stop();
    }
  });
});
