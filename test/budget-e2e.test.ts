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
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { hexId, otlpJson } from "./support/otlp-json.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const USER = "u-budget";

let receiver: WebhookReceiver;
let first: TestCollector;

const config = (receiverUrl: string) => ({
  detection: { budgetPollSeconds: 0.2 },
  decisions: { webhooks: [{ url: receiverUrl, secret: SECRET }] },
});

/** One call for the user: 10,000 input tokens of gpt-4o-mini = 10000 * $0.15/M = $0.0015. */
async function spend(c: TestCollector, user = USER): Promise<void> {
  const res = await fetch(`${c.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: otlpJson([
      {
        traceId: hexId(16),
        spanId: hexId(8),
        attributes: {
          [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
          [ATTR_GEN_AI_OPERATION_NAME]: "chat",
          [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o-mini",
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 10_000,
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

/** A $0.01-a-day budget for `user`, alerting at 50%, 80% and 100%, as PUT /v1/budgets stores it. */
function dailyBudget(id: string, user: string) {
  return {
    project_id: "default",
    id,
    scope: "user",
    match: user,
    period: "day",
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
});
