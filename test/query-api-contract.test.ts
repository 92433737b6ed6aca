import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createQueryApi } from "@burnrate/query-api";
import type { ClickHouse } from "@burnrate/storage";
import { describe, expect, it } from "vitest";
import { useQueryApi } from "./support/query-api-harness.js";
import { DAY1, KEYS, T } from "./support/query-api-seed.js";

const api = useQueryApi();
const read = KEYS.acmeRead.key;
const RANGE = "from=2026-11-01&to=2026-11-05";

describe("incidents", () => {
  const loop = {
    id: "inc-loop-1",
    createdAt: `${DAY1}T09:00:04.000Z`,
    expiresAt: `${DAY1}T10:00:04.000Z`,
    detector: "D1",
    action: "warn",
    scope: { trace_id: T.ticket },
    reason: "identical call repeated 3 times",
    evidence: { repeats: 3, threshold: 3 },
    traceId: T.ticket,
    sessionId: "",
  };
  const budget = {
    id: "inc-budget-2",
    createdAt: `${DAY1}T09:10:02.000Z`,
    expiresAt: "2026-11-03T00:00:00.000Z",
    detector: "budget",
    action: "kill",
    scope: { session_id: "conv-7" },
    reason: "session conv-7 spent $0.06 of its $0.05 budget",
    evidence: { spentUsd: "0.068310000000", limitUsd: "0.05" },
    traceId: T.ticketFollowUp,
    sessionId: "conv-7",
  };

  it("are listed newest first and paged by cursor", async () => {
    const first = await api.call("GET", `/v1/incidents?${RANGE}&limit=1`, read);
    expect(first.body).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      incidents: [budget],
      nextCursor: expect.any(String),
    });
    const cursor = (first.body as { nextCursor: string }).nextCursor;
    expect((await api.call("GET", `/v1/incidents?${RANGE}&limit=1&cursor=${cursor}`, read)).body).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      incidents: [loop],
      nextCursor: null,
    });
    expect((await api.call("GET", `/v1/incidents?${RANGE}&detector=D1`, read)).body).toMatchObject({
      incidents: [loop],
    });
    expect(
      (await api.call("GET", `/v1/incidents?${RANGE}&sessionId=conv-7&action=kill`, read)).body,
    ).toMatchObject({
      incidents: [budget],
    });
  });

  it("are read one by one, 404 when absent", async () => {
    expect(await api.call("GET", "/v1/incidents/inc-loop-1", read)).toMatchObject({
      status: 200,
      body: loop,
    });
    expect(await api.call("GET", "/v1/incidents/nope", read)).toMatchObject({
      status: 404,
      body: { status: 404, error: "no incident nope in this project" },
    });
  });
});

describe("errors", () => {
  it("answers an unknown route and a malformed body with JSON, never a stack trace", async () => {
    expect(await api.call("GET", "/v1/nope", read)).toMatchObject({
      status: 404,
      body: { status: 404, error: "no route GET /v1/nope; see GET /openapi.json" },
    });
    expect(await api.call("POST", "/v1/whatif", read, "{not json")).toMatchObject({
      status: 400,
      body: { status: 400, error: "the request body is not valid JSON" },
    });
    expect(await api.call("POST", "/v1/prices/quote", read, "x".repeat(70_000))).toMatchObject({
      status: 413,
    });
  });

  it("logs a storage failure and answers 500 with only a request id", async () => {
    const failing = {
      mode: "embedded",
      location: "/nowhere",
      query: async () => {
        throw new Error(
          "Code: 60. DB::Exception: Table llm_calls does not exist [while running: SELECT secret FROM llm_calls]",
        );
      },
      ping: async () => {},
    } as unknown as ClickHouse;
    const logged: string[] = [];
    const server = createServer(createQueryApi({ db: failing, log: { error: (m) => logged.push(m) } }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const res = await fetch(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/costs?groupBy=feature`,
      );
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({
        status: 500,
        error: expect.stringMatching(
          /^internal error; the server log has the details \(request [0-9a-f-]{36}\)$/,
        ),
      });
      expect(text).not.toMatch(/DB::Exception|SELECT|\bat \/|\.ts:\d+/);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain("DB::Exception: Table llm_calls does not exist");
    } finally {
      server.close();
    }
  });
});

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document that describes every route express serves", async () => {
    const { body } = await api.call("GET", "/openapi.json");
    const document = body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe("3.1.0");
    await SwaggerParser.validate(structuredClone(document) as never);
    const app = createQueryApi({ db: api.collector.db }) as unknown as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    };
    const served = app.router.stack
      .flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods).map(
              (m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, "{$1}")}`,
            )
          : [],
      )
      .sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(served).toEqual(documented);
    expect(documented).toEqual([
      "DELETE /v1/budgets/{id}",
      "GET /healthz",
      "GET /openapi.json",
      "GET /v1/budgets",
      "GET /v1/costs",
      "GET /v1/costs/timeseries",
      "GET /v1/incidents",
      "GET /v1/incidents/{id}",
      "GET /v1/insights",
      "GET /v1/prices",
      "GET /v1/sessions/{id}",
      "GET /v1/traces",
      "GET /v1/traces/{traceId}",
      "POST /v1/prices/quote",
      "POST /v1/whatif",
      "PUT /v1/budgets/{id}",
    ]);
  });
});
