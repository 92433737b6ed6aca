import { Registry } from "prom-client";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { decision, memoryLog, SECRET, webhookCounts } from "./testdata/fixtures.js";
import { type Answer, startReceiver } from "./testdata/receiver.js";
import { WebhookDispatcher, type WebhookDispatcherOptions, webhooksConfigSchema } from "./webhooks.js";

const FAST = [0, 20, 40, 80, 160];
const none = { delivered: 0, failed: 0, gave_up: 0, gone: 0 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A receiver answering from `script` (the last answer repeats) and a dispatcher sending to it. */
async function setup(
  script: Answer[],
  endpoint: Record<string, unknown> = {},
  options: Partial<WebhookDispatcherOptions> = {},
) {
  const receiver = await startReceiver((_, n) => script[Math.min(n, script.length - 1)]!);
  cleanups.push(receiver.close);
  const registry = new Registry();
  const log = memoryLog();
  const config = webhooksConfigSchema.parse([
    { url: receiver.url, secret: SECRET, retryDelaysMs: FAST, ...endpoint },
  ]);
  const dispatcher = new WebhookDispatcher(config, { metrics: registry, log, ...options });
  cleanups.push(() => dispatcher.close());
  return { receiver, registry, log, dispatcher };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe("webhook retries", () => {
  it("retries a 503 and a dropped connection, then counts one delivery", async () => {
    const { receiver, registry, log, dispatcher } = await setup([{ status: 503 }, "drop", { status: 200 }]);
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    expect(receiver.received.map((r) => [r.id, r.answer])).toEqual([
      ["dec_1", 503],
      ["dec_1", "drop"],
      ["dec_1", 200],
    ]);
    expect(receiver.handled()).toEqual(["dec_1"]);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, delivered: 1 }, attempts: 3 });
    expect(log.lines).toEqual([]);
  });

  it("re-signs every attempt with a fresh timestamp and the same webhook-id", async () => {
    let clock = Date.now();
    const { receiver, dispatcher } = await setup(
      [{ status: 500 }, { status: 500 }, { status: 204 }],
      {},
      {
        now: () => (clock += 1_000),
      },
    );
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    const stamps = receiver.received.map((r) => Number(r.headers["webhook-timestamp"]));
    expect(gaps(stamps)).toEqual([1, 1]);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-signature"])).size).toBe(3);
    for (const request of receiver.received) {
      expect(request.id).toBe("dec_1");
      expect(new Webhook(SECRET).verify(request.body, request.headers)).toEqual(decision("dec_1"));
    }
  });

  it("retries an attempt that gets no answer within timeoutMs", async () => {
    const { receiver, registry, dispatcher } = await setup([{ status: 200, delayMs: 500 }, { status: 200 }], {
      timeoutMs: 50,
    });
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    expect(receiver.received).toHaveLength(2);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, delivered: 1 }, attempts: 2 });
  });

  it("stops at 410 Gone after one attempt and sends that endpoint nothing more", async () => {
    const { receiver, registry, log, dispatcher } = await setup([{ status: 410 }]);
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);
    dispatcher.publish(decision("dec_2"));
    await dispatcher.drain(5_000);

    expect(receiver.received.map((r) => r.id)).toEqual(["dec_1"]);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, gone: 2 }, attempts: 1 });
    expect(log.lines).toEqual([
      expect.stringMatching(
        /^warn: webhook http:\/\/127\.0\.0\.1:\d+\/hooks\/burnrate: answered 410 Gone to decision dec_1, asking to stop receiving webhooks/,
      ),
    ]);
  });

  it("stops at 400 after one attempt, since it would be refused again", async () => {
    const { receiver, registry, log, dispatcher } = await setup([{ status: 400 }]);
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    expect(receiver.received).toHaveLength(1);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, failed: 1 }, attempts: 1 });
    expect(log.lines).toEqual([
      expect.stringMatching(/^warn: webhook .*: decision dec_1 refused with HTTP 400; not retrying/),
    ]);
  });

  it("does not follow a redirect with the signed body", async () => {
    const { receiver, registry, dispatcher } = await setup([
      { status: 307, headers: { location: "http://127.0.0.1:9/elsewhere" } },
    ]);
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    expect(receiver.received).toHaveLength(1);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, failed: 1 }, attempts: 1 });
  });

  it("waits as long as a 429's Retry-After asks", async () => {
    const { receiver, registry, dispatcher } = await setup([
      { status: 429, headers: { "retry-after": "1" } },
      { status: 200 },
    ]);
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    const [gap] = gaps(receiver.received.map((r) => r.at));
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(gap).toBeLessThan(1_500);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, delivered: 1 }, attempts: 2 });
  });

  it("keeps to the schedule when Retry-After asks for more than a minute", async () => {
    const { receiver, dispatcher } = await setup([
      { status: 503, headers: { "retry-after": "3600" } },
      { status: 200 },
    ]);
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    const [gap] = gaps(receiver.received.map((r) => r.at));
    expect(gap).toBeLessThan(500);
    expect(receiver.handled()).toEqual(["dec_1"]);
  });

  it("gives up after one attempt per scheduled delay, spaced by the schedule", async () => {
    const { receiver, registry, log, dispatcher } = await setup([{ status: 500 }]);
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    expect(receiver.received).toHaveLength(FAST.length);
    const spacing = gaps(receiver.received.map((r) => r.at));
    // Each wait is its scheduled delay less at most 20% jitter (and a millisecond of clock rounding).
    for (const [i, gap] of spacing.entries()) {
      expect(gap, `wait before attempt ${i + 2}`).toBeGreaterThanOrEqual(FAST[i + 1]! * 0.8 - 1);
    }
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, gave_up: 1 }, attempts: 5 });
    expect(log.lines).toEqual([
      expect.stringMatching(
        /^warn: webhook .*: gave up on decision dec_1 after 5 attempts in [\d.]+ s \(last: HTTP 500\)/,
      ),
    ]);
  });

  it("gives up early when the next attempt would start after giveUpAfterMs", async () => {
    const { receiver, registry, log, dispatcher } = await setup([{ status: 503 }], {
      retryDelaysMs: [0, 100, 100, 100, 100],
      giveUpAfterMs: 150,
    });
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    expect(receiver.received).toHaveLength(2);
    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, gave_up: 1 }, attempts: 2 });
    expect(log.lines).toEqual([
      expect.stringMatching(/gave up on decision dec_1 after 2 attempts .*\(last: HTTP 503\)/),
    ]);
  });

  it("retries a refused connection as a network error", async () => {
    const { receiver, registry, log, dispatcher } = await setup([{ status: 200 }], {
      retryDelaysMs: [0, 10],
    });
    await receiver.close();
    dispatcher.publish(decision("dec_1"));
    await dispatcher.drain(5_000);

    expect(await webhookCounts(registry)).toEqual({ deliveries: { ...none, gave_up: 1 }, attempts: 2 });
    expect(log.lines).toEqual([expect.stringContaining("(last: network error ECONNREFUSED)")]);
  });
});
