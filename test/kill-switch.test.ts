import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { DEFAULT_PROJECT, type Decision } from "@burnrate/core";
import {
  BudgetExceededError,
  instrument,
  onDecision,
  onKill,
  RunawayLoopError,
  withAttribution,
} from "@burnrate/instrumentation";
import { type MockLlmServer, startMockLlmServer } from "@burnrate/instrumentation/mock-llm";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countRows, eventually, startTestCollector, type TestCollector } from "./support/collector.js";

let collector: TestCollector;
let mock: MockLlmServer;
let client: OpenAI;
/** What the OTLP endpoint variable names; instrument()'s endpoint overrides it, so nothing may come here. */
let elsewhere: Server;
const elsewhereRequests: string[] = [];

beforeAll(async () => {
  // Budgets are read every 0.2 s here, so a budget change applies within the test.
  collector = await startTestCollector({ config: { detection: { budgetPollSeconds: 0.2 } } });
  mock = await startMockLlmServer();
  elsewhere = await listen((req, res) => {
    elsewhereRequests.push(req.url ?? "");
    res.writeHead(404).end();
  });
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = urlOf(elsewhere);
  delete process.env.BURNRATE_DECISIONS_URL;
  // The instrumentation reads its settings when it first runs, i.e. at the first LLM call below.
  process.env.OTEL_SERVICE_NAME = "kill-switch-test";
  instrument({ openai: OpenAI }, { endpoint: collector.url });
  client = new OpenAI({ apiKey: "k", baseURL: mock.openaiBaseUrl, maxRetries: 0 });
  mock.setDefault({ text: "working on it", usage: { input: 100, output: 10 } });
});
afterAll(async () => {
  await mock.close();
  await collector.stop();
  elsewhere.closeAllConnections();
  await new Promise((resolve) => elsewhere.close(resolve));
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function killDecision(id: string, scope: Decision["scope"]): Decision {
  const now = Date.now();
  return {
    decision_id: id,
    project_id: DEFAULT_PROJECT,
    action: "kill",
    scope,
    detector: "D3.ping_pong",
    reason: "agents a and b alternated 6 rounds with the same messages",
    evidence: { rounds: 6, minRounds: 6 },
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + 60_000).toISOString(),
  };
}

const ask = () =>
  client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "next step" }],
  });

describe("the kill switch", () => {
  it("listens for decisions at the collector instrument() was given, where the spans go, from the first call on", async () => {
    const beforeFirstCall = collector.collector.decisions.subscriberCount;
    await withAttribution({ session: "s-endpoint" }, ask);
    const subscribers = await eventually(
      async () => collector.collector.decisions.subscriberCount,
      (n) => n === 1,
    ).catch(() => collector.collector.decisions.subscriberCount);
    await eventually(
      () => countRows(collector.db, "llm_calls"),
      (n) => n >= 1,
    );
    expect({ beforeFirstCall, subscribers, elsewhere: elsewhereRequests }).toEqual({
      beforeFirstCall: 0,
      subscribers: 1,
      elsewhere: [],
    });
  });

  it("subscribes on the first call, then a kill makes the next call in scope throw before it is sent", async () => {
    await withAttribution({ session: "s-kill" }, ask);
    await eventually(
      async () => collector.collector.decisions.subscriberCount,
      (n) => n === 1,
    );
    const killed: Decision[] = [];
    const seen: string[] = [];
    const stopKill = onKill((d) => killed.push(d));
    const stopSeen = onDecision((d) => seen.push(d.action));
    const decision = killDecision("dec_test_1", { session_id: "s-kill" });
    collector.collector.decisions.publish(decision);
    await eventually(
      async () => killed.length,
      (n) => n === 1,
    );
    const before = mock.requestCount("openai.chat");
    const error = await withAttribution({ session: "s-kill" }, ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunawayLoopError);
    expect((error as RunawayLoopError).decision).toEqual(decision);
    expect((error as Error).message).toBe(
      "agents a and b alternated 6 rounds with the same messages; the collector stopped this scope (decision dec_test_1); see GET /v1/incidents/dec_test_1",
    );
    expect(mock.requestCount("openai.chat")).toBe(before);
    // Other sessions carry on.
    await withAttribution({ session: "s-other" }, ask);
    expect(mock.requestCount("openai.chat")).toBe(before + 1);
    expect({ killed, seen }).toEqual({ killed: [decision], seen: ["kill"] });
    stopKill();
    stopSeen();
  });

  it("aborts a stream in progress in the killed scope", async () => {
    mock.enqueue({ text: "a very long answer that streams for a while", chunks: 20, chunkDelayMs: 30 });
    const stream = await withAttribution({ session: "s-stream" }, () =>
      client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "go" }],
        stream: true,
      }),
    );
    let chunks = 0;
    let text = "";
    const stopped = await (async () => {
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta.content ?? "";
        if (chunks === 2)
          collector.collector.decisions.publish(killDecision("dec_test_2", { session_id: "s-stream" }));
      }
    })().then(
      () => "ended as if complete",
      (error: unknown) => error,
    );
    // The app hears why its answer stopped: the SDK alone would end the loop quietly.
    expect(stopped).toBeInstanceOf(RunawayLoopError);
    expect({
      scope: (stopped as RunawayLoopError).scope,
      cutShort: text.length < "a very long answer that streams for a while".length,
      aborted: stream.controller.signal.aborted,
    }).toEqual({ scope: { session_id: "s-stream" }, cutShort: true, aborted: true });
  });

  it("stores every decision as an incident", async () => {
    const rows = await eventually(
      () =>
        collector.db.query<{ id: string; action: string; detector: string; session_id: string }>({
          query: "SELECT id, action, detector, session_id FROM incidents FINAL ORDER BY id",
          params: {},
        }),
      (r) => r.length === 2,
    );
    expect(rows).toEqual([
      { id: "dec_test_1", action: "kill", detector: "D3.ping_pong", session_id: "s-kill" },
      { id: "dec_test_2", action: "kill", detector: "D3.ping_pong", session_id: "s-stream" },
    ]);
  });
});

