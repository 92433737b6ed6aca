import { describe, expect, it } from "vitest";
import { seamContract } from "../test/seam-contract.js";
import { StorageUnavailableError } from "./errors.js";
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
