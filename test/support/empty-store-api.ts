import { mkdtempSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createQueryApi } from "@burnrate/query-api";
import { type ClickHouse, migrate, openEmbedded } from "@burnrate/storage";
import { afterAll, beforeAll } from "vitest";
import { TEST_COMPATIBILITY } from "./collector.js";
import { closeServer, serveOnLoopback } from "./loopback.js";

export interface EmptyStoreApi {
  db: ClickHouse;
  /** Every line the API logged as an internal error. */
  errors: string[];
  /** A GET without a key (no keys configured: everything is project `default`). */
  get(path: string): Promise<{ status: number; body: unknown }>;
}

/**
 * The query API over a fresh, empty embedded chDB store on 127.0.0.1:0, validating every
 * response against its schema. For tests that write rows straight into the tables: shapes
 * the collector would never send in a test's time (tens of thousands of calls), or states
 * only a failure leaves behind (a reprice stopped half-way).
 */
export function useEmptyStoreApi(now: Date): EmptyStoreApi {
  const harness = { errors: [] as string[] } as EmptyStoreApi & { server: Server; url: string };
  beforeAll(async () => {
    harness.db = await openEmbedded(join(mkdtempSync(join(tmpdir(), "burnrate-api-")), "data"), {
      compatibility: TEST_COMPATIBILITY,
    });
    await migrate(harness.db);
    const app = createQueryApi({
      db: harness.db,
      now: () => now,
      validateResponses: true,
      log: { error: (m) => harness.errors.push(m) },
    });
    ({ server: harness.server, url: harness.url } = await serveOnLoopback(app));
    harness.get = async (path) => {
      const res = await fetch(`${harness.url}${path}`);
      return { status: res.status, body: await res.json() };
    };
  });
  afterAll(async () => {
    if (harness.server) await closeServer(harness.server);
    await harness.db?.close();
  });
  return harness;
}

/** An `llm_calls` row of project `default`: a gpt-4o call, 100 in / 10 out, $0.00035, unless overridden. */
export function callRow(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    project_id: "default",
    start_time: "2026-11-02 09:00:00.000000000",
    trace_id: "t1",
    span_id: "s1",
    parent_span_id: "",
    session_id: "",
    service: "svc",
    agent: "",
    feature: "f",
    user_id: "u",
    tenant: "",
    provider: "openai",
    operation: "chat",
    request_model: "gpt-4o",
    response_model: "",
    service_tier: "",
    input_tokens: 100,
    output_tokens: 10,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_input: "0.000250000000",
    cost_output: "0.000100000000",
    cost_cache_read: "0",
    cost_cache_write: "0",
    cost_total: "0.000350000000",
    cost_source: "computed",
    price_version: "v1",
    estimated: false,
    prompt_fingerprint: "",
    tool_call_fingerprints: [],
    status: "ok",
    error_type: "",
    duration_ns: "1000000",
    version: "1",
    ...over,
  };
}
