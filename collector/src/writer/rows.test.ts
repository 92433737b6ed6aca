import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Attributes, LlmCall, Span } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { MOST_USD } from "./column-values.js";
import { decodeRecord, encodeRecord, RecordTooLargeError, spanLineBytes, spansPayload } from "./rows.js";
import { pieces } from "./split-insert.js";

const T = 1_767_225_600_123_456_789n; // 2026-01-01T00:00:00.123456789Z
const resource: Attributes = { "service.name": "checkout", region: "eu" };
const scope = { name: "openai", version: "1.2" };

function span(spanId: string, over: Partial<Span> = {}): Span {
  return {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId,
    parentSpanId: "",
    traceState: "",
    name: "chat gpt-4o",
    kind: 3,
    startTimeUnixNano: T,
    endTimeUnixNano: T + 5n,
    attributes: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10 },
    resource,
    scope,
    status: { code: 2, message: "boom" },
    events: [{ timeUnixNano: T + 1n, name: "retry", attributes: { attempt: 2 } }],
    links: [{ traceId: "1".repeat(32), spanId: "2".repeat(16), traceState: "", attributes: {} }],
    ...over,
  };
}

function call(spanId: string, over: Partial<LlmCall> = {}): LlmCall {
  return {
    projectId: "p1",
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId,
    parentSpanId: "",
    startTimeUnixNano: T,
    durationNs: 5n,
    sessionId: "",
    service: "checkout",
    agent: "",
    feature: "",
    user: "",
    tenant: "",
    provider: "openai",
    operation: "chat",
    requestModel: "gpt-4o",
    responseModel: "",
    serviceTier: "",
    tokens: { input: 10, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
    cost: {
      input: "0.000025000000",
      output: "0.000020000000",
      cacheRead: "0",
      cacheWrite: "0",
      total: "0.000045000000",
      source: "computed",
      priceVersion: "v1",
    },
    estimated: false,
    promptFingerprint: "",
    toolCallFingerprints: [],
    status: "ok",
    errorType: "",
    ...over,
  };
}

/** The `spans` rows of a record, parsed. */
const spanRows = (record: Buffer) =>
  decodeRecord(record).spans.map(
    (line) => JSON.parse(spansPayload([line]).toString()) as Record<string, unknown>,
  );
const callRows = (record: Buffer) =>
  decodeRecord(record).calls.map((c) => JSON.parse(c.json) as Record<string, unknown>);

describe("spool records", () => {
  it("stores each span's whole row, its resource's columns written once per resource and scope", () => {
    const other = { "service.name": "billing" };
    const spans = [
      span("00000000000000a1"),
      span("00000000000000a2", { resource: other }),
      span("00000000000000a3"),
    ];
    const record = encodeRecord({ projectId: "p1", spans, calls: [call("00000000000000a1")] }, 7n);

    expect(spanRows(record)[0]).toEqual({
      ProjectId: "p1",
      Timestamp: "1767225600.123456789",
      TraceId: "0af7651916cd43dd8448eb211c80319c",
      SpanId: "00000000000000a1",
      ParentSpanId: "",
      TraceState: "",
      SpanName: "chat gpt-4o",
      SpanKind: "Client",
      ServiceName: "checkout",
      ResourceAttributes: { "service.name": "checkout", region: "eu" },
      ScopeName: "openai",
      ScopeVersion: "1.2",
      SpanAttributes: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": "10" },
      Duration: "5",
      StatusCode: "Error",
      StatusMessage: "boom",
      "Events.Timestamp": ["1767225600.123456790"],
      "Events.Name": ["retry"],
      "Events.Attributes": [{ attempt: "2" }],
      "Links.TraceId": ["1".repeat(32)],
      "Links.SpanId": ["2".repeat(16)],
      "Links.TraceState": [""],
      "Links.Attributes": [{}],
    });
    expect(spanRows(record).map((r) => [r.SpanId, r.ServiceName, r.ResourceAttributes])).toEqual([
      ["00000000000000a1", "checkout", resource],
      ["00000000000000a2", "billing", other],
      ["00000000000000a3", "checkout", resource],
    ]);
    expect(decodeRecord(record).calls).toEqual([
      {
        project_id: "p1",
        trace_id: "0af7651916cd43dd8448eb211c80319c",
        span_id: "00000000000000a1",
        json: expect.stringContaining('"input_tokens":10,'),
      },
    ]);
    expect(callRows(record)[0]).toMatchObject({ start_time: "1767225600.123456789", version: "7" });
  });

  it("reads a record the previous version spooled, row for row", () => {
    // Written by the previous encodeRecord: spans as JSONEachRow behind their length, then calls.
    const record = readFileSync(join(import.meta.dirname, "testdata", "record-v1.bin"));
    const spansEnd = 4 + record.readUInt32LE(0);
    const decoded = decodeRecord(record);
    expect(spansPayload(decoded.spans).equals(record.subarray(4, spansEnd))).toBe(true);
    expect(
      decoded.spans.map((line) => (JSON.parse(line.head.toString()) as { SpanId: string }).SpanId),
    ).toEqual(["00000000000000a1", "00000000000000b1", "00000000000000a2", "00000000000000b2"]);
    const callLines = record.subarray(spansEnd).toString().split("\n").filter(Boolean);
    expect(decoded.calls.map((c) => [c.project_id, c.trace_id, c.span_id, c.json].join("\t"))).toEqual(
      callLines,
    );
  });

  it("refuses, by name, a record of a version it does not know", () => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(0xffffffff, 0);
    record.writeUInt32LE(3, 4);
    expect(() => decodeRecord(record)).toThrow(
      "a spool record of version 3, which this collector cannot read (it reads 1 and 2)",
    );
  });

  it("names a batch too large for one record as such, not as a passing failure", () => {
    // What V8 throws past its longest string, from inside JSON.stringify, without building one.
    const huge = { toJSON: () => "x".repeat(2 ** 30) } as unknown as Attributes[string];
    const spans = [span("00000000000000a1", { attributes: { prompt: [huge] } })];
    expect(() => encodeRecord({ projectId: "p1", spans, calls: [] }, 1n)).toThrow(
      new RecordTooLargeError(
        "the 1 spans of this batch make rows larger than one spool record can hold (Invalid string length); " +
          "send fewer spans per request",
      ),
    );
  });

  it("stays about the size of its request when 12,000 spans share a 100 KB resource attribute", () => {
    const big = { "service.name": "svc", big: "r".repeat(100 * 1024) };
    const spans = Array.from({ length: 12_000 }, (_, i) =>
      span(i.toString(16).padStart(16, "0"), { resource: big, attributes: {}, events: [], links: [] }),
    );
    // Once per span, this record was 1.2 GB and passed V8's longest string.
    const record = encodeRecord({ projectId: "p1", spans, calls: [] }, 1n);
    expect(record.length).toBeLessThan(6 * 1024 * 1024);

    // The writer copies the resource into each row a bounded piece at a time.
    const lines = decodeRecord(record).spans;
    const cut = [...pieces(lines, spanLineBytes, 16 * 1024 * 1024)];
    expect(cut.flat()).toHaveLength(12_000);
    expect(
      Math.max(...cut.map((p) => p.reduce((n, line) => n + spanLineBytes(line), 0))),
    ).toBeLessThanOrEqual(16 * 1024 * 1024);
    const last = JSON.parse(spansPayload([lines.at(-1)!]).toString()) as {
      SpanId: string;
      ResourceAttributes: Attributes;
    };
    expect([last.SpanId, last.ResourceAttributes]).toEqual([(11_999).toString(16).padStart(16, "0"), big]);
  });
});

