import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DetectionEngine, type DetectorEvent, type Finding, type LlmCall } from "@burnrate/core";
import { type ClickHouse, migrate, openEmbedded, toLlmCallRow, withOutageSwitch } from "@burnrate/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLog } from "../decisions/testdata/fixtures.js";
import { SessionSeeder } from "./session-seeder.js";

const T0 = Date.UTC(2026, 10, 30, 9);
let dir: string;
let db: ClickHouse;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "burnrate-session-seeder-"));
  const real = await openEmbedded(join(dir, "data"));
  await migrate(real);
  db = withOutageSwitch(real, join(dir, "outage"));
});
afterAll(async () => {
  await db.close();
});

/** A $1 call of `session` stored at `ms`, and a copy at a later version (as a reprice writes, before merges run). */
async function store(session: string, ms: number, spanId: string): Promise<void> {
  const call = {
    projectId: "proj",
    traceId: `trace-${spanId}`,
    spanId,
    parentSpanId: "",
    startTimeUnixNano: BigInt(ms) * 1_000_000n,
    durationNs: 1_000_000n,
    sessionId: session,
    service: "svc",
    agent: "",
    feature: "",
    user: "",
    tenant: "",
    provider: "openai",
    operation: "chat",
    requestModel: "gpt-4o",
    responseModel: "gpt-4o",
    serviceTier: "",
    tokens: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    cost: {
      input: "0.5",
      output: "0.5",
      cacheRead: "0",
      cacheWrite: "0",
      total: "1",
      source: "computed",
      priceVersion: "test",
    },
    estimated: false,
    promptFingerprint: "",
    toolCallFingerprints: [],
    status: "ok",
    errorType: "",
  } as unknown as LlmCall;
  await db.insert("llm_calls", [toLlmCallRow(call, 1n)]);
  await db.insert("llm_calls", [toLlmCallRow(call, 2n)]);
}

function event(session: string, ms: number, costUsd = "1"): DetectorEvent {
  return {
    kind: "llm_call",
    projectId: "proj",
    traceId: `t-${session}-${ms}`,
    spanId: `s-${ms}`,
    sessionId: session,
    service: "svc",
    agent: "",
    feature: "",
    user: "",
    tenant: "",
    timeUnixNano: BigInt(ms) * 1_000_000n,
    costUsd,
    tokens: 10,
    promptFingerprint: `p-${ms}`,
    toolCallFingerprints: [],
  };
}

function setup(options: { maxWaiting?: number; seedWindowDays?: number } = {}) {
  const engine = new DetectionEngine({
    thresholds: { runMaxUsd: "0", burnRateMaxUsdPerMinute: "0", stepMaxUsd: "0", projectionMinutes: 0 },
    budgets: [{ id: "per-session", scope: "session", limitUsd: "3" }],
  });
  const log = memoryLog();
  const published: { projectId: string; finding: Finding }[] = [];
  const seeder = new SessionSeeder(
    db,
    engine,
    log,
    (projectId, finding) => published.push({ projectId, finding }),
    {
      concurrency: 1,
      ...options,
    },
  );
  const settled = async () => {
    await new Promise((r) => setImmediate(r));
    while (seeder.pending > 0) await new Promise((r) => setTimeout(r, 10));
  };
  return { engine, log, published, seeder, settled };
}

describe("SessionSeeder", () => {
  it("loads what a session spent before the engine saw it, each call once, and publishes the stop it causes", async () => {
    await store("chat-a", T0 - 60_000, "a1");
    await store("chat-a", T0 - 30_000, "a2");
    await store("chat-a", T0, "a3"); // the call the engine sees: not counted twice
    const { engine, published, settled } = setup();
    expect(engine.observe(event("chat-a", T0))).toEqual([]);
    await settled();
    expect(published.map(({ projectId, finding }) => [projectId, finding.action, finding.reason])).toEqual([
      // $2 before (each call once, its copy not counted) and $1 now; the 50% warning came with the $2.
      ["proj", "warn", "session chat-a has spent $3.00 of its $3.00 budget (80% alert)."],
      ["proj", "kill", "session chat-a has spent $3.00 of its $3.00 budget (100% alert; stopping it)."],
    ]);
  });

  it("leaves out the calls the engine counted live that started earlier (a long stream that ended late)", async () => {
    const { engine, published, settled } = setup();
    await store("chat-x", T0 - 60_000, "x1");
    await store("chat-x", T0 - 50_000, "x2");
    engine.observe(event("chat-x", T0));
    // x1 started before the session's first call but arrives after it: counted live, and stored.
    engine.observe({ ...event("chat-x", T0 - 60_000), traceId: "trace-x1", spanId: "x1" });
    await settled();
    // $2 live and x2's $1 from storage: $3, not $4.
    expect(published.map(({ finding }) => finding.reason)).toEqual([
      "session chat-x has spent $3.00 of its $3.00 budget (80% alert).",
      "session chat-x has spent $3.00 of its $3.00 budget (100% alert; stopping it).",
    ]);
  });

  it("reads back no further than the seed window", async () => {
    const { engine, published, settled } = setup({ seedWindowDays: 30 });
    await store("chat-w", T0 - 40 * 86_400_000, "w1");
    await store("chat-w", T0 - 60_000, "w2");
    engine.observe(event("chat-w", T0));
    await settled();
    // $1 live and w2's $1: the call of 40 days ago is outside the window.
    expect(published.map(({ finding }) => finding.reason)).toEqual([
      "session chat-w has spent $2.00 of its $3.00 budget (50% alert).",
    ]);
  });

  it("drops the oldest waiting request when the queue is full, and a session asked again replaces its own", async () => {
    const { engine, published, log, settled } = setup({ maxWaiting: 2 });
    await store("chat-late", T0 - 60_000, "l1");
    await store("chat-late", T0 - 50_000, "l2");
    // A burst of new sessions, then a returning session: all asked within one batch.
    for (let i = 0; i < 5; i++) engine.observe(event(`chat-new-${i}`, T0));
    engine.observe(event("chat-late", T0));
    await settled();
    expect(published.map(({ finding }) => finding.reason)).toEqual([
      "session chat-late has spent $3.00 of its $3.00 budget (80% alert).",
      "session chat-late has spent $3.00 of its $3.00 budget (100% alert; stopping it).",
    ]);
    expect(log.lines).toEqual([
      "warn: burnrate: a session's earlier spend was not loaded: all 2 places in the queue were taken; its session budget counts it from when the collector saw it",
    ]);
  });

  it("says once that it could not load, while storage is down or the queue is full, and goes on", async () => {
    const { engine, log, published, settled } = setup({ maxWaiting: 1 });
    writeFileSync(join(dir, "outage"), "");
    try {
      for (const session of ["chat-b", "chat-c", "chat-d"]) engine.observe(event(session, T0));
      await settled();
    } finally {
      rmSync(join(dir, "outage"));
    }
    expect({ published, lines: log.lines }).toEqual({
      published: [],
      lines: [
        "warn: burnrate: a session's earlier spend was not loaded: all 1 places in the queue were taken; its session budget counts it from when the collector saw it",
      ],
    });
    await store("chat-e", T0 - 60_000, "e1");
    await store("chat-e", T0 - 50_000, "e2");
    engine.observe(event("chat-e", T0));
    await settled();
    expect(published.map(({ finding }) => finding.reason)).toEqual([
      "session chat-e has spent $3.00 of its $3.00 budget (80% alert).",
      "session chat-e has spent $3.00 of its $3.00 budget (100% alert; stopping it).",
    ]);
  });
});
