import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import {
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  type AttributeValue,
} from "@burnrate/core";
import { type ClickHouse, openEmbedded } from "@burnrate/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { hexId, type JsonSpanSpec, otlpJson } from "./support/otlp-json.js";

// One chDB per process: every collector in this file shares it, and each test its own trace.
let db: ClickHouse;
beforeAll(async () => {
  db = await openEmbedded(join(mkdtempSync(join(tmpdir(), "burnrate-bad-values-")), "data"));
});
afterAll(async () => {
  await db.close();
});

const NOW = BigInt(Date.now()) * 1_000_000n;
/** Where the writer clamps a cost that Decimal(38, 12) (or the rollup's sums) could not hold. */
const MOST_COST = "999999999999999.999999999999";

const llmCall = (inputTokens: number, extra: Record<string, AttributeValue> = {}) => ({
  [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
  [ATTR_GEN_AI_OPERATION_NAME]: "chat",
  [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
  [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: inputTokens,
  [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 0,
  ...extra,
});

async function post(c: TestCollector, body: string) {
  const res = await fetch(`${c.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: res.status, body: await res.text() };
}

interface SpanRow {
  SpanId: string;
  SpanName: string;
  Timestamp: string;
  Duration: number;
  SpanAttributes: Record<string, string>;
}
interface CallRow {
  span_id: string;
  start_time: string;
  user_id: string;
  input_tokens: number;
  cost_total: string;
  cost_source: string;
}

async function stored(traceId: string, spans: number, calls: number) {
  const spanRows = await eventually(
    () =>
      db.query<SpanRow>({
        query: `SELECT SpanId, SpanName, Timestamp, Duration, SpanAttributes FROM spans FINAL
          WHERE TraceId = {t:String} ORDER BY SpanId`,
        params: { t: traceId },
      }),
    (rows) => rows.length >= spans,
  );
  const callRows = await eventually(
    () =>
      db.query<CallRow>({
        query: `SELECT span_id, start_time, user_id, input_tokens, cost_total, cost_source FROM llm_calls FINAL
          WHERE trace_id = {t:String} ORDER BY span_id`,
        params: { t: traceId },
      }),
    (rows) => rows.length >= calls,
  );
  return { spans: spanRows, calls: callRows };
}

/** The rows a well-formed gpt-4o call span of `spec` is stored as. */
function goodRows(spec: JsonSpanSpec & { startNs: bigint }, inputTokens: number) {
  const span: SpanRow = {
    SpanId: spec.spanId,
    SpanName: "chat gpt-4o",
    Timestamp: dateTime64(spec.startNs),
    Duration: 250_000_000,
    SpanAttributes: stringMap(llmCall(inputTokens)),
  };
  const call: CallRow = {
    span_id: spec.spanId,
    start_time: dateTime64(spec.startNs),
    user_id: "",
    input_tokens: inputTokens,
    cost_total: (inputTokens * 0.0000025).toFixed(12), // $2.50 per million input tokens
    cost_source: "computed",
  };
  return { span, call };
}

function dateTime64(nanos: bigint): string {
  const iso = new Date(Number(nanos / 1_000_000n)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(nanos % 1_000_000_000n).padStart(9, "0")}`;
}

function stringMap(attributes: Record<string, AttributeValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, String(v)]));
}

function deadLetters(c: TestCollector): string[] {
  const dir = join(c.dir, "spool", "dead-letter");
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Sends `good` spans around one `bad` span in one export; expects a 200. */
async function exportMixed(
  c: TestCollector,
  good: JsonSpanSpec[],
  bad: JsonSpanSpec,
  patch = (b: string) => b,
) {
  const res = await post(c, patch(otlpJson([good[0]!, bad, ...good.slice(1)])));
  expect(res).toEqual({ status: 200, body: "{}" });
}

describe("values the receiver accepts but ClickHouse's column types cannot hold", () => {
  it("stores a span with lone surrogates in its name, keys and values, with U+FFFD in their place", async () => {
    const c = await startTestCollector({ db });
    try {
      const traceId = hexId(16);
      const g1 = { traceId, spanId: "00000000000000a1", startNs: NOW, attributes: llmCall(10) };
      const g2 = { traceId, spanId: "00000000000000a3", startNs: NOW, attributes: llmCall(20) };
      const bad = {
        traceId,
        spanId: "00000000000000a2",
        startNs: NOW,
        name: "chat \ud800gpt-4o",
        attributes: llmCall(30, { "note\udc00": "x\ud800", [ATTR_BURNRATE_USER]: "ab\ud800" }),
      };
      await exportMixed(c, [g1, g2], bad);
      const rows = await stored(traceId, 3, 3);
      const [a1, a3] = [goodRows(g1, 10), goodRows(g2, 20)];
      const a2 = goodRows(bad, 30);
      expect(rows).toEqual({
        spans: [
          a1.span,
          {
            ...a2.span,
            SpanName: "chat \ufffdgpt-4o",
            SpanAttributes: {
              ...stringMap(llmCall(30)),
              "note\ufffd": "x\ufffd",
              [ATTR_BURNRATE_USER]: "ab\ufffd",
            },
          },
          a3.span,
        ],
        calls: [a1.call, { ...a2.call, user_id: "ab\ufffd" }, a3.call],
      });
      expect(deadLetters(c)).toEqual([]);
    } finally {
      await c.stop();
    }
  });

  it("stores a call whose provider cost (1e60) is past Decimal(38, 12), within its range", async () => {
    const c = await startTestCollector({ db });
    try {
      const traceId = hexId(16);
      const good = { traceId, spanId: "00000000000000a1", startNs: NOW, attributes: llmCall(10) };
      const bad = {
        traceId,
        spanId: "00000000000000a2",
        startNs: NOW,
        attributes: llmCall(40, { [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "1e60" }),
      };
      await exportMixed(c, [good], bad);
      const rows = await stored(traceId, 2, 2);
      const [a1, a2] = [goodRows(good, 10), goodRows(bad, 40)];
      // The normaliser may ignore a cost this absurd (then the call is priced from its tokens);
      // if it passes it on, the writer clamps it. Either way the call is stored.
      const badCall = rows.calls[1]!;
      expect([MOST_COST, a2.call.cost_total]).toContain(badCall.cost_total);
      expect(rows).toEqual({
        spans: [
          a1.span,
          { ...a2.span, SpanAttributes: stringMap(llmCall(40, { [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "1e60" })) },
        ],
        calls: [
          a1.call,
          {
            ...a2.call,
            cost_total: badCall.cost_total,
            cost_source: badCall.cost_total === MOST_COST ? "provider" : "computed",
          },
        ],
      });
      expect(deadLetters(c)).toEqual([]);
    } finally {
      await c.stop();
    }
  });

  it("stores a call with 1e300 input tokens as the most UInt32 holds", async () => {
    const c = await startTestCollector({ db });
    try {
      const traceId = hexId(16);
      const good = { traceId, spanId: "00000000000000a1", startNs: NOW, attributes: llmCall(10) };
      const bad = { traceId, spanId: "00000000000000a2", startNs: NOW, attributes: llmCall(7_777_777) };
      // A double, as an SDK sends a count it computed in floating point.
      await exportMixed(c, [good], bad, (body) =>
        body.replace('{"intValue":"7777777"}', '{"doubleValue":1e300}'),
      );
      const rows = await stored(traceId, 2, 2);
      const [a1, a2] = [goodRows(good, 10), goodRows(bad, 4_294_967_295)];
      // Priced from the clamped count when the normaliser clamps it, or clamped after pricing 1e300.
      const badCall = rows.calls[1]!;
      expect([MOST_COST, a2.call.cost_total]).toContain(badCall.cost_total);
      expect(rows).toEqual({
        spans: [a1.span, { ...a2.span, SpanAttributes: stringMap(llmCall(1e300)) }],
        calls: [a1.call, { ...a2.call, cost_total: badCall.cost_total }],
      });
      expect(deadLetters(c)).toEqual([]);
    } finally {
      await c.stop();
    }
  });

  it("stores a span that starts after 2262 at 2100-01-01, where the tables' TTL still counts right", async () => {
    const c = await startTestCollector({ db });
    try {
      const traceId = hexId(16);
      const good = { traceId, spanId: "00000000000000a1", startNs: NOW, attributes: llmCall(10) };
      const bad = {
        traceId,
        spanId: "00000000000000a2",
        startNs: 18_446_744_073_000_000_000n,
        attributes: llmCall(50),
      };
      await exportMixed(c, [good], bad);
      const rows = await stored(traceId, 2, 2);
      const [a1, a2] = [goodRows(good, 10), goodRows(bad, 50)];
      expect(rows).toEqual({
        spans: [a1.span, { ...a2.span, Timestamp: "2100-01-01 00:00:00.000000000" }],
        calls: [a1.call, { ...a2.call, start_time: "2100-01-01 00:00:00.000000000" }],
      });
      expect(deadLetters(c)).toEqual([]);
    } finally {
      await c.stop();
    }
  });

  it("keeps only the rows ClickHouse refuses, not their whole batch, from a spool written by the previous version", async () => {
    // A record as the previous version spooled it (collector/src/writer/testdata): spans a1 and
    // a2 and call a1 are good; b1 holds a lone surrogate and b2 starts in 2554. It is spooled
    // twice, as a crash midway through splitting it would replay it: nothing may count twice.
    const record = readFileSync(join(import.meta.dirname, "../collector/src/writer/testdata/record-v1.bin"));
    const dir = mkdtempSync(join(tmpdir(), "burnrate-v1-spool-"));
    mkdirSync(join(dir, "spool"));
    const header = Buffer.alloc(8); // the spool's frame: length and CRC-32 of the record
    header.writeUInt32LE(record.length, 0);
    header.writeUInt32LE(crc32(record), 4);
    const segment = Buffer.concat([header, record, header, record]);
    writeFileSync(join(dir, "spool", `${"1".padStart(16, "0")}.seg`), segment);

    const c = await startTestCollector({ db, dir });
    try {
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      const rows = await stored(traceId, 2, 1);
      expect({
        spans: rows.spans.map((r) => r.SpanId),
        calls: rows.calls.map((r) => r.span_id),
      }).toEqual({ spans: ["00000000000000a1", "00000000000000a2"], calls: ["00000000000000a1"] });

      const files = await eventually(
        async () => deadLetters(c),
        (names) => names.length === 2,
      );
      const spanIds = (name: string) =>
        readFileSync(join(c.dir, "spool", "dead-letter", name), "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { SpanId?: string; span_id?: string })
          .map((row) => row.SpanId ?? row.span_id);
      const kept = Object.fromEntries(
        files.map((name) => [name.replace(/^.*\.(\w+)\.jsonl$/, "$1"), spanIds(name)]),
      );
      const twice = ["00000000000000b1", "00000000000000b2", "00000000000000b1", "00000000000000b2"];
      expect(kept).toEqual({ spans: twice, llm_calls: twice });
      const refusals = c.logs.filter((l) => l.includes("refused")).map((l) => l.replace(/ \(.*\);/, " (…);"));
      expect(refusals).toEqual([
        expect.stringMatching(
          /^burnrate: ClickHouse refused 4 of 8 rows for spans \(…\); kept them in .*\.spans\.jsonl$/,
        ),
        expect.stringMatching(
          /^burnrate: ClickHouse refused 4 of 6 rows for llm_calls \(…\); kept them in .*\.llm_calls\.jsonl$/,
        ),
      ]);
      // Without FINAL: the good call was inserted once, so the rollup counts it once.
      const [once] = await db.query<{ calls: number; rollup: number }>({
        query: `SELECT (SELECT count() FROM llm_calls WHERE trace_id = {t:String}) AS calls,
          (SELECT sum(calls) FROM llm_cost_minutely WHERE service = 'fixture') AS rollup`,
        params: { t: traceId },
      });
      expect(once).toEqual({ calls: 1, rollup: 1 });
    } finally {
      await c.stop();
    }
  });
});

describe("a resource shared by many spans", () => {
  it("is spooled once, not once per span, and every span is stored with it", async () => {
    const c = await startTestCollector({ db });
    try {
      const traceId = hexId(16);
      const spans = Array.from({ length: 500 }, (_, i) => ({
        traceId,
        spanId: (i + 1).toString(16).padStart(16, "0"),
        name: "step",
        startNs: NOW,
      }));
      const body = otlpJson(spans).replace(
        '"resource":{"attributes":[',
        `"resource":{"attributes":[{"key":"big","value":{"stringValue":"${"r".repeat(100 * 1024)}"}},`,
      );
      writeFileSync(c.outageFile, ""); // keep the batch in the spool to measure it
      expect(await post(c, body)).toEqual({ status: 200, body: "{}" });
      // Once per span, the 100 KB attribute made a 50 MB record of a 180 KB request.
      expect(c.collector.spoolBytes()).toBeLessThan(2 * body.length);

      rmSync(c.outageFile);
      const [stats] = await eventually(
        () =>
          db.query<{ n: number; shortest: number; longest: number; services: string[] }>({
            query: `SELECT count() AS n, min(length(ResourceAttributes['big'])) AS shortest,
              max(length(ResourceAttributes['big'])) AS longest, groupUniqArray(ServiceName) AS services
              FROM spans FINAL WHERE TraceId = {t:String}`,
            params: { t: traceId },
          }),
        (rows) => rows[0]!.n === 500,
        30_000,
      );
      expect(stats).toEqual({ n: 500, shortest: 100 * 1024, longest: 100 * 1024, services: ["json-test"] });
    } finally {
      await c.stop();
    }
  });
});