describe("values kept within their column types", () => {
  it("replaces lone surrogates with U+FFFD in every string, keys included, and leaves the text `\\ud800` alone", () => {
    const odd: Attributes = { "service.name": "svc\ud800", "k\udc00": "v\ud800x" };
    const spans = [
      span("00000000000000a1", {
        name: "chat \udbff",
        resource: odd,
        attributes: { "note\ud800": "x\udfff", path: "C:\\ud800", pair: "\ud83d\ude00" },
        events: [{ timeUnixNano: T, name: "e\ud800", attributes: {} }],
      }),
    ];
    const calls = [call("00000000000000a1", { user: "ab\ud800", toolCallFingerprints: ["\udc00"] })];
    const record = encodeRecord({ projectId: "p1", spans, calls }, 1n);
    expect(spanRows(record)[0]).toMatchObject({
      SpanName: "chat \ufffd",
      ServiceName: "svc\ufffd",
      ResourceAttributes: { "service.name": "svc\ufffd", "k\ufffd": "v\ufffdx" },
      SpanAttributes: { "note\ufffd": "x\ufffd", path: "C:\\ud800", pair: "\ud83d\ude00" },
      "Events.Name": ["e\ufffd"],
    });
    expect(callRows(record)[0]).toMatchObject({ user_id: "ab\ufffd", tool_call_fingerprints: ["\ufffd"] });
  });

  it("clamps counts to UInt32 and costs to the money ceiling, leaving ordinary values as they are", () => {
    const absurd = call("00000000000000a1", {
      tokens: {
        input: 1e300,
        audioInput: 1e300,
        output: -5,
        audioOutput: -1,
        cacheRead: 2.6,
        cacheWrite: Number.NaN,
        cacheWrite1h: 4_294_967_296,
        reasoning: 4_294_967_296,
        webSearches: 7.5,
      },
      cost: {
        input: `1${"0".repeat(60)}`,
        output: "0.000000000000001",
        cacheRead: "1e-7",
        cacheWrite: "123456789012345.5",
        total: `1${"0".repeat(60)}`,
        source: "provider",
        priceVersion: "provider",
      },
    });
    const [row] = callRows(
      encodeRecord({ projectId: "p1", spans: [span("00000000000000a1")], calls: [absurd] }, 1n),
    );
    expect(row).toMatchObject({
      input_tokens: 4_294_967_295,
      audio_input_tokens: 4_294_967_295,
      output_tokens: 0,
      audio_output_tokens: 0,
      cache_read_tokens: 3,
      cache_write_tokens: 0,
      cache_write_1h_tokens: 4_294_967_295,
      reasoning_tokens: 4_294_967_295,
      web_searches: 8,
      cost_input: MOST_USD,
      cost_output: "0.000000000000001",
      cost_cache_read: "0.000000100000",
      cost_cache_write: "123456789012345.5",
      cost_total: MOST_USD,
    });
  });

  it("writes times ClickHouse reads as times: ten digits of seconds, and none past 2100", () => {
    const spans = [
      span("00000000000000a1", { startTimeUnixNano: 0n, endTimeUnixNano: 1_500_000_000n }),
      span("00000000000000a2", { startTimeUnixNano: 18_446_744_073_709_551_615n, endTimeUnixNano: 0n }),
    ];
    const calls = [call("00000000000000a2", { startTimeUnixNano: 18_446_744_073_709_551_615n })];
    const record = encodeRecord({ projectId: "p1", spans, calls }, 1n);
    expect(spanRows(record).map((r) => [r.Timestamp, r.Duration])).toEqual([
      ["0000000000.000000000", "1500000000"],
      ["4102444800.000000000", "0"],
    ]);
    expect(callRows(record)[0]).toMatchObject({ start_time: "4102444800.000000000" });
  });
});