/** A monthly budget for `user`, as PUT /v1/budgets stores it (version 1) and changes it (later versions). */
function monthlyBudget(user: string, limitUsd: string, version: number, deleted = 0) {
  return {
    project_id: DEFAULT_PROJECT,
    id: `month-${user}`,
    scope: "user",
    match: user,
    period: "month",
    limit_usd: limitUsd,
    alert_at: [0.5, 0.8, 1],
    updated_at: new Date().toISOString().replace("T", " ").replace("Z", ""),
    version,
    deleted,
  };
}

/** Whether a call of `user`'s is sent ("sent"), or the name of the error it throws. */
async function callAs(user: string): Promise<string> {
  const before = mock.requestCount("openai.chat");
  const outcome = await withAttribution({ user }, ask).then(
    () => "sent",
    (error: Error) => error.name,
  );
  return outcome === "sent" && mock.requestCount("openai.chat") !== before + 1 ? "not sent" : outcome;
}

/**
 * A user's monthly budget of $0.00004, which two calls (2 x $0.000021: 100 input and 10
 * output tokens of gpt-4o-mini) pass: the collector stops the user, and the app refuses the
 * third call. Returns the kill, as the app received it.
 */
async function stopUser(user: string): Promise<Decision> {
  await collector.db.insert("budgets", [monthlyBudget(user, "0.00004", 1)]);
  await new Promise((r) => setTimeout(r, 600)); // polled every 0.2 s
  const kills: Decision[] = [];
  const stop = onKill((d) => {
    if (d.scope.user === user) kills.push(d);
  });
  expect([await callAs(user), await callAs(user)]).toEqual(["sent", "sent"]);
  await eventually(
    async () => kills.length,
    (n) => n === 1,
  );
  stop();
  expect(await callAs(user)).toBe(BudgetExceededError.name);
  return kills[0]!;
}

/** The first release of `kill` the app receives. */
async function releaseOf(kill: Decision, change: () => Promise<void>): Promise<Decision> {
  const releases: Decision[] = [];
  const stop = onDecision((d) => {
    if (d.action === "release" && d.releases === kill.decision_id) releases.push(d);
  });
  await change();
  await eventually(
    async () => releases.length,
    (n) => n > 0,
  );
  stop();
  return releases[0]!;
}

/** When the current UTC month ends: a month's budget kill, and its release, last until then. */
function monthEnd(): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
}

/** The first day of the current UTC month, as budget evidence names it. */
function monthStart(): string {
  return `${new Date().toISOString().slice(0, 7)}-01`;
}

