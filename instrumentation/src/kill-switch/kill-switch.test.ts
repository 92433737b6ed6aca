import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_PROJECT, type Decision } from "@burnrate/core";
import { afterAll, describe, expect, it } from "vitest";
import { RunawayLoopError } from "../errors.js";
import { KillSwitch } from "./kill-switch.js";
import {
  decisionEvent,
  openStream,
  type StreamServer,
  startStreamServer,
  until,
} from "./testdata/stream-server.js";

const servers: Server[] = [];
const streamServers: StreamServer[] = [];
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const server of streamServers) await server.close();
});

/** A decision stream on 127.0.0.1 that sends `body` to every subscriber and keeps the stream open. */
async function streamServer(body: string): Promise<string> {
  return (await stream((res) => openStream(res, body))).url;
}

async function stream(respond: Parameters<typeof startStreamServer>[0]): Promise<StreamServer> {
  const server = await startStreamServer(respond);
  streamServers.push(server);
  return server;
}

/** Gaps between consecutive requests, in ms. */
function gaps(server: StreamServer): number[] {
  return server.requests.slice(1).map((r, i) => r.at - server.requests[i]!.at);
}

/** Whether each gap is at least the shortest wait of an exponential backoff from 250 ms (jitter ±20%). */
function backingOff(server: StreamServer, count: number): boolean[] {
  return gaps(server)
    .slice(0, count)
    .map((gap, i) => gap >= 0.75 * 250 * 2 ** i);
}

const kill: Decision = {
  decision_id: "dec_valid",
  project_id: DEFAULT_PROJECT,
  action: "kill",
  scope: { session_id: "s-1" },
  detector: "D1.identical_call",
  reason: "session s-1 requested the same tool call 5 times in a row, the limit is 5.",
  evidence: { repeats: 5 },
  created_at: new Date().toISOString(),
  expires_at: new Date(Date.now() + 60_000).toISOString(),
};

