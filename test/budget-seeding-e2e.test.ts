import {
  ATTR_BURNRATE_SESSION,
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  type Decision,
} from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { hexId, otlpJson } from "./support/otlp-json.js";

const HOUR = 3600_000;
const config = { detection: { budgetPollSeconds: 0.2 } };

/**
 * One call: 10,000 input tokens of gpt-4o-mini = 10000 * $0.15/M = $0.0015, in its own trace,
 * for a user or in a session, started now or at `atMs`; with `alsoSessions`, one call of
 * each of them first, in the same export.
 */
async function spend(
  c: TestCollector,
  who: { user?: string; session?: string },
  atMs?: number,
  alsoSessions: readonly string[] = [],
): Promise<void> {
  const res = await fetch(`${c.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: otlpJson(
      [...alsoSessions.map((session) => ({ session })), who].map((one) => ({
        traceId: hexId(16),
        spanId: hexId(8),
        ...(atMs === undefined ? {} : { startNs: BigInt(atMs) * 1_000_000n }),
        attributes: {
          [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
          [ATTR_GEN_AI_OPERATION_NAME]: "chat",
          [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o-mini",
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 10_000,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
          ...(one.user ? { [ATTR_BURNRATE_USER]: one.user } : {}),
          ...(one.session ? { [ATTR_BURNRATE_SESSION]: one.session } : {}),
        },
      })),
    ),
  });
  expect(res.status).toBe(200);
}

/** A budget as PUT /v1/budgets stores it (and DELETE, with `deleted`), alerting at 50%, 80% and 100%. */
function budget(
  id: string,
  scope: "session" | "user",
  match: string,
  limitUsd: string,
  version = 1,
  deleted = 0,
) {
  return {
    project_id: "default",
    id,
    scope,
    match,
    period: scope === "user" ? "day" : "",
    limit_usd: limitUsd,
    alert_at: [0.5, 0.8, 1],
    updated_at: new Date().toISOString().replace("T", " ").replace("Z", ""),
    version,
    deleted,
  };
}

/** Waits until storage holds `n` calls of the session or user. */
async function stored(c: TestCollector, column: "session_id" | "user_id", value: string, n: number) {
  await eventually(
    () =>
      c.db.query<{ n: string }>({
        query: `SELECT toString(count()) AS n FROM llm_calls FINAL WHERE ${column} = {v:String}`,
        params: { v: value },
      }),
    (rows) => rows[0]?.n === String(n),
  );
}

/** The budget decisions the collector publishes from now on, in order. */
function watch(c: TestCollector): { action: string; scope: Decision["scope"]; evidence: unknown }[] {
  const published: { action: string; scope: Decision["scope"]; evidence: unknown }[] = [];
  c.collector.decisions.onPublish((d) => {
    if (d.detector === "budget") published.push({ action: d.action, scope: d.scope, evidence: d.evidence });
  });
  return published;
}

const sessionEvidence = (threshold: number, spent: string) => ({
  budget_id: "per-session",
  threshold,
  spent_usd: spent,
  limit_usd: "0.005",
  period: "run",
  alert_at: [0.5, 0.8, 1],
});

describe("a session's budget counts the whole session", () => {
  it("after the session idled out: $0.0045 in the morning and $0.0015 seven hours later are past its $0.005", async () => {
    const c = await startTestCollector({ config });
    try {
      await c.db.insert("budgets", [budget("per-session", "session", "", "0.005")]);
      await new Promise((r) => setTimeout(r, 600)); // polled every 0.2 s
      const published = watch(c);
      const morning = Date.now() - 7 * HOUR;
      for (let i = 0; i < 3; i++) await spend(c, { session: "chat-idle" }, morning + i * 60_000);
      await stored(c, "session_id", "chat-idle", 3);
      // Another session's call, now, drops the morning's run: idle past runTtlSeconds (6 h).
      await spend(c, { session: "chat-other" });
      await spend(c, { session: "chat-idle" });
      await eventually(
        async () => published.filter((d) => d.action === "kill"),
        (kills) => kills.length > 0,
      );
      await new Promise((r) => setTimeout(r, 300)); // nothing more comes
      expect(published).toEqual([
        { action: "warn", scope: { session_id: "chat-idle" }, evidence: sessionEvidence(0.5, "0.003") },
        { action: "warn", scope: { session_id: "chat-idle" }, evidence: sessionEvidence(0.8, "0.0045") },
        // The evening's first call, with the morning's $0.0045 read from storage.
        { action: "kill", scope: { session_id: "chat-idle" }, evidence: sessionEvidence(1, "0.006") },
      ]);
    } finally {
      await c.stop();
    }
  });

  it("counts once a call that started before the session's first call but arrived after it (a long stream)", async () => {
    const c = await startTestCollector({ config });
    try {
      await c.db.insert("budgets", [budget("per-session", "session", "", "0.005")]);
      await new Promise((r) => setTimeout(r, 600)); // polled every 0.2 s
      const published = watch(c);
      const now = Date.now();
      // Forty new sessions ask for their seeds first, so chat-race's query runs after the late calls.
      const fillers = Array.from({ length: 40 }, (_, i) => `chat-filler-${i}`);
      await spend(c, { session: "chat-race" }, now, fillers);
      // Two calls that started earlier end and arrive now, while the seed may be in flight.
      await spend(c, { session: "chat-race" }, now - 20_000);
      await spend(c, { session: "chat-race" }, now - 10_000);
      await stored(c, "session_id", "chat-race", 3);
      await new Promise((r) => setTimeout(r, 500)); // the seed lands
      // $0.0045 in all, each call once: no stop at the $0.005 budget.
      expect(published).toEqual([
        { action: "warn", scope: { session_id: "chat-race" }, evidence: sessionEvidence(0.5, "0.003") },
        { action: "warn", scope: { session_id: "chat-race" }, evidence: sessionEvidence(0.8, "0.0045") },
      ]);
    } finally {
      await c.stop();
    }
  });

  it("after a collector restart, without repeating the warnings sent before it", async () => {
    const first = await startTestCollector({ config });
    const before = watch(first);
    await first.db.insert("budgets", [budget("per-session", "session", "chat-restart", "0.005")]);
    await new Promise((r) => setTimeout(r, 600));
    for (let i = 0; i < 3; i++) await spend(first, { session: "chat-restart" });
    await eventually(
      async () => before,
      (p) => p.length === 2,
    );
    await first.stop(); // flushes the writer: storage holds the $0.0045

    const second = await startTestCollector({ dir: first.dir, config });
    try {
      const after = watch(second);
      await spend(second, { session: "chat-restart" });
      await eventually(
        async () => after,
        (p) => p.length > 0,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect({ before: before.map((d) => d.action), after }).toEqual({
        before: ["warn", "warn"],
        after: [
          { action: "kill", scope: { session_id: "chat-restart" }, evidence: sessionEvidence(1, "0.006") },
        ],
      });
    } finally {
      await second.stop();
    }
  });
});

describe("a user's budget deleted and created again", () => {
  it("counts the day's spend while it was gone, and stops the user past it", async () => {
    const c = await startTestCollector({ config });
    try {
      const user = "u-recreated";
      const published = watch(c);
      await c.db.insert("budgets", [budget("daily", "user", user, "0.01")]);
      await new Promise((r) => setTimeout(r, 600));
      await spend(c, { user }); // $0.0015
      await c.db.insert("budgets", [budget("daily", "user", user, "0.01", 2, 1)]);
      await new Promise((r) => setTimeout(r, 600));
      for (let i = 0; i < 6; i++) await spend(c, { user }); // $0.009 more, with no budget watching
      await stored(c, "user_id", user, 7);
      await c.db.insert("budgets", [budget("daily", "user", user, "0.01", 3)]);
      await new Promise((r) => setTimeout(r, 600));
      await spend(c, { user }); // $0.012 today
      await eventually(
        async () => published,
        (p) => p.some((d) => d.action === "kill"),
      );
      const day = new Date().toISOString().slice(0, 10);
      const evidence = (threshold: number) => ({
        budget_id: "daily",
        threshold,
        spent_usd: "0.012",
        limit_usd: "0.01",
        period: "day",
        period_start: day,
        alert_at: [0.5, 0.8, 1],
      });
      expect(published).toEqual([
        { action: "warn", scope: { user }, evidence: evidence(0.5) },
        { action: "warn", scope: { user }, evidence: evidence(0.8) },
        { action: "kill", scope: { user }, evidence: evidence(1) },
      ]);
    } finally {
      await c.stop();
    }
  });
});

describe("a user's stop, when the collector restarted since", () => {
  it("is lifted once the budget is raised: the apps still hold it", async () => {
    const user = "u-restart-stop";
    const first = await startTestCollector({ config });
    const kills: Decision[] = [];
    first.collector.decisions.onPublish((d) => {
      if (d.action === "kill") kills.push(d);
    });
    await first.db.insert("budgets", [budget("daily-stop", "user", user, "0.002")]);
    await new Promise((r) => setTimeout(r, 600));
    await spend(first, { user });
    await spend(first, { user }); // $0.003 of $0.002
    await eventually(
      async () => kills,
      (k) => k.length === 1,
    );
    await first.stop();

    const second = await startTestCollector({ dir: first.dir, config });
    try {
      const releases: Decision[] = [];
      second.collector.decisions.onPublish((d) => {
        if (d.action === "release") releases.push(d);
      });
      await second.db.insert("budgets", [budget("daily-stop", "user", user, "1", 2)]);
      await eventually(
        async () => releases,
        (r) => r.length === 1,
      );
      expect(
        releases.map((d) => ({ releases: d.releases, scope: d.scope, change: d.evidence.change })),
      ).toEqual([{ releases: kills[0]!.decision_id, scope: { user }, change: "raised" }]);
    } finally {
      await second.stop();
    }
  });
});
