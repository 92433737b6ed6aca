import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_PROJECT, type Decision } from "@burnrate/core";
import { afterAll, describe, expect, it } from "vitest";
import { RunawayLoopError } from "../errors.js";
import { KillSwitch } from "./kill-switch.js";

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A decision stream on 127.0.0.1 that sends `body` to every subscriber and keeps the stream open. */
async function streamServer(body: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
