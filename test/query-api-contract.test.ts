import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createQueryApi } from "@burnrate/query-api";
import type { ClickHouse } from "@burnrate/storage";
import { describe, expect, it } from "vitest";
import { refused } from "./support/api-errors.js";
import { useQueryApi } from "./support/query-api-harness.js";
import { DAY1, KEYS, T } from "./support/query-api-seed.js";

const api = useQueryApi();
const read = KEYS.acmeRead.key;
const admin = KEYS.acmeAdmin.key;
const RANGE = "from=2026-11-01&to=2026-11-05";
const NOT_A_CURSOR = "is not a cursor this API issued; pass `nextCursor` unchanged";

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

  it("refuse a cursor whose creation time is not one the API wrote, with 400 and never a 500", async () => {
    const cursor = (c: string) => Buffer.from(JSON.stringify({ c, i: "inc-budget-2" })).toString("base64url");
    for (const c of [
      "::--",
      "-",
      "2026-02-30 09:00:04.000",
      "2026-11-02 24:00:04.000",
      "2026-11-02 09:00:04",
      "2026-11-02 09:00:04.000000000",
    ]) {
      expect(await api.call("GET", `/v1/incidents?${RANGE}&cursor=${cursor(c)}`, read)).toMatchObject(
        refused("query", [{ path: "cursor", message: NOT_A_CURSOR }]),
      );
    }
    // Nor one with fields the API never writes.
    const padded = Buffer.from(
      JSON.stringify({ c: "2026-11-02 09:10:02.000", i: "inc-budget-2", extra: 1 }),
    ).toString("base64url");
    expect(await api.call("GET", `/v1/incidents?${RANGE}&cursor=${padded}`, read)).toMatchObject(
      refused("query", [{ path: "cursor", message: NOT_A_CURSOR }]),
    );
    expect(
      (await api.call("GET", `/v1/incidents?${RANGE}&cursor=${cursor("2026-11-02 09:10:02.000")}`, read))
        .body,
    ).toEqual({
      range: { from: "2026-11-01T00:00:00.000Z", to: "2026-11-05T00:00:00.000Z" },
      incidents: [loop],
      nextCursor: null,
    });
    expect(api.errors).toEqual([]);
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

describe("unknown fields", () => {
  const costsFields =
    "from, to, service, feature, user, tenant, agent, provider, model, operation, minCost, hasIncident, groupBy, sort, limit";

  it("are refused with a 400 naming each one, in the query string and in bodies", async () => {
    expect(await api.call("GET", `/v1/costs?${RANGE}&groupBy=feature&featrue=checkout`, read)).toEqual({
      ...refused("query", [{ path: "featrue", message: `unknown field; expected one of: ${costsFields}` }]),
      headers: expect.any(Headers),
    });
    expect(await api.call("GET", `/v1/incidents?${RANGE}&detectr=D1&acton=kill`, read)).toMatchObject(
      refused("query", [
        {
          path: "detectr",
          message:
            "unknown field; expected one of: from, to, detector, action, traceId, sessionId, limit, cursor",
        },
        {
          path: "acton",
          message:
            "unknown field; expected one of: from, to, detector, action, traceId, sessionId, limit, cursor",
        },
      ]),
    );
    expect(await api.call("GET", "/v1/budgets?scope=user", read)).toMatchObject(
      refused("query", [{ path: "scope", message: "unknown field; this route takes no query parameters" }]),
    );
    expect(
      await api.call("POST", "/v1/whatif", read, { from: "2026-11-01", target: { modle: "gpt-4o-mini" } }),
    ).toMatchObject(
      refused("body", [
        { path: "target.modle", message: "unknown field; expected one of: model, provider, serviceTier" },
        { path: "target", message: "name a model, a serviceTier, or both" },
      ]),
    );
    expect(
      await api.call("POST", "/v1/prices/quote", read, {
        model: "gpt-4o",
        usage: { inputTokens: 10, outputTokens: 1, cachedTokens: 5 },
      }),
    ).toMatchObject(
      refused("body", [
        {
          path: "usage.cachedTokens",
          message:
            "unknown field; expected one of: inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, reasoningTokens, audioInputTokens, audioOutputTokens, webSearches",
        },
      ]),
    );
    expect(
      await api.call("PUT", "/v1/budgets/typo", admin, {
        scope: "user",
        period: "day",
        limitUsd: "5",
        alert: [0.5],
      }),
    ).toMatchObject(
      refused("body", [
        { path: "alert", message: "unknown field; expected one of: scope, match, period, limitUsd, alertAt" },
      ]),
    );
    expect((await api.call("GET", "/v1/budgets", read)).body).toEqual({ budgets: [] });
  });

  it("leave every documented parameter and body field accepted", async () => {
    const { body } = await api.call("GET", "/openapi.json");
    const document = body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const sample: Record<string, string> = {
      from: "2026-11-01",
      to: "2026-11-05",
      service: "support-bot",
      feature: "ticket-summary",
      user: "u-42",
      tenant: "acme-corp",
      agent: "triage",
      provider: "openai",
      model: "gpt-4o",
      operation: "chat",
      minCost: "0.01",
      hasIncident: "true",
      groupBy: "feature",
      sort: "cost",
      order: "asc",
      limit: "5",
      bucket: "day",
      minCalls: "2",
      at: "2026-11-02",
      detector: "D1",
      action: "warn",
      traceId: T.ticket,
      sessionId: "conv-7",
    };
    const answers: Record<string, number> = {};
    for (const [path, operations] of Object.entries(document.paths)) {
      const names = (operations.get?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      // The paging tests pass `cursor` as issued; every other parameter gets a valid value here.
      const query = names.filter((name) => name !== "cursor");
      expect(query.filter((name) => sample[name] === undefined)).toEqual([]);
      if (query.length === 0) continue;
      const text = query.map((name) => `${name}=${encodeURIComponent(sample[name]!)}`).join("&");
      answers[path] = (await api.call("GET", `${path}?${text}`, read)).status;
    }
    expect(answers).toEqual({
      "/v1/costs": 200,
      "/v1/costs/timeseries": 200,
      "/v1/incidents": 200,
      "/v1/insights": 200,
      "/v1/prices": 200,
      "/v1/traces": 200,
    });
    const bodies: Record<string, unknown> = {
      "POST /v1/whatif": {
        from: "2026-11-01",
        to: "2026-11-05",
        ...Object.fromEntries(
          ["service", "feature", "user", "tenant", "agent", "provider", "model", "operation", "minCost"].map(
            (name) => [name, sample[name]],
          ),
        ),
        hasIncident: true,
        target: { model: "gpt-4o-mini", provider: "openai", serviceTier: "batch" },
      },
      "POST /v1/prices/quote": {
        model: "gpt-4o",
        provider: "openai",
        serviceTier: "batch",
        at: "2026-11-02",
        usage: {
          inputTokens: 100,
          outputTokens: 10,
          cacheReadTokens: 50,
          cacheWriteTokens: 0,
          cacheWrite1hTokens: 0,
          reasoningTokens: 5,
          audioInputTokens: 20,
          audioOutputTokens: 2,
          webSearches: 1,
        },
      },
      "PUT /v1/budgets/{id}": {
        scope: "feature",
        match: "checkout",
        period: "month",
        limitUsd: "900",
        alertAt: [0.9, 1],
      },
    };
    const documentedBodies = document.paths as unknown as Record<
      string,
      Record<string, { requestBody?: { content: Record<string, { schema: { properties: object } }> } }>
    >;
    for (const [route, sent] of Object.entries(bodies)) {
      const [method, path] = route.split(" ") as [string, string];
      const schema =
        documentedBodies[path]![method.toLowerCase()]!.requestBody!.content["application/json"]!.schema;
      expect(Object.keys(sent as object).sort()).toEqual(Object.keys(schema.properties).sort());
      const res = await api.call(method, path.replace("{id}", "every-field"), admin, sent);
      expect({ route, status: res.status }).toEqual({ route, status: 200 });
    }
    await api.call("DELETE", "/v1/budgets/every-field", admin);
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

  it("answers 415 for a body that is not JSON or cannot be read, in the error format", async () => {
    const post = async (contentType: string, body: string) => {
      const res = await fetch(`${api.url}/v1/prices/quote`, {
        method: "POST",
        headers: { authorization: `Bearer ${read}`, "content-type": contentType },
        body,
      });
      return { status: res.status, body: await res.json() };
    };
    const quote = JSON.stringify({ model: "gpt-4o", usage: { inputTokens: 1, outputTokens: 1 } });
    expect(await post("application/json; charset=latin1", quote)).toEqual({
      status: 415,
      body: { status: 415, error: "the request body could not be read" },
    });
    expect(await post("text/plain", quote)).toEqual({
      status: 415,
      body: { status: 415, error: "the request body must be JSON, sent with content-type: application/json" },
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

  it("declares 413 and 415, with the error schema, on every route that takes a body", async () => {
    const { body } = await api.call("GET", "/openapi.json");
    const paths = (body as { paths: Record<string, Record<string, Record<string, unknown>>> }).paths;
    const error = (description: string) => ({
      description,
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    });
    const declared = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody !== undefined)
        .map(([method, operation]) => {
          const responses = operation.responses as Record<string, unknown>;
          return { route: `${method.toUpperCase()} ${path}`, 413: responses["413"], 415: responses["415"] };
        }),
    );
    const bodyErrors = {
      413: error("Request body too large"),
      415: error("The request body is not JSON (content-type: application/json) or cannot be read"),
    };
    expect(declared).toEqual([
      { route: "PUT /v1/budgets/{id}", ...bodyErrors },
      { route: "POST /v1/prices/quote", ...bodyErrors },
      { route: "POST /v1/whatif", ...bodyErrors },
    ]);
    expect(Object.keys(paths["/v1/costs"]!.get!.responses as object)).toEqual([
      "200",
      "400",
      "401",
      "403",
      "500",
      "503",
    ]);
  });
});
