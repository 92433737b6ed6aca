import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeClickHouse, FIELD_TOO_LONG, refuse, startFakeClickHouse } from "../test/fake-clickhouse.js";
import type { ClickHouse } from "./client.js";
import { isTransient, type StorageQueryError } from "./errors.js";
import { openServer } from "./server.js";

/**
 * How the server driver reads ClickHouse's answers, against a stand-in for its HTTP interface
 * that answers as ClickHouse does (no server runs here).
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

/** The error a call failed with, as the collector's writer weighs it. */
async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as StorageQueryError,
  );
  return error && { name: error.name, code: error.clickhouseCode, transient: isTransient(error) };
}

const OOM =
  "Code: 241. DB::Exception: Memory limit (total) exceeded: would use 3.50 GiB. (MEMORY_LIMIT_EXCEEDED) (version 24.8.4.13 (official build))";
const ROW = '{"trace_id":"t1","cost":"0.100000000000"}\n';
const ndjson = { "content-type": "application/x-ndjson; charset=UTF-8" };

describe("an exception after ClickHouse has sent 200 and some rows", () => {
  it("is a refusal with its code when it comes as an {exception} row (24.8 to 24.10 by default)", async () => {
    fake.answer((_request, res) => {
      res.writeHead(200, ndjson);
      res.write(ROW);
      res.end(`${JSON.stringify({ exception: OOM })}\n`);
    });
    expect(await failure(db.query({ query: "SELECT trace_id, cost FROM llm_calls", params: {} }))).toEqual({
      name: "StorageQueryError",
      code: 241,
      transient: true,
    });
  });

  it("is a refusal with its code when it comes as a last line of text", async () => {
    fake.answer((_request, res) => {
      res.writeHead(200, ndjson);
      res.write(ROW);
      res.end(`${OOM}\n`);
    });
    const error = await db
      .query({ query: "SELECT trace_id, cost FROM llm_calls", params: {} })
      .catch((e) => e);
    expect({ name: error.name, code: error.clickhouseCode, message: error.message }).toEqual({
      name: "StorageQueryError",
      code: 241,
      message: `${OOM} [while running: SELECT trace_id, cost FROM llm_calls]`,
    });
  });

  it("is a refusal with its code when the server then cuts the response (24.11 and later)", async () => {
    fake.answer((_request, res, req) => {
      res.writeHead(200, ndjson);
      res.write(ROW);
      res.write(`__exception__\r\n${OOM}\n`);
      // No closing chunk: the server breaks the response so that no client takes it as whole.
      setTimeout(() => req.socket.destroy(), 20);
    });
    expect(await failure(db.query({ query: "SELECT 1", params: {} }))).toEqual({
      name: "StorageQueryError",
      code: 241,
      transient: true,
    });
  });

  it("is a refusal with its code when the cut response ends in an {exception} row", async () => {
    fake.answer((_request, res, req) => {
      res.writeHead(200, ndjson);
      res.write(ROW);
      res.write(`${JSON.stringify({ exception: OOM })}\n`);
      setTimeout(() => req.socket.destroy(), 20);
    });
    expect(await failure(db.query({ query: "SELECT 1", params: {} }))).toEqual({
      name: "StorageQueryError",
      code: 241,
      transient: true,
    });
  });

  it("still reads rows that only look like an exception inside their values", async () => {
    const row = { note: "Code: 241. DB::Exception: quoted in a prompt" };
    fake.answer((_request, res) => {
      res.writeHead(200, ndjson);
      res.end(`${JSON.stringify(row)}\n`);
    });
    expect(await db.query({ query: "SELECT note FROM x", params: {} })).toEqual([row]);
  });
});

describe("an answer the client library cannot read", () => {
  it("keeps ClickHouse's code: a URL field over http_max_field_value_size is refused, not retried", async () => {
    fake.answer((_request, res) => {
      res.writeHead(500, { "X-ClickHouse-Exception-Code": "1000" });
      res.end(FIELD_TOO_LONG);
    });
    expect(await failure(db.query({ query: "SELECT 1", params: {} }))).toEqual({
      name: "StorageQueryError",
      code: 1000,
      transient: false,
    });
  });
});

describe("refusals that may pass later", () => {
  it("are retried, so the writer keeps the batch rather than setting its rows aside", async () => {
    const refusals: [number, string][] = [
      [243, "Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)"],
      [201, "Quota for user `burnrate` for 3600s has been exceeded. (QUOTA_EXCEEDED)"],
      [439, "Cannot schedule a task: cannot allocate thread. (CANNOT_SCHEDULE_TASK)"],
      [173, "Cannot allocate memory. (CANNOT_ALLOCATE_MEMORY)"],
      [394, "Query was cancelled. (QUERY_WAS_CANCELLED)"],
      [236, "Query was aborted. (ABORTED)"],
      [
        216,
        "Query with id = burnrate-insert-spans-1f2e is already running. (QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING)",
      ],
    ];
    const seen = [];
    for (const [code, text] of refusals) {
      fake.answer((_request, res) => refuse(res, 500, code, text));
      seen.push(await failure(db.insertJsonEachRow("spans", Buffer.from("{}\n"))));
    }
    fake.answer((_request, res) => void res.end());
    expect(seen).toEqual(refusals.map(([code]) => ({ name: "StorageQueryError", code, transient: true })));
  });
});