describe("a budget's kill lifted by a budget change", () => {
  it("lets a user stopped by a monthly budget call again once the budget is raised above the spend", async () => {
    const user = "u-raised";
    const kill = await stopUser(user);
    expect(kill).toEqual({
      decision_id: expect.stringMatching(/^dec_/),
      project_id: DEFAULT_PROJECT,
      action: "kill",
      scope: { user },
      detector: "budget",
      reason: `user ${user} has spent $0.000042 of its $0.000040 monthly budget since ${monthStart()} (100% alert; stopping user ${user}).`,
      evidence: {
        budget_id: `month-${user}`,
        threshold: 1,
        spent_usd: "0.000042",
        limit_usd: "0.00004",
        period: "month",
        period_start: monthStart(),
        alert_at: [0.5, 0.8, 1],
      },
      created_at: expect.any(String),
      expires_at: monthEnd(),
    });
    const release = await releaseOf(kill, () =>
      collector.db.insert("budgets", [monthlyBudget(user, "1", 2)]),
    );
    const periodStart = monthStart();
    expect(release).toEqual({
      decision_id: expect.stringMatching(/^dec_/),
      project_id: DEFAULT_PROJECT,
      action: "release",
      releases: kill.decision_id,
      scope: { user },
      detector: "budget",
      reason: `The monthly budget month-${user} of user ${user} now stops it at $1.00, above the $0.000042 spent since ${periodStart}; lifting the stop.`,
      evidence: {
        budget_id: `month-${user}`,
        change: "raised",
        spent_usd: "0.000042",
        previous_limit_usd: "0.00004",
        limit_usd: "1",
        alert_at: [0.5, 0.8, 1],
        period: "month",
        period_start: periodStart,
      },
      created_at: expect.any(String),
      expires_at: monthEnd(),
    });
    expect(await callAs(user)).toBe("sent");
    // An app that connects now is not sent the lifted kill.
    const hub = collector.collector.decisions;
    const app = { projectId: DEFAULT_PROJECT, send: () => {}, end: () => {} };
    const replay = hub.subscribe(app).filter((e) => e.decision.scope.user === user);
    hub.unsubscribe(app);
    expect(replay.map((e) => e.decision.action)).toEqual(["warn", "warn"]);
  });

  it("lets a user stopped by a monthly budget call again once the budget is deleted", async () => {
    const user = "u-deleted";
    const kill = await stopUser(user);
    const release = await releaseOf(kill, () =>
      collector.db.insert("budgets", [monthlyBudget(user, "0.00004", 2, 1)]),
    );
    expect({ action: release.action, releases: release.releases, evidence: release.evidence }).toEqual({
      action: "release",
      releases: kill.decision_id,
      evidence: {
        budget_id: `month-${user}`,
        change: "removed",
        spent_usd: "0.000042",
        previous_limit_usd: "0.00004",
        period: "month",
        period_start: monthStart(),
      },
    });
    expect(await callAs(user)).toBe("sent");
  });
});

/** An app that makes one call, waits until its decision stream is open, and has nothing left to do. */
const ONE_CALL_APP = `
import { get } from "node:http";
import OpenAI from "openai";
const client = new OpenAI({ apiKey: "k", baseURL: process.env.MOCK_OPENAI_URL, maxRetries: 0 });
await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
const subscribed = () =>
  new Promise((resolve) =>
    get(process.env.SUBSCRIBED_URL, { agent: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve(text === "yes"));
    }),
  );
while (!(await subscribed())) await new Promise((r) => setTimeout(r, 20));
console.log("done");
`;

describe("the kill switch in an app's lifetime", () => {
  it("lets the app exit when its work is done, while its decision stream is open and silent", async () => {
    let streams = 0;
    // A collector whose stream sends its headers and then nothing, as one behind a dead link does.
    const silent = await listen((req, res) => {
      if (req.url?.startsWith("/v1/decisions/stream")) {
        streams++;
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.flushHeaders();
      } else if (req.url === "/subscribed") res.end(streams > 0 ? "yes" : "no");
      else {
        req.resume();
        req.on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end());
      }
    });
    const child = spawn(
      process.execPath,
      ["--import", "@burnrate/instrumentation/register", "--input-type=module", "-e", ONE_CALL_APP],
      {
        cwd: fileURLToPath(new URL(".", import.meta.url)),
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: urlOf(silent),
          MOCK_OPENAI_URL: mock.openaiBaseUrl,
          SUBSCRIBED_URL: `${urlOf(silent)}/subscribed`,
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    // The decision stream's read-idle timeout is 45 s: an app kept alive by it would still be running.
    const exit = await new Promise<number | string | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("still running after 20 s");
      }, 20_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
    expect({ exit, stdout }).toEqual({ exit: 0, stdout: "done\n" });
  });
});
