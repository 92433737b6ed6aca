import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { createQueryApi } from "@burnrate/query-api";
import {
  type ClickHouse,
  migrate,
  openEmbedded,
  StorageQueryError,
  withOutageSwitch,
} from "@burnrate/storage";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_COMPATIBILITY } from "./support/collector.js";
import { closeServer, serveOnLoopback } from "./support/loopback.js";

/** The query API over an empty store behind the outage switch, on 127.0.0.1:0; no keys. */
const dir = mkdtempSync(join(tmpdir(), "burnrate-api-errors-"));
const outageFile = join(dir, "storage-outage");
const logged: string[] = [];
let db: ClickHouse;
let server: Server;
let url: string;

beforeAll(async () => {
  db = await openEmbedded(join(dir, "data"), { compatibility: TEST_COMPATIBILITY });
  await migrate(db);
  const app = createQueryApi({
    db: withOutageSwitch(db, outageFile),
    validateResponses: true,
    log: { error: (m) => logged.push(m) },
  });
  ({ server, url } = await serveOnLoopback(app));
});
afterAll(async () => {
  if (server) await closeServer(server);
  await db?.close();
});
afterEach(() => {
  rmSync(outageFile, { force: true });
  // No request here is the server's fault: none may be logged as an internal error.
  expect(logged.splice(0)).toEqual([]);
});

const call = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${url}${path}`, init);
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
};

describe("a compressed body that does not decompress", () => {
  const post = (encoding: string, body: Uint8Array | string, path = "/v1/prices/quote") =>
    call(path, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": encoding },
      body,
    });
  const quote = JSON.stringify({ model: "gpt-4o", usage: { inputTokens: 1000, outputTokens: 100 } });

  it("is a 400 that names the encoding, on any route", async () => {
    const undecodable = (encoding: string) => ({
      status: 400,
      retryAfter: null,
      body: { status: 400, error: `the request body could not be decompressed as ${encoding}` },
    });
    expect(await post("gzip", "not gzip at all")).toEqual(undecodable("gzip"));
    expect(await post("deflate", "not deflate")).toEqual(undecodable("deflate"));
    expect(await post("br", "not brotli")).toEqual(undecodable("br"));
    // Cut short.
    expect(await post("gzip", gzipSync(quote).subarray(0, 12))).toEqual(undecodable("gzip"));
    expect(await post("gzip", "garbage", "/v1/whatif")).toEqual(undecodable("gzip"));
    // A GET reads no body, but express parses one that is sent.
    expect(
      await call("/v1/budgets", { headers: { "content-encoding": "gzip" }, method: "GET" }),
    ).toMatchObject({
      status: 200,
    });
  });

  it("is read as usual when it does decompress, and an unknown encoding is a 415", async () => {
    for (const [encoding, body] of [
      ["gzip", gzipSync(quote)],
      ["deflate", deflateSync(quote)],
      ["br", brotliCompressSync(quote)],
    ] as const) {
      expect((await post(encoding, body)).status).toBe(200);
    }
    expect(await post("x-unheard-of", quote)).toEqual({
      status: 415,
      retryAfter: null,
      body: {
        status: 415,
        error:
          "the request body's content-encoding x-unheard-of is not supported; send it uncompressed, or as gzip, deflate or br",
      },
    });
  });
});

describe("a malformed percent-escape in the path", () => {
  it("is a 400 that says so, on every route with a path parameter", async () => {
    const malformed = {
      status: 400,
      retryAfter: null,
      body: {
        status: 400,
        error:
          "the request path has malformed percent-encoding; a literal % in a path segment is sent as %25",
      },
    };
    expect(await call("/v1/traces/%E0%A4%A")).toEqual(malformed);
    expect(await call("/v1/sessions/%ZZ")).toEqual(malformed);
    expect(await call("/v1/incidents/%")).toEqual(malformed);
    expect(await call("/v1/budgets/%ZZ", { method: "DELETE" })).toEqual(malformed);
    // Escaped properly, it is just an id that is not there.
    expect((await call("/v1/sessions/%25ZZ")).status).toBe(404);
  });
});

describe("storage that cannot be reached", () => {
  it("is a 503 with Retry-After on every route that reads storage, as /healthz says", async () => {
    writeFileSync(outageFile, "");
    const unavailable = {
      status: 503,
      retryAfter: "5",
      body: {
        status: 503,
        error: "storage is unavailable; try again in 5 seconds (GET /healthz says when it is back)",
      },
    };
    expect(await call("/v1/costs?groupBy=day")).toEqual(unavailable);
    expect(await call("/v1/costs/timeseries")).toEqual(unavailable);
    expect(await call("/v1/traces")).toEqual(unavailable);
    expect(await call("/v1/traces/a0000000000000000000000000000001")).toEqual(unavailable);
    expect(await call("/v1/sessions/s1")).toEqual(unavailable);
    expect(await call("/v1/incidents")).toEqual(unavailable);
    expect(await call("/v1/budgets")).toEqual(unavailable);
    expect(await call("/v1/insights")).toEqual(unavailable);
    expect(
      await call("/v1/budgets/b1", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ scope: "trace", limitUsd: "1" }),
      }),
    ).toEqual(unavailable);
    expect(await call("/healthz")).toEqual({
      status: 503,
      retryAfter: "5",
      body: { status: 503, error: "storage is unavailable" },
    });
    // The price book is in memory: prices still answer.
    expect((await call("/v1/prices?model=gpt-4o")).status).toBe(200);
    rmSync(outageFile);
    expect(await call("/v1/budgets")).toEqual({ status: 200, retryAfter: null, body: { budgets: [] } });
  });

  it("is a 503 too when the store refuses a query for a passing reason, and the refusal is logged", async () => {
    // The store answers, but refuses every query as ClickHouse does under load.
    const busy = new Proxy(db, {
      get(target, key) {
        if (key === "query")
          return async () => {
            throw new StorageQueryError("Code: 202. DB::Exception: Too many simultaneous queries", 202);
          };
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const busyLog: string[] = [];
    const app = createQueryApi({ db: busy, log: { error: (m) => busyLog.push(m) } });
    const busyServer = await serveOnLoopback(app);
    try {
      const res = await fetch(`${busyServer.url}/v1/budgets`);
      expect({ status: res.status, retryAfter: res.headers.get("retry-after"), logged: busyLog }).toEqual({
        status: 503,
        retryAfter: "5",
        logged: [
          "burnrate query API: GET /v1/budgets answered 503: Code: 202. DB::Exception: Too many simultaneous queries",
        ],
      });
    } finally {
      await closeServer(busyServer.server);
    }
  });

  it("is declared as 503 in the OpenAPI document for exactly the routes that use storage", async () => {
    const { body } = await call("/openapi.json");
    const paths = (body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> })
      .paths;
    const with503 = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.responses["503"] !== undefined)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(with503.sort()).toEqual([
      "DELETE /v1/budgets/{id}",
      "GET /healthz",
      "GET /v1/budgets",
      "GET /v1/costs",
      "GET /v1/costs/timeseries",
      "GET /v1/incidents",
      "GET /v1/incidents/{id}",
      "GET /v1/insights",
      "GET /v1/sessions/{id}",
      "GET /v1/traces",
      "GET /v1/traces/{traceId}",
      "POST /v1/whatif",
      "PUT /v1/budgets/{id}",
    ]);
    expect(paths["/v1/costs"]!.get!.responses["503"]).toEqual({
      description: "Storage is unavailable; retry after the `Retry-After` header's seconds",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    });
  });
});
