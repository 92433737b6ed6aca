import { describe, expect, it } from "vitest";
import { and, build, ident, int, join, param, sql } from "./sql.js";

describe("the SQL builder", () => {
  it("numbers parameters and never puts values in the text", () => {
    const feature = "x'); DROP TABLE llm_calls; --";
    const where = and([
      sql`project_id = ${param("String", "default")}`,
      undefined,
      sql`feature = ${param("String", feature)}`,
    ]);
    expect(
      build(sql`SELECT ${ident("cost_total")} FROM llm_calls WHERE ${where} LIMIT ${param("UInt32", 10)}`),
    ).toEqual({
      query:
        "SELECT cost_total FROM llm_calls WHERE (project_id = {p0:String}) AND (feature = {p1:String}) LIMIT {p2:UInt32}",
      params: { p0: "default", p1: feature, p2: 10 },
    });
  });

  it("gives 1 for no conditions and joins lists", () => {
    expect(build(sql`WHERE ${and([])}`)).toEqual({ query: "WHERE 1", params: {} });
    expect(build(join([sql`a`, undefined, sql`b = ${param("Int64", 1)}`], ", "))).toEqual({
      query: "a, b = {p0:Int64}",
      params: { p0: 1 },
    });
  });

  it("refuses identifiers, types and integers that are not plain", () => {
    expect(() => ident("cost; DROP")).toThrow('not a plain SQL identifier: "cost; DROP"');
    expect(() => param("String} OR 1", "x")).toThrow('not a ClickHouse type name: "String} OR 1"');
    expect(() => int(1.5)).toThrow("not a safe integer: 1.5");
  });
});
