import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import { DEFAULT_PROJECT, type Decision } from "@burnrate/core";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthenticator } from "../receiver/auth.js";
import { DecisionHub } from "./hub.js";
import { createDecisionStream, MAX_UNREAD_BYTES } from "./stream.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function streamServer(hub: DecisionHub): Promise<number> {
  const stream = createDecisionStream(
    { heartbeatSeconds: 60 },
    { hub, authenticate: createAuthenticator([]) },
  );
  server = createServer(stream);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** A subscriber that sends its request and then never reads: its socket is paused from the start. */
async function stalledSubscriber(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.pause();
  socket.write("GET /v1/decisions/stream HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n");
  return socket;
}

const decision = (n: number): Decision => ({
  decision_id: `dec_${n}`,
  project_id: DEFAULT_PROJECT,
  action: "warn",
  scope: { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" },
  detector: "D5.step_cost",
  reason: `step ${n} cost more than $2. ${"x".repeat(400)}`,
  evidence: { step: n },
  created_at: new Date().toISOString(),
  expires_at: new Date(Date.now() + 60_000).toISOString(),
});

const until = async (done: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

describe("the decision stream", () => {
  it("cuts a subscriber that stops reading, so the collector does not hold its backlog", async () => {
    const hub = new DecisionHub(100);
    const port = await streamServer(hub);
    const socket = await stalledSubscriber(port);
    await until(() => hub.subscriberCount === 1);
    let sent = 0;
    // Far more than the kernel's socket buffers and the unread limit together (about 60 MB).
    while (hub.subscriberCount === 1 && sent < 100_000) {
      hub.publish(decision(sent++));
      if (sent % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    const connections = await new Promise<number>((resolve) => server!.getConnections((_, n) => resolve(n)));
    // Each event is about 600 bytes: the cut came within the limit plus what the kernel buffers.
    expect({
      subscribers: hub.subscriberCount,
      connections,
      cutWithin: sent * 600 < MAX_UNREAD_BYTES + (16 << 20),
    }).toEqual({
      subscribers: 0,
      connections: 0,
      cutWithin: true,
    });
    socket.destroy();
  });

  it("sends a connecting app every decision in force, even more than the unread limit of them", async () => {
    const hub = new DecisionHub();
    const inForce = Math.ceil((2 * MAX_UNREAD_BYTES) / 600);
    for (let n = 0; n < inForce; n++) hub.publish({ ...decision(n), action: "kill" });
    const port = await streamServer(hub);
    const res = await fetch(`http://127.0.0.1:${port}/v1/decisions/stream`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes(": connected\n\n")) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    await reader.cancel();
    const ids = [...text.matchAll(/^data: .*"decision_id":"(dec_\d+)"/gm)].map((m) => m[1]);
    expect({
      received: ids.length,
      first: ids[0],
      last: ids.at(-1),
      connected: text.endsWith(": connected\n\n"),
    }).toEqual({
      received: inForce,
      first: "dec_0",
      last: `dec_${inForce - 1}`,
      connected: true,
    });
  });

  it("ends every open stream on endStreams(), so the server can close", async () => {
    const hub = new DecisionHub();
    const port = await streamServer(hub);
    const res = await fetch(`http://127.0.0.1:${port}/v1/decisions/stream`);
    const reader = res.body!.getReader();
    await until(() => hub.subscriberCount === 1);
    hub.endStreams();
    let text = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += new TextDecoder().decode(chunk.value);
    }
    const closed = new Promise((resolve) => server!.close(resolve));
    server = undefined;
    expect({ text, subscribers: hub.subscriberCount, closed: await closed }).toEqual({
      text: ": connected\n\n",
      subscribers: 0,
      closed: undefined,
    });
  });
});
