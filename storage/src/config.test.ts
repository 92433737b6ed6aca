import { describe, expect, it } from "vitest";
import { storageConfigSchema } from "./config.js";

/** The issues the schema finds in a ClickHouse URL, as [path, message] pairs; [] when it takes it. */
function urlIssues(url: string): [string, string][] {
  const result = storageConfigSchema.safeParse({ clickhouse: { url } });
  return result.success ? [] : result.error.issues.map((i) => [i.path.join("."), i.message]);
}

describe("storage.clickhouse.url", () => {
  it("takes a server's address, with or without credentials and a final slash", () => {
    expect(
      ["http://clickhouse:8123", "https://ch.example.com:8443/", "http://alice:s3cret@127.0.0.1:8123"].map(
        urlIssues,
      ),
    ).toEqual([[], [], []]);
  });

  it("refuses a path or a query string, which the client library would read as the database or as its options", () => {
    const refused: [string, string] = [
      "clickhouse.url",
      "must be the server's address only (like http://127.0.0.1:8123), without a path or query string; " +
        "set the database with storage.clickhouse.database (BURNRATE_CLICKHOUSE_DATABASE)",
    ];
    expect(
      [
        "http://clickhouse:8123/analytics",
        "http://clickhouse:8123/?database=analytics",
        "http://clickhouse:8123?request_timeout=60000",
      ].map(urlIssues),
    ).toEqual([[refused], [refused], [refused]]);
  });

  it("says only that a URL without http:// is not one", () => {
    expect(urlIssues("clickhouse:8123")).toEqual([["clickhouse.url", "must be an http:// or https:// URL"]]);
  });
});
