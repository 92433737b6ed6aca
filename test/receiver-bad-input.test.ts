import { request } from "node:http";
import { gzipSync } from "node:zlib";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LLM_REQUEST_TYPE,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
} from "@burnrate/core";
import { ExportResultCode } from "@opentelemetry/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { recordCall, recordingExporter, tracerProvider } from "./support/otel.js";
import { hexId, otlpJson } from "./support/otlp-json.js";

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector({ config: { receiver: { maxBodyBytes: 16 * 1024 * 1024 } } });
});
afterAll(async () => {
  await c.stop();
});

const llmAttributes = {
  [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
  [ATTR_GEN_AI_OPERATION_NAME]: "chat",
  [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
  [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 100,
  [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 10,
};

async function post(body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${c.url}/v1/traces`, { method: "POST", body, headers });
  const type = res.headers.get("content-type") ?? "";
  const payload = type.includes("json") ? await res.json() : new Uint8Array(await res.arrayBuffer());
  return { status: res.status, type, retryAfter: res.headers.get("retry-after"), payload };
}

async function alive(): Promise<number> {
  return (await fetch(`${c.url}/healthz`)).status;
}

describe("the OTLP receiver with bad input", () => {
  it("answers garbage and truncated protobuf with 400 and a google.rpc.Status, and stays up", async () => {
    const garbage = await post(Buffer.from("this is not protobuf at all \u0000\u00ff"), {
      "content-type": "application/x-protobuf",
    });
    expect(garbage.status).toBe(400);
    expect(garbage.type).toBe("application/x-protobuf");
    expect(garbage.payload.length).toBeGreaterThan(0);
    // A valid field header promising 200 bytes, followed by 3.
    const truncated = await post(Buffer.from([0x0a, 0xc8, 0x01, 1, 2, 3]), {
      "content-type": "application/x-protobuf",
    });
    expect(truncated.status).toBe(400);
    expect(await alive()).toBe(200);
  });

  it("answers invalid JSON with 400 and a message saying what is wrong", async () => {
    const res = await post('{"resourceSpans": [', { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(res.payload).toEqual({ code: 3, message: expect.stringMatching(/JSON/) });
    expect(await alive()).toBe(200);
  });

  it("stops a gzip bomb at the cap measured after decompression (413)", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in ~64 KiB
    expect(bomb.length).toBeLessThan(200 * 1024);
    const res = await post(bomb, { "content-type": "application/json", "content-encoding": "gzip" });
    expect(res.status).toBe(413);
    expect(res.payload).toEqual({
      code: 8,
      message:
        "request body is larger than 16777216 bytes after decompression (receiver.maxBodyBytes); send smaller batches",
    });
    expect(await alive()).toBe(200);
  });

  it("answers a wrong content type with 415", async () => {
    const res = await post("hello", { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(res.payload).toEqual({
      code: 3,
      message: "unsupported Content-Type; send application/x-protobuf or application/json",
    });
  });

  it("rejects a span with 100k attributes and keeps the valid spans of the same request", async () => {
    const traceId = hexId(16);
    const huge = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`attr.${i}`, i]));
    const valid = [hexId(8), hexId(8)];
    const bad = hexId(8);
    const body = otlpJson([
      { traceId, spanId: valid[0]!, attributes: llmAttributes },
      { traceId, spanId: bad, attributes: huge },
      { traceId, spanId: valid[1]!, attributes: llmAttributes },
    ]);
    const res = await post(body, { "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(res.payload).toEqual({
      partialSuccess: {
        rejectedSpans: "1",
        errorMessage: expect.stringContaining("has 100000 attributes, more than the 1024 allowed"),
      },
    });
    const stored = await eventually(
      () =>
        c.db.query<{ span_id: string }>({
          query: "SELECT span_id FROM llm_calls FINAL WHERE trace_id = {t:String} ORDER BY span_id",
          params: { t: traceId },
        }),
      (rows) => rows.length === 2,
    );
    expect(stored.map((r) => r.span_id)).toEqual([...valid].sort());
    expect(await alive()).toBe(200);
  });

  it("treats an empty request as a success", async () => {
    const proto = await post(new Uint8Array(0), { "content-type": "application/x-protobuf" });
    expect(proto).toEqual({
      status: 200,
      type: "application/x-protobuf",
      retryAfter: null,
      payload: new Uint8Array(0),
    });
    const json = await post("{}", { "content-type": "application/json" });
    expect(json).toEqual({ status: 200, type: "application/json", retryAfter: null, payload: {} });
  });

  it("refuses a body whose declared length is over the cap before reading it", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${c.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(20 * 1024 * 1024) },
      });
      req.on("response", (res) => resolve(res.statusCode ?? 0));
      req.on("error", reject);
      req.write("{");
    });
    expect(status).toBe(413);
    expect(await alive()).toBe(200);
  });
});

describe("the OTLP receiver under pressure", () => {
  it("answers 413, not a 503 to retry for ever, to a batch larger than the whole spool", async () => {
    const tiny = await startTestCollector({ db: c.db, config: { spool: { maxBytes: 2_000 } } });
    try {
      const spans = Array.from({ length: 20 }, () => ({
        traceId: hexId(16),
        spanId: hexId(8),
        attributes: llmAttributes,
      }));
      const res = await fetch(`${tiny.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: otlpJson(spans),
      });
      const body = (await res.json()) as { code: number; message: string };
      expect({ status: res.status, retryAfter: res.headers.get("retry-after"), body }).toEqual({
        status: 413,
        retryAfter: null,
        body: {
          code: expect.any(Number),
          message: expect.stringMatching(
            /^a batch of \d+ bytes can never fit the 2000-byte spool; send fewer spans per request, or raise collector\.spool\.maxBytes$/,
          ),
        },
      });
      // Nothing of it was taken: a resend in smaller batches is not dropped as a duplicate.
      const one = await fetch(`${tiny.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: otlpJson(spans.slice(0, 1)),
      });
      expect(one.status).toBe(200);
    } finally {
      await tiny.stop();
    }
  });

  it("answers 503 with Retry-After when the spool is full, and loses nothing it accepted", async () => {
    // chDB opens one data directory per process, so this second collector shares the first one's store.
    const small = await startTestCollector({ db: c.db, config: { spool: { maxBytes: 64 * 1024 } } });
    try {
      const { writeFileSync, rmSync } = await import("node:fs");
      writeFileSync(small.outageFile, "");
      const traceId = hexId(16);
      const accepted: string[] = [];
      let refused: Awaited<ReturnType<typeof post>> | undefined;
      for (let i = 0; i < 200 && !refused; i++) {
        const spanId = hexId(8);
        const res = await fetch(`${small.url}/v1/traces`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: otlpJson([{ traceId, spanId, attributes: llmAttributes }]),
        });
        if (res.status === 200) accepted.push(spanId);
        else
          refused = {
            status: res.status,
            type: "",
            retryAfter: res.headers.get("retry-after"),
            payload: await res.json(),
          };
      }
      expect(refused).toEqual({
        status: 503,
        type: "",
        retryAfter: "5",
        payload: {
          code: 14,
          message: "the collector's spool is full because storage is not keeping up; retry later",
        },
      });
      rmSync(small.outageFile);
      const stored = await eventually(
        async () =>
          (
            await c.db.query<{ n: number }>({
              query: "SELECT count() AS n FROM llm_calls FINAL WHERE trace_id = {t:String}",
              params: { t: traceId },
            })
          )[0]!.n,
        (n) => n === accepted.length,
      );
      expect(stored).toBe(accepted.length);
      expect(accepted.length).toBeGreaterThan(10);
    } finally {
      await small.stop();
    }
  });

  it("answers 429 with Retry-After when too many requests are in flight", async () => {
    const busy = await startTestCollector({ db: c.db, config: { receiver: { maxConcurrentRequests: 1 } } });
    try {
      // Hold one request open by sending only part of its body.
      const held = request(`${busy.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": "100" },
      });
      held.on("error", () => {});
      held.write("{");
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${busy.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect({
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        body: await res.json(),
      }).toEqual({
        status: 429,
        retryAfter: "1",
        body: { code: 8, message: "too many export requests in flight; retry shortly" },
      });
      held.destroy();
    } finally {
      await busy.stop();
    }
  });
});

