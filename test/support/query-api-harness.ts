import type { Server } from "node:http";
import { createQueryApi } from "@burnrate/query-api";
import { afterAll, beforeAll } from "vitest";
import { countRows, eventually, startTestCollector, type TestCollector } from "./collector.js";
import { closeServer, serveOnLoopback } from "./loopback.js";
import { ALL_KEYS, SEED, SEEDED_CALLS, sendExport } from "./query-api-seed.js";

export interface ApiHarness {
  collector: TestCollector;
  url: string;
  /** Every line the API logged as an internal error. */
  errors: string[];
  /** A GET (or other method) with a key; the body parsed as JSON when there is one. */
  call(
    method: string,
    path: string,
    key?: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
}

/** The incidents the detectors would have raised (issue 5), written as the collector's incident writer writes them. */
export const SEEDED_INCIDENTS = [
  {
    id: "inc-loop-1",
    project_id: "acme",
    created_at: "2026-11-02 09:00:04.000",
    expires_at: "2026-11-02 10:00:04.000",
    detector: "D1",
    action: "warn",
    scope: { trace_id: "a0000000000000000000000000000001" },
    reason: "identical call repeated 3 times",
    evidence: JSON.stringify({ repeats: 3, threshold: 3 }),
    trace_id: "a0000000000000000000000000000001",
    session_id: "",
  },
  {
    id: "inc-budget-2",
    project_id: "acme",
    created_at: "2026-11-02 09:10:02.000",
    expires_at: "2026-11-03 00:00:00.000",
    detector: "budget",
    action: "kill",
    scope: { session_id: "conv-7" },
    reason: "session conv-7 spent $0.06 of its $0.05 budget",
    evidence: JSON.stringify({ spentUsd: "0.068310000000", limitUsd: "0.05" }),
    trace_id: "a0000000000000000000000000000002",
    session_id: "conv-7",
  },
  {
    id: "inc-beta-3",
    project_id: "beta",
    created_at: "2026-11-02 09:30:05.000",
    expires_at: "2026-11-02 10:30:05.000",
    detector: "D5",
    action: "warn",
    scope: { trace_id: "b0000000000000000000000000000001" },
    reason: "burn rate above cap",
    evidence: "not json",
    trace_id: "b0000000000000000000000000000001",
    session_id: "",
  },
];

/**
 * Starts a real collector (embedded chDB, keys for projects acme and beta), sends the seed
 * over OTLP/HTTP, waits until every call is stored, and serves the query API over the same
 * store on 127.0.0.1:0, validating every response against its schema.
 */
export function useQueryApi(): ApiHarness {
  const harness = { errors: [] as string[] } as ApiHarness & { server: Server };
  beforeAll(async () => {
    harness.collector = await startTestCollector({ keys: ALL_KEYS });
    for (const e of SEED) await sendExport(harness.collector.url, e);
    const expected = SEEDED_CALLS.acme + SEEDED_CALLS.beta;
    await eventually(
      () => countRows(harness.collector.db, "llm_calls"),
      (n) => n === expected,
    );
    await harness.collector.db.insert("incidents", SEEDED_INCIDENTS);
    const app = createQueryApi({
      db: harness.collector.db,
      keys: ALL_KEYS,
      validateResponses: true,
      log: { error: (m) => harness.errors.push(m) },
    });
    ({ server: harness.server, url: harness.url } = await serveOnLoopback(app));
    harness.call = async (method, path, key, body) => {
      const res = await fetch(`${harness.url}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    };
  });
  afterAll(async () => {
    if (harness.server) await closeServer(harness.server);
    await harness.collector?.stop();
  });
  return harness;
}