describe("the kill switch's decision stream", () => {
  it("drops an event that is not JSON or not a decision, and still applies the next good one", async () => {
    const endpoint = await streamServer(
      "event: decision\ndata: {not json\n\n" +
        'event: decision\ndata: {"action":"kill"}\n\n' +
        `id: 7\nevent: decision\ndata: ${JSON.stringify(kill)}\n\n`,
    );
    const killSwitch = new KillSwitch({ endpoint, service: "app", enabled: true });
    killSwitch.ensureStarted();
    const deadline = Date.now() + 5_000;
    while (killSwitch.kills.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(killSwitch.kills).toEqual([kill]);
    expect(() => killSwitch.check({ session_id: "s-1" })).toThrow(RunawayLoopError);
  });

  it("says once, as a process warning, that the collector refused its key, and keeps retrying", async () => {
    let attempts = 0;
    const server = createServer((_req, res) => {
      attempts++;
      res.writeHead(401).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    new KillSwitch({ endpoint, service: "app", apiKey: "wrong", enabled: true }).ensureStarted();
    const deadline = Date.now() + 5_000;
    while (attempts < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    process.off("warning", onWarning);
    expect({ retried: attempts >= 3, warnings }).toEqual({
      retried: true,
      warnings: [
        "burnrate: the collector refused the decision stream (401): set BURNRATE_API_KEY to an ingest key of this project; retrying meanwhile",
      ],
    });
  });

  it("turns itself off with a warning, and throws nothing, when the endpoint is not an http URL", async () => {
    const warned = new Promise<Error & { code?: string }>((resolve) => process.once("warning", resolve));
    const killSwitch = new KillSwitch({ endpoint: "collector:4318", service: "app", enabled: true });
    expect(() => killSwitch.ensureStarted()).not.toThrow();
    const warning = await warned;
    expect({ message: warning.message, code: warning.code }).toEqual({
      message:
        'burnrate: the kill switch is off: cannot open the decision stream (Protocol "collector:" not supported. Expected "http:")',
      code: "BURNRATE_CONFIG",
    });
  });
});

describe("the kill switch's connection", () => {
  it("drops a stream that has gone silent, heartbeats and all, and reconnects where it left off", async () => {
    // A collector host that died, or a network partition, sends no FIN: the socket just goes quiet.
    const server = await stream((res, index) =>
      openStream(res, index === 0 ? `: connected\n\n${decisionEvent("7", kill)}` : ": connected\n\n"),
    );
    const killSwitch = new KillSwitch({
      endpoint: server.url,
      service: "app",
      enabled: true,
      idleTimeoutMs: 1_000,
    });
    killSwitch.ensureStarted();
    await until(() => server.requests.length >= 2);
    expect({
      resumedFrom: server.requests.slice(0, 2).map((r) => r.lastEventId),
      kills: killSwitch.kills,
    }).toEqual({
      resumedFrom: [undefined, "7"],
      kills: [kill],
    });
  });

  it("refuses a 200 that is not an event stream, says so once, and backs off", async () => {
    const server = await stream((res) =>
      res.writeHead(200, { "content-type": "text/html" }).end("<html>default backend</html>"),
    );
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on("warning", onWarning);
    new KillSwitch({ endpoint: server.url, service: "app", enabled: true }).ensureStarted();
    await until(() => server.requests.length >= 4);
    process.off("warning", onWarning);
    expect({ warnings, backingOff: backingOff(server, 3) }).toEqual({
      warnings: [
        `burnrate: the decision stream at ${server.url}/v1/decisions/stream answered 200 with content type "text/html", not "text/event-stream": is that the collector? Set BURNRATE_DECISIONS_URL to its base URL; retrying meanwhile`,
      ],
      backingOff: [true, true, true],
    });
  });

  it("backs off from an event stream that ends as soon as it opens", async () => {
    const server = await stream((res) => {
      openStream(res);
      res.end();
    });
    new KillSwitch({ endpoint: server.url, service: "app", enabled: true }).ensureStarted();
    await until(() => server.requests.length >= 4);
    expect(backingOff(server, 3)).toEqual([true, true, true]);
  });

  it("reconnects at once, without the backoff built up before, after a stream that proved itself", async () => {
    let endedAt = 0;
    const server = await stream((res, index) => {
      if (index < 4) {
        res.writeHead(503).end();
        return;
      }
      openStream(res);
      if (index === 4) {
        setTimeout(() => {
          endedAt = Date.now();
          res.end();
        }, 400);
      }
    });
    new KillSwitch({
      endpoint: server.url,
      service: "app",
      enabled: true,
      stableAfterMs: 200,
    }).ensureStarted();
    await until(() => server.requests.length >= 6, 20_000);
    // Four refusals took the backoff to 4 s (at least 3.2 s with jitter); a reset one is 250 ms.
    const reconnectedAfter = server.requests[5]!.at - endedAt;
    expect({ backingOff: backingOff(server, 4), reconnectedSoon: reconnectedAfter < 2_500 }).toEqual({
      backingOff: [true, true, true, true],
      reconnectedSoon: true,
    });
  });
});

describe("decisions on the stream", () => {
  it("ignores a decision that had expired before it arrived, as a Last-Event-ID replay can bring", async () => {
    const now = Date.now();
    const decision = (
      id: string,
      action: Decision["action"],
      scope: Decision["scope"],
      expiresInMs: number,
    ) => ({
      ...kill,
      decision_id: id,
      action,
      scope,
      created_at: new Date(now - 7_200_000).toISOString(),
      expires_at: new Date(now + expiresInMs).toISOString(),
    });
    const warn = decision("dec_warn", "warn", { trace_id: "t-1" }, 600_000);
    const stale = decision("dec_stale", "kill", { user: "alice" }, -60_000);
    const fresh = decision("dec_fresh", "kill", { session_id: "s-1" }, 3_600_000);
    // The app sees the warning, loses the stream, and resumes after the kill of alice expired.
    const server = await stream((res, index) => {
      if (index === 0) {
        openStream(res, decisionEvent("1", warn));
        res.end();
      } else openStream(res, decisionEvent("2", stale) + decisionEvent("3", fresh));
    });
    const killSwitch = new KillSwitch({ endpoint: server.url, service: "app", enabled: true });
    const alice = new AbortController();
    killSwitch.trackStream(alice, { user: "alice", service: "app" });
    const killed: string[] = [];
    const decided: string[] = [];
    killSwitch.onKill((d) => killed.push(d.decision_id));
    killSwitch.onDecision((d) => decided.push(d.decision_id));
    killSwitch.ensureStarted();
    await until(() => decided.includes("dec_fresh"));
    expect({
      resumedFrom: server.requests[1]?.lastEventId,
      decided,
      killed,
      kills: killSwitch.kills,
      aliceAborted: alice.signal.aborted,
    }).toEqual({
      resumedFrom: "1",
      decided: ["dec_warn", "dec_fresh"],
      killed: ["dec_fresh"],
      kills: [fresh],
      aliceAborted: false,
    });
  });
});

describe("a release on the stream", () => {
  it("lifts the kill it names, so calls in that scope go again; other kills hold, and a stray release changes nothing", async () => {
    const budgetKill = (id: string, scope: Decision["scope"]): Decision => ({
      ...kill,
      decision_id: id,
      scope,
      detector: "budget",
      reason: "user alice has spent $21.00 of its $20.00 monthly budget since 2025-03-01.",
    });
    const monthly = budgetKill("dec_month", { user: "alice" });
    const daily = budgetKill("dec_day", { user: "bob" });
    const release: Decision = {
      ...monthly,
      decision_id: "dec_release",
      action: "release",
      releases: "dec_month",
      reason:
        "The monthly budget u of user alice now stops it at $100.00, above the $21.00 spent; lifting the stop.",
    };
    const stray: Decision = { ...release, decision_id: "dec_stray", releases: "dec_unknown" };
    const server = await streamServer(
      decisionEvent("1", monthly) +
        decisionEvent("2", daily) +
        decisionEvent("3", release) +
        decisionEvent("4", stray),
    );
    const killSwitch = new KillSwitch({ endpoint: server, service: "app", enabled: true });
    const killed: string[] = [];
    const decided: string[] = [];
    killSwitch.onKill((d) => killed.push(d.decision_id));
    killSwitch.onDecision((d) => decided.push(d.decision_id));
    killSwitch.ensureStarted();
    await until(() => decided.includes("dec_stray"));
    const outcome = (scope: { user: string }) => {
      try {
        killSwitch.check(scope);
        return "sent";
      } catch (error) {
        return (error as Error).name;
      }
    };
    expect({
      decided,
      killed,
      kills: killSwitch.kills,
      alice: outcome({ user: "alice" }),
      bob: outcome({ user: "bob" }),
    }).toEqual({
      decided: ["dec_month", "dec_day", "dec_release", "dec_stray"],
      killed: ["dec_month", "dec_day"],
      kills: [daily],
      alice: "sent",
      bob: "BudgetExceededError",
    });
  });
});
