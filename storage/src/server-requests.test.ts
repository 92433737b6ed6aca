import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeClickHouse, refuse, startFakeClickHouse, statementOf } from "../test/fake-clickhouse.js";
import type { ClickHouse } from "./client.js";
import { isTransient, type StorageQueryError } from "./errors.js";
import { insertNewSerialisedCalls } from "./llm-calls.js";
import { openServer } from "./server.js";

/**
 * What the server driver sends, against a stand-in for ClickHouse's HTTP interface that
 * answers as ClickHouse does (no server runs here).
 */
let fake: FakeClickHouse;
let db: ClickHouse;
beforeAll(async () => {
  fake = await startFakeClickHouse();
  db = await openServer({ url: fake.url, user: "default", password: "", database: "burnrate" });
});
afterAll(async () => {
  await db.close();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.answer((_request, res) => void res.end());
});

/** A request's settings and names, without the SQL and the parameter values. */
function settingsOf(params: Record<string, string>): Record<string, string> {
  const { query: _, ...rest } = params;
  return Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith("param_")));
}

const OUTPUT = {
  output_format_json_quote_decimals: "1",
  output_format_decimal_trailing_zeros: "1",
  output_format_json_quote_64bit_integers: "0",
};

describe("a query", () => {
  it("asks the server to stop it when the driver gives up on it, and to report errors only as errors", async () => {
    await db.query({ query: "SELECT 1", params: {} });
    const [request] = fake.requests;
    const { query_id, ...settings } = settingsOf(request!.params);
    expect({ method: request!.method, path: request!.path, query_id: typeof query_id, settings }).toEqual({
      method: "POST",
      path: "/",
      query_id: "string",
      settings: {
        ...OUTPUT,
        database: "burnrate",
        http_write_exception_in_output_format: "0",
        // ClickHouse cancels on a closed connection only read-only queries, and a POST is not
        // read-only unless it says so.
        readonly: "2",
        cancel_http_readonly_queries_on_client_close: "1",
      },
    });
  });
});

describe("an insert", () => {
  const payload = Buffer.from('{"k":"a"}\n{"k":"b"}\n');

  it("is named after its table and content, and is never left to an asynchronous insert", async () => {
    await db.insertJsonEachRow("spans", payload);
    await db.insertJsonEachRow("spans", payload);
    await db.insertJsonEachRow("spans", Buffer.from('{"k":"c"}\n'));
    await db.insert("incidents", [{ k: "a" }, { k: "b" }]);
    const sent: Record<string, string>[] = fake.requests.map((r) => ({
      statement: statementOf(r),
      ...settingsOf(r.params),
    }));
    const [first, again, other, rows] = sent;
    expect(first).toEqual({
      statement: "INSERT INTO `spans` FORMAT JSONEachRow",
      ...OUTPUT,
      database: "burnrate",
      query_id: expect.stringMatching(/^burnrate-insert-spans-[0-9a-f]{32}$/),
      http_write_exception_in_output_format: "0",
      async_insert: "0",
    });
    expect(again).toEqual(first);
    expect(other!.query_id).not.toBe(first!.query_id);
    expect(rows!.query_id).toBe(first!.query_id!.replace("spans", "incidents"));
  });

  it("run twice at once, as a retry after a timeout can, is refused by ClickHouse the second time, to retry", async () => {
    // ClickHouse refuses a query whose id is running already (QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING).
    const running = new Set<string>();
    fake.answer((request, res) => {
      const id = request.params.query_id!;
      if (running.has(id)) return refuse(res, 500, 216, `Query with id = ${id} is already running.`);
      running.add(id);
      setTimeout(() => {
        running.delete(id);
        res.end();
      }, 300);
    });
    const first = db.insertJsonEachRow("llm_calls", payload);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const retry = await db.insertJsonEachRow("llm_calls", payload).catch((e: StorageQueryError) => e);
    await first;
    expect({ name: retry?.name, code: retry?.clickhouseCode, transient: isTransient(retry) }).toEqual({
      name: "StorageQueryError",
      code: 216,
      transient: true,
    });
  });
});

describe("ping", () => {
  it("fails when ClickHouse answers /ping but refuses this user's statements", async () => {
    fake.answer((_request, res) =>
      refuse(res, 403, 516, "default: Authentication failed: password is incorrect. (AUTHENTICATION_FAILED)"),
    );
    const error = await db.ping().catch((e: StorageQueryError) => e);
    expect({ name: error?.name, code: error?.clickhouseCode, transient: isTransient(error) }).toEqual({
      name: "StorageQueryError",
      code: 516,
      transient: true,
    });
    expect(fake.requests.map((r) => [statementOf(r), r.params.database])).toEqual([
      ["SELECT 1\nFORMAT JSONEachRow", "burnrate"],
    ]);
  });
});

describe("looking up which calls are stored", () => {
  it("keeps each URL parameter under ClickHouse's limit, however many traces a batch holds", async () => {
    const rows = Array.from({ length: 18_000 }, (_, i) => {
      const trace_id = i.toString(16).padStart(32, "0");
      return { project_id: "default", trace_id, span_id: "b7ad6b7169203331", json: "{}" };
    });
    expect(await insertNewSerialisedCalls(db, rows)).toBe(18_000);
    const lookups = fake.requests.filter((r) => statementOf(r).startsWith("SELECT"));
    expect({
      lookups: lookups.length,
      tracesLookedUp: lookups.reduce(
        (n, r) => n + JSON.parse(r.params.param_p1!.replaceAll("'", '"')).length,
        0,
      ),
      longestFieldUnderLimit: lookups.every((r) => r.longestField <= 128 * 1024),
      inserts: fake.requests.filter((r) => statementOf(r).startsWith("INSERT")).length,
    }).toEqual({ lookups: 18, tracesLookedUp: 18_000, longestFieldUnderLimit: true, inserts: 1 });
  });
});

describe("the URL", () => {
  it("is refused with a path, which the client library would take as the database", async () => {
    const refusals = [];
    for (const url of [`${fake.url}/analytics`, `${fake.url}/?database=analytics`]) {
      const error = await openServer({ url, user: "default", password: "", database: "burnrate" }).catch(
        (e) => e,
      );
      refusals.push({ name: error?.name, message: error?.message });
    }
    const refusal = {
      name: "StorageError",
      message:
        "BURNRATE_CLICKHOUSE_URL (storage.clickhouse.url) must be the server's address only (like http://127.0.0.1:8123), " +
        "without a path or query string; set the database with storage.clickhouse.database (BURNRATE_CLICKHOUSE_DATABASE)",
    };
    expect({ refusals, requests: fake.requests }).toEqual({ refusals: [refusal, refusal], requests: [] });
  });

  it("keeps credentials written into it, and sends every request to the server's root", async () => {
    const withUser = new URL(fake.url);
    withUser.username = "alice";
    withUser.password = "s3cret";
    const alices = await openServer({
      url: withUser.toString(),
      user: "default",
      password: "",
      database: "burnrate",
    });
    await alices.query({ query: "SELECT 1", params: {} });
    await alices.close();
    expect(fake.requests.map((r) => ({ path: r.path, auth: r.auth, database: r.params.database }))).toEqual([
      { path: "/", auth: "alice:s3cret", database: undefined }, // CREATE DATABASE, before the database exists
      { path: "/", auth: "alice:s3cret", database: "burnrate" },
    ]);
  });
});
