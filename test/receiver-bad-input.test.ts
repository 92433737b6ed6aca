import { request } from "node:http";
import { gzipSync } from "node:zlib";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@burnrate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
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
