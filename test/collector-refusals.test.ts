import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  type Decision,
} from "@burnrate/core";
import { type ClickHouse, openEmbedded } from "@burnrate/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { hexId, otlpJson } from "./support/otlp-json.js";

// One chDB per process: every collector in this file shares it.
let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(join(mkdtempSync(join(tmpdir(), "burnrate-refusals-")), "data"));
});
afterAll(async () => {
  await db.close();
});

// gpt-4o: 240,000 input tokens at $2.50/M = $0.60 a call; a run may spend $1.
const detectors = { thresholds: { runMaxUsd: "1", projectionMinutes: 0 } };
const call = (traceId: string) =>
  otlpJson([
    {
      traceId,
      spanId: hexId(8),
      attributes: {
        [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
        [ATTR_GEN_AI_OPERATION_NAME]: "chat",
        [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 240_000,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
      },
    },
  ]);

async function post(c: TestCollector, body: string) {
  const res = await fetch(`${c.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.text() };
}

function published(c: TestCollector): string[] {
  const seen: string[] = [];
  c.collector.decisions.onPublish((d: Decision) => seen.push(`${d.detector}/${d.action}`));
  return seen;
}

describe("what the collector refuses", () => {
  it("is not counted by detection: a $0.60 call refused three times does not break a $1 run", async () => {
    const body = call(hexId(16));
    // The spool holds the request's bytes but not the bigger record made from it: the batch
    // passes every check and is refused only when it is spooled (413: it can never fit).
    const refusing = await startTestCollector({
      db,
      config: { spool: { maxBytes: Buffer.byteLength(body) + 8 }, detection: { detectors } },
    });
    const accepting = await startTestCollector({ db, config: { detection: { detectors } } });
    try {
      const refusedDecisions = published(refusing);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(refusing, body)).status);
      await new Promise((r) => setTimeout(r, 100));
      expect({ statuses, refusedDecisions }).toEqual({ statuses: [413, 413, 413], refusedDecisions: [] });

      // Accepted, the same spend is counted once per call: the second $0.60 call breaks the run.
      const acceptedDecisions = published(accepting);
      const traceId = hexId(16);
      const first = await post(accepting, call(traceId));
      await new Promise((r) => setTimeout(r, 100));
      const afterFirst = [...acceptedDecisions];
      const second = await post(accepting, call(traceId));
      await eventually(
        async () => acceptedDecisions.length,
        (n) => n > 0,
      );
      expect({ statuses: [first.status, second.status], afterFirst, acceptedDecisions }).toEqual({
        statuses: [200, 200],
        afterFirst: [],
        acceptedDecisions: ["D5.run_cost/kill"],
      });
    } finally {
      await refusing.stop();
      await accepting.stop();
    }
  });

  it("takes a span stamped in the future as arriving now, so a fast client clock cannot move a budget to tomorrow", async () => {
    const c = await startTestCollector({ db, config: { detection: { budgetPollSeconds: 0.1, detectors } } });
    try {
      const now = new Date().toISOString().replace("T", " ").replace("Z", "");
      await db.insert("budgets", [
        {
          project_id: "default",
          id: "skew",
          scope: "user",
          match: "u-skew",
          period: "day",
          limit_usd: "1",
          alert_at: [1],
          updated_at: now,
          version: 1,
          deleted: 0,
        },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 400)); // a budget poll or more
      const published: string[] = [];
      c.collector.decisions.onPublish((d) => published.push(`${d.detector}/${d.action}`));
      const userCall = (startNs: bigint) =>
        otlpJson([
          {
            traceId: hexId(16),
            spanId: hexId(8),
            startNs,
            attributes: {
              [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
              [ATTR_GEN_AI_OPERATION_NAME]: "chat",
              [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
              [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 240_000, // $0.60
              [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
              [ATTR_BURNRATE_USER]: "u-skew",
            },
          },
        ]);
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const statuses = [
        (await post(c, userCall(nowNs + 86_400_000_000_000n))).status, // a client clock a day fast
        (await post(c, userCall(nowNs))).status, // $1.20 today: past the $1 daily budget
      ];
      await eventually(
        async () => published.length,
        (n) => n > 0,
      );
      expect({ statuses, published }).toEqual({ statuses: [200, 200], published: ["budget/kill"] });
    } finally {
      await c.stop();
    }
  });

  it("counts an exporter that hangs up mid-body as aborted, not as a collector error", async () => {
    const c = await startTestCollector({ db });
    try {
      const socket = connect(Number(new URL(c.url).port), "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(
        "POST /v1/traces HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{",
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      const metrics = await eventually(
        async () => (await fetch(`${c.url}/metrics`)).text(),
        (text) => text.includes('burnrate_otlp_requests_total{status="aborted"} 1'),
      );
      expect({
        aborted: metrics.includes('burnrate_otlp_requests_total{status="aborted"} 1'),
        errors: c.logs.filter((line) => line.includes("unexpected error")),
      }).toEqual({ aborted: true, errors: [] });
    } finally {
      await c.stop();
    }
  });

  it("answers 503 with Retry-After when the spool cannot take a batch, and logs the cause once", async () => {
    const c = await startTestCollector({ db });
    try {
      await c.collector.close(); // the spool is closed, as during a shutdown
      const replies = [await post(c, call(hexId(16))), await post(c, call(hexId(16)))];
      expect(replies.map((r) => ({ status: r.status, retryAfter: r.retryAfter }))).toEqual([
        { status: 503, retryAfter: "1" },
        { status: 503, retryAfter: "1" },
      ]);
      expect(JSON.parse(replies[0]!.body)).toEqual({
        code: 14,
        message: "the collector could not spool the batch (the spool is closed); retry later",
      });
      expect(c.logs.filter((line) => line.includes("could not spool"))).toEqual([
        "burnrate: could not spool a batch: the spool is closed",
      ]);
    } finally {
      await c.stop();
    }
  });
});
