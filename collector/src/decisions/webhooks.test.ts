import { Registry } from "prom-client";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../metrics.js";
import { decision, memoryLog, SECRET, webhookCounts } from "./testdata/fixtures.js";
import { startReceiver } from "./testdata/receiver.js";
import { WebhookDispatcher, webhooksConfigSchema } from "./webhooks.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A receiver and a dispatcher sending to it, both closed after the test. */
async function setup(endpoint: Record<string, unknown> = {}, answer?: Parameters<typeof startReceiver>[0]) {
  const receiver = await startReceiver(answer);
  cleanups.push(receiver.close);
  const registry = new Registry();
  const log = memoryLog();
  const config = webhooksConfigSchema.parse([{ url: receiver.url, secret: SECRET, ...endpoint }]);
  const dispatcher = new WebhookDispatcher(config, { metrics: registry, log });
  cleanups.push(() => dispatcher.close());
  return { receiver, registry, log, dispatcher };
}

const none = { delivered: 0, failed: 0, gave_up: 0, gone: 0 };

describe("WebhookDispatcher", () => {
  it("delivers the decision signed so that Webhook.verify returns it exactly", async () => {
    const { receiver, registry, log, dispatcher } = await setup();
    const sent = decision("dec_1");
    dispatcher.publish(sent);
    await dispatcher.drain(5_000);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(new Webhook(SECRET).verify(request!.body, request!.headers)).toEqual(sent);
    expect(() =>
      new Webhook("whsec_YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4").verify(request!.body, request!.headers),
    ).toThrow(WebhookVerificationError);
    const ours = ["content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"];
    expect(Object.fromEntries(ours.map((name) => [name, request!.headers[name]]))).toEqual({
      "content-type": "application/json",
      "user-agent": "burnrate-collector",
      "webhook-id": "dec_1",
      "webhook-timestamp": expect.stringMatching(/^\d+$/),
      "webhook-signature": expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/),
    });
    expect(Math.abs(Number(request!.headers["webhook-timestamp"]) - Date.now() / 1_000)).toBeLessThan(5);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, delivered: 1 }, attempts: 1 });
    expect(log.lines).toEqual([]);
  });

  it("delivers a decision id at most once, however often it is published", async () => {
    const { receiver, registry, dispatcher } = await setup();
    dispatcher.publish(decision("dec_1"));
    dispatcher.publish(decision("dec_1"));
    dispatcher.publish(decision("dec_2"));
    await dispatcher.drain(5_000);
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    expect(receiver.received.map((r) => r.id).sort()).toEqual(["dec_1", "dec_2"]);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, delivered: 2 }, attempts: 2 });
  });

  it("sends an endpoint only the actions it subscribed to", async () => {
    const killOnly = await startReceiver();
    const everything = await startReceiver();
    cleanups.push(killOnly.close, everything.close);
    const config = webhooksConfigSchema.parse([
      { url: killOnly.url, secret: SECRET, actions: ["kill"] },
      { url: everything.url, secret: SECRET },
    ]);
    const dispatcher = new WebhookDispatcher(config, { log: memoryLog() });
    cleanups.push(() => dispatcher.close());
    dispatcher.publish(decision("dec_warn", "warn"));
    dispatcher.publish(decision("dec_block", "block_tool"));
    dispatcher.publish(decision("dec_kill", "kill"));
    dispatcher.publish(decision("dec_release", "release"));
    await dispatcher.drain(5_000);

    // A kill's release goes wherever kills go: the receiver must hear when to let go.
    expect(killOnly.received.map((r) => r.id).sort()).toEqual(["dec_kill", "dec_release"]);
    expect(everything.received.map((r) => r.id).sort()).toEqual([
      "dec_block",
      "dec_kill",
      "dec_release",
      "dec_warn",
    ]);
  });

  it("keeps at most maxConcurrency requests in flight per endpoint (4 by default)", async () => {
    const { receiver, registry, dispatcher } = await setup({}, () => ({ status: 200, delayMs: 80 }));
    const ids = Array.from({ length: 10 }, (_, i) => `dec_${i}`);
    for (const id of ids) dispatcher.publish(decision(id));
    await dispatcher.drain(5_000);

    expect(receiver.maxOpen).toBe(4);
    expect(receiver.handled().sort()).toEqual([...ids].sort());
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, delivered: 10 }, attempts: 10 });
  });

  it("honours a smaller maxConcurrency", async () => {
    const { receiver, dispatcher } = await setup({ maxConcurrency: 2 }, () => ({ status: 200, delayMs: 50 }));
    for (let i = 0; i < 6; i++) dispatcher.publish(decision(`dec_${i}`));
    await dispatcher.drain(5_000);

    expect(receiver.maxOpen).toBe(2);
    expect(receiver.handled()).toHaveLength(6);
  });

  it("publish returns at once and never throws", async () => {
    const { receiver, log, dispatcher } = await setup({}, () => ({ status: 200, delayMs: 200 }));
    const started = performance.now();
    dispatcher.publish(decision("dec_1"));
    // BigInt cannot be serialised to JSON: the decision is logged, not thrown.
    dispatcher.publish({ ...decision("dec_2"), evidence: { tokens: 10n } });
    expect(performance.now() - started).toBeLessThan(50);
    expect(dispatcher.pending).toBe(1);
    await dispatcher.drain(5_000);
    await dispatcher.close();
    dispatcher.publish(decision("dec_3"));

    expect(receiver.received.map((r) => r.id)).toEqual(["dec_1"]);
    expect(log.lines).toEqual([
      expect.stringMatching(/^error: webhooks: could not queue decision dec_2: TypeError/),
      "warn: webhooks: decision dec_3 published after close; not sent",
    ]);
  });

  it("drain stops waiting at its timeout, and close aborts what is left", async () => {
    const { receiver, registry, log, dispatcher } = await setup({}, () => ({ status: 200, delayMs: 2_000 }));
    dispatcher.publish(decision("dec_1"));
    const started = performance.now();
    await dispatcher.drain(100);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(dispatcher.pending).toBe(1);
    await dispatcher.close();

    expect(dispatcher.pending).toBe(0);
    expect(receiver.received.map((r) => r.id)).toEqual(["dec_1"]);
    expect(await webhookCounts(registry)).toEqual({ deliveries: none, attempts: 1 });
    expect(log.lines).toEqual([
      "warn: webhooks: 1 deliveries still pending after 100 ms of draining, and dropped at close: kill dec_1",
    ]);
  });

  it("sends a release only once its kill's delivery has ended, so a receiver is never left killed", async () => {
    // The first request fails and is retried about a second later; the release comes at once.
    const { receiver, dispatcher } = await setup({ retryDelaysMs: [0, 300] }, (_request, n) => ({
      status: n === 0 ? 500 : 204,
    }));
    dispatcher.publish(decision("dec_kill"));
    dispatcher.publish({ ...decision("dec_release", "release" as never), releases: "dec_kill" });
    await dispatcher.drain(5_000);
    expect(receiver.received.map((r) => `${r.answer} ${r.id}`)).toEqual([
      "500 dec_kill",
      "204 dec_kill",
      "204 dec_release",
    ]);
  });

  it("keeps room for kills behind a backlog of warnings, and names any kill it must drop", async () => {
    // A receiver that never answers in time: every delivery stays queued.
    const { log, dispatcher } = await setup({ maxQueued: 2, timeoutMs: 5_000 }, () => ({
      status: 204,
      delayMs: 4_000,
    }));
    for (const id of ["w1", "w2", "w3"]) dispatcher.publish(decision(id, "warn"));
    for (const id of ["k1", "k2", "k3"]) dispatcher.publish(decision(id, "kill"));
    expect({ pending: dispatcher.pending, log: log.lines }).toEqual({
      pending: 4,
      log: [
        expect.stringMatching(
          /: 2 deliveries already waiting \(maxQueued\); dropping warning w3 and any more until the backlog clears$/,
        ),
        expect.stringMatching(/: 4 deliveries already waiting; dropping kill decision k3$/),
      ],
    });
  });

  it("close cancels retry timers without waiting for them", async () => {
    const { receiver, dispatcher } = await setup({ retryDelaysMs: [0, 5_000] }, () => ({ status: 503 }));
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(200);
    const started = performance.now();
    await dispatcher.close();

    expect(performance.now() - started).toBeLessThan(500);
    expect(receiver.received).toHaveLength(1);
  });

  it("registers its counters on the collector's metrics object, once per registry", async () => {
    const metrics = createMetrics();
    const first = new WebhookDispatcher([], { metrics, log: memoryLog() });
    const second = new WebhookDispatcher([], { metrics, log: memoryLog() });
    await Promise.all([first.close(), second.close()]);

    const text = await metrics.registry.metrics();
    expect(text).toContain('burnrate_webhook_deliveries_total{result="gave_up"} 0');
    expect(text).toContain("burnrate_webhook_attempts_total 0");
  });
});
