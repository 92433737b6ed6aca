import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPriceBook } from "@burnrate/core";
import { createMetrics } from "../../metrics.js";
import { otlpTypes } from "../../otlp/proto-root.js";
import { encodeAsProtobuf } from "../../otlp/testdata/encode.js";
import { createPipeline, type Stage } from "../../pipeline/pipeline.js";
import type { ProcessorContext } from "../../pipeline/processor.js";
import { dedupeProcessor } from "../../processors/dedupe.js";
import { normaliseProcessor } from "../../processors/normalise.js";
import { priceProcessor } from "../../processors/price.js";
import { Spool } from "../../spool/spool.js";
import { decodeRecord } from "../../writer/rows.js";
import { createAuthenticator } from "../auth.js";
import { sendJson } from "../respond.js";
import { createTracesReceiver } from "../traces.js";

/** A receiver over real HTTP on 127.0.0.1, with a real spool on disk and the collector's own stages. */
export interface TestReceiver {
  url: string;
  spool: Spool;
  logs: string[];
  /** The span ids of the LLM calls in every record on disk, in spool order (every test span is a call). */
  spooledSpanIds(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts the receiver with the collector's normalise → dedupe → price stages, plus `extra`
 * stages after them. Errors that escape the receiver are answered as the collector's own
 * request handler answers them.
 */
export async function startReceiver(
  options: { extra?: Stage[]; version?: () => bigint } = {},
): Promise<TestReceiver> {
  const metrics = createMetrics();
  const context: ProcessorContext = { metrics };
  const dedupeConfig = dedupeProcessor.configSchema.parse({});
  const pipeline = createPipeline(
    [
      { name: "normalise", process: normaliseProcessor.create({}, context) },
      { name: "dedupe", process: dedupeProcessor.create(dedupeConfig, context) },
      { name: "price", process: priceProcessor.create({ priceBook: createPriceBook() }, context) },
      ...(options.extra ?? []),
    ],
    metrics,
  );
  const spool = await Spool.open({
    dir: mkdtempSync(join(tmpdir(), "burnrate-receiver-")),
    maxBytes: 1 << 24,
    segmentBytes: 1 << 20,
  });
  const logs: string[] = [];
  const receive = createTracesReceiver(
    {
      maxBodyBytes: 1 << 20,
      maxAttributesPerSpan: 128,
      maxConcurrentRequests: 16,
      spoolFullRetryAfterSeconds: 5,
    },
    {
      authenticate: createAuthenticator([]),
      pipeline,
      spool,
      metrics,
      version: options.version ?? (() => 1n),
      log: { error: (m) => logs.push(m) },
    },
  );
  const server: Server = createServer((req, res) => {
    receive(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spool,
    logs,
    async spooledSpanIds() {
      const ids: string[] = [];
      for (let read = await spool.read(1 << 20); read; read = await spool.read(1 << 20)) {
        for (const record of read.records)
          ids.push(...decodeRecord(record).calls.map((call) => call.span_id));
        await spool.commit(read);
      }
      return ids;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await spool.close();
    },
  };
}

export const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

/** An OTLP/JSON-shaped export request with one gpt-4o call per span id. */
export function exportRequest(spanIds: string[]) {
  const start = BigInt(Date.parse("2026-11-02T10:00:00Z")) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "receiver-test" } }] },
        scopeSpans: [
          {
            scope: { name: "test" },
            spans: spanIds.map((spanId) => ({
              traceId: TRACE_ID,
              spanId,
              name: "chat gpt-4o",
              kind: 3,
              startTimeUnixNano: String(start),
              endTimeUnixNano: String(start + 250_000_000n),
              attributes: [
                { key: "gen_ai.provider.name", value: { stringValue: "openai" } },
                { key: "gen_ai.request.model", value: { stringValue: "gpt-4o" } },
                { key: "gen_ai.usage.input_tokens", value: { intValue: "100" } },
              ],
            })),
          },
        ],
      },
    ],
  };
}

export type Format = "json" | "protobuf";

/** Posts `request` in `format` and decodes the answer: a google.rpc.Status or an export response. */
export async function post(url: string, request: object, format: Format = "json") {
  const res = await fetch(`${url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": format === "json" ? "application/json" : "application/x-protobuf" },
    body: format === "json" ? JSON.stringify(request) : encodeAsProtobuf(request),
  });
  const type = res.headers.get("content-type");
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (type !== "application/x-protobuf") {
    return {
      status: res.status,
      type,
      retryAfter: res.headers.get("retry-after"),
      body: JSON.parse(new TextDecoder().decode(bytes)),
    };
  }
  const message = res.ok ? otlpTypes.ExportTraceServiceResponse : otlpTypes.Status;
  const body = message.toObject(message.decode(bytes), { longs: Number });
  return { status: res.status, type, retryAfter: res.headers.get("retry-after"), body };
}
