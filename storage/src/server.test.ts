import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seamContract } from "../test/seam-contract.js";
import { isTransient, type StorageQueryError, StorageUnavailableError } from "./errors.js";
import { openServer } from "./server.js";

const url = process.env.BURNRATE_CLICKHOUSE_URL;
if (!url) {
  console.log(
    "[storage] skipping the ClickHouse server contract test: BURNRATE_CLICKHOUSE_URL is not set " +
      "(no ClickHouse server runs here; set it to e.g. http://127.0.0.1:8123 to run it)",
  );
}

describe.skipIf(!url)("ClickHouse server driver (contract)", () => {
  seamContract(() =>
    openServer({
      url: url!,
      user: process.env.BURNRATE_CLICKHOUSE_USER ?? "default",
      password: process.env.BURNRATE_CLICKHOUSE_PASSWORD ?? "",
      database: `burnrate_contract_${process.pid}`,
    }),
  );
});

describe("ClickHouse server driver start-up errors", () => {
  it("says which URL it cannot reach", async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    await expect(
      openServer({ url: "http://127.0.0.1:1", user: "default", password: "", database: "burnrate" }),
    ).rejects.toThrow(
      new StorageUnavailableError(
        "cannot reach ClickHouse at http://127.0.0.1:1 (ECONNREFUSED); check BURNRATE_CLICKHOUSE_URL",
      ),
    );
  });
});

/**
 * What the driver sends and how it reads answers, against a stand-in for ClickHouse's HTTP
 * interface on 127.0.0.1 (no server runs here; the contract test above covers a real one).
 */
describe("ClickHouse server driver on the wire", () => {
  let standIn: Server;
  let url: string;
  const received: { query: string; body: string }[] = [];
  let answer: { status: number; body: string } | "reset" = { status: 200, body: "" };
  beforeAll(async () => {
    standIn = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk;
      });
      req.on("end", () => {
        if (req.url?.startsWith("/ping")) return void res.end("Ok.\n");
        const query = new URL(req.url ?? "/", "http://x").searchParams.get("query") ?? body;
        if (!/^CREATE DATABASE/.test(query)) received.push({ query, body: query === body ? "" : body });
        if (answer === "reset") return void req.socket.destroy();
        res.writeHead(answer.status, { "content-type": "text/plain" });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => standIn.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    standIn.closeAllConnections();
    await new Promise((resolve) => standIn.close(resolve));
  });

  it("sends a ready-made JSONEachRow payload as the body of an INSERT, unchanged", async () => {
    const db = await openServer({ url, user: "default", password: "", database: "burnrate" });
    const payload = Buffer.from('{"k":"raw-1","n":11}\n{"k":"raw-2","n":12}\n');
    received.length = 0;
    answer = { status: 200, body: "" };
    await db.insertJsonEachRow("spans", payload);
    await db.close();
    expect(received).toEqual([{ query: "INSERT INTO `spans` FORMAT JSONEachRow", body: payload.toString() }]);
  });

  it("takes an answer that is not ClickHouse's (a proxy's 502 page, a dropped connection) as unavailability, to retry", async () => {
    const db = await openServer({ url, user: "default", password: "", database: "burnrate" });
    const failures: unknown[] = [];
    for (const next of [
      { status: 502, body: "<html><body>502 Bad Gateway</body></html>" },
      "reset" as const,
      {
        status: 400,
        body: "Code: 117. DB::Exception: Cannot parse JSON object here: {}: (at row 1). (INCORRECT_DATA) (version 26.7.1)",
      },
    ]) {
      answer = next;
      failures.push(await db.insertJsonEachRow("nope", Buffer.from("{}\n")).catch((error: unknown) => error));
    }
    answer = { status: 200, body: "" };
    await db.close();
    expect(
      failures.map((e) => ({
        kind: (e as Error).constructor.name,
        transient: isTransient(e),
        code: (e as StorageQueryError).clickhouseCode,
      })),
    ).toEqual([
      { kind: "StorageUnavailableError", transient: true, code: undefined },
      { kind: "StorageUnavailableError", transient: true, code: undefined },
      { kind: "StorageQueryError", transient: false, code: 117 },
    ]);
    expect((failures[0] as Error).message).toBe(
      "ClickHouse did not answer insert into nope (<html><body>502 Bad Gateway</body></html>)",
    );
  });
});