/** The llm_calls rows of one trace (or service), as the columns these tests check. */
async function storedCalls(where: "trace_id" | "service", value: string, count: number) {
  return eventually(
    () =>
      c.db.query<Record<string, unknown>>({
        query: `SELECT span_id, provider, operation, request_model, service_tier, input_tokens, output_tokens,
            cost_input, cost_output, cost_total, cost_source
          FROM llm_calls FINAL WHERE ${where} = {v:String} ORDER BY span_id`,
        params: { v: value },
      }),
    (rows) => rows.length === count,
  );
}

const gpt4o = {
  [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
  [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 100,
  [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 10,
};
const startNs = BigInt(Date.parse("2026-11-02T10:00:00Z")) * 1_000_000n;
/** A stored gpt-4o call of 100 input and 10 output tokens: $0.00025 + $0.0001 at $2.50/M and $10/M. */
const storedGpt4o = {
  provider: "openai",
  operation: "chat",
  request_model: "gpt-4o",
  service_tier: "",
  input_tokens: 100,
  output_tokens: 10,
  cost_input: "0.000250000000",
  cost_output: "0.000100000000",
  cost_total: "0.000350000000",
  cost_source: "computed",
};

describe("the OTLP receiver with values that name Object.prototype's members", () => {
  it("stores each call under the name it was sent with and prices it like any other (JSON)", async () => {
    const traceId = hexId(16);
    const spans = [
      { [ATTR_GEN_AI_PROVIDER_NAME]: "constructor", ...gpt4o },
      { [ATTR_GEN_AI_PROVIDER_NAME]: "__proto__", ...gpt4o },
      { [ATTR_GEN_AI_PROVIDER_NAME]: "openai", ...gpt4o, [ATTR_GEN_AI_REQUEST_MODEL]: "constructor" },
      { [ATTR_LLM_REQUEST_TYPE]: "constructor", ...gpt4o },
      { [ATTR_LLM_REQUEST_TYPE]: "__proto__", ...gpt4o },
      { [ATTR_GEN_AI_PROVIDER_NAME]: "openai", ...gpt4o, [ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "constructor" },
    ].map((attributes, i) => ({ traceId, spanId: `a00000000000000${i}`, startNs, attributes }));
    const res = await post(otlpJson(spans), { "content-type": "application/json" });
    expect(res).toEqual({ status: 200, type: "application/json", retryAfter: null, payload: {} });
    expect(await storedCalls("trace_id", traceId, spans.length)).toEqual([
      { span_id: "a000000000000000", ...storedGpt4o, provider: "constructor" },
      { span_id: "a000000000000001", ...storedGpt4o, provider: "__proto__" },
      {
        span_id: "a000000000000002",
        ...storedGpt4o,
        request_model: "constructor",
        cost_input: "0.000000000000",
        cost_output: "0.000000000000",
        cost_total: "0.000000000000",
        cost_source: "unpriced",
      },
      // OpenLLMetry's llm.* spans here name no provider; the price comes from the model.
      { span_id: "a000000000000003", ...storedGpt4o, provider: "" },
      { span_id: "a000000000000004", ...storedGpt4o, provider: "" },
      { span_id: "a000000000000005", ...storedGpt4o, service_tier: "constructor" },
    ]);
    expect(await alive()).toBe(200);
  });

  it("takes them from the OpenTelemetry SDK's protobuf exporter", async () => {
    const service = `proto-keys-${hexId(4)}`;
    const { exporter, results } = recordingExporter("proto", c.url);
    const provider = tracerProvider(exporter, service);
    for (const name of ["constructor", "__proto__"]) {
      recordCall(
        provider,
        "chat gpt-4o",
        { [ATTR_GEN_AI_PROVIDER_NAME]: name, ...gpt4o },
        new Date("2026-11-02T10:00:00Z"),
      );
    }
    await provider.forceFlush();
    await provider.shutdown();
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS, spans: 2, error: undefined }]);
    const rows = await storedCalls("service", service, 2);
    expect(
      rows
        .map(({ span_id: _, ...row }) => row)
        .sort((a, b) => String(a.provider).localeCompare(String(b.provider))),
    ).toEqual([
      { ...storedGpt4o, provider: "__proto__" },
      { ...storedGpt4o, provider: "constructor" },
    ]);
  });
});

describe("the OTLP receiver with counts and costs too large to store", () => {
  it("holds token counts at 2^32 - 1 before pricing, and prices an absurd reported cost itself", async () => {
    const traceId = hexId(16);
    const openai = { [ATTR_GEN_AI_PROVIDER_NAME]: "openai", ...gpt4o };
    const spans = [
      { ...openai, [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 5_000_000_000 },
      { ...openai, [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "1e26" },
      { ...openai, [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "2e9" },
      { ...openai, [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "-0.5" },
      { ...openai, [ATTR_GEN_AI_USAGE_COST_AMOUNT]: "0.0123" },
    ].map((attributes, i) => ({ traceId, spanId: `b00000000000000${i}`, startNs, attributes }));
    const res = await post(otlpJson(spans), { "content-type": "application/json" });
    expect(res).toEqual({ status: 200, type: "application/json", retryAfter: null, payload: {} });
    expect(await storedCalls("trace_id", traceId, spans.length)).toEqual([
      {
        span_id: "b000000000000000",
        ...storedGpt4o,
        input_tokens: 4_294_967_295,
        cost_input: "10737.418237500000", // 4,294,967,295 * $2.50/M: the stored count, priced
        cost_total: "10737.418337500000",
      },
      { span_id: "b000000000000001", ...storedGpt4o },
      { span_id: "b000000000000002", ...storedGpt4o },
      { span_id: "b000000000000003", ...storedGpt4o },
      {
        span_id: "b000000000000004",
        ...storedGpt4o,
        cost_input: "0.000000000000",
        cost_output: "0.000000000000",
        cost_total: "0.012300000000",
        cost_source: "provider",
      },
    ]);
  });
});
