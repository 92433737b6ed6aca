import { describe, expect, it } from "vitest";
import { insertSplitting, pieces, STOPPED } from "./split-insert.js";

/** An insert that, like ClickHouse, refuses every row of a piece holding one it cannot read. */
function refusing(bad: Set<string>, tried: string[][]) {
  return async (rows: string[]) => {
    tried.push(rows);
    return rows.some((row) => bad.has(row))
      ? new Error(`cannot read ${rows.find((r) => bad.has(r))}`)
      : rows.length;
  };
}

describe("insertSplitting", () => {
  it("stores every row but the ones refused alone, halving refused pieces", async () => {
    const rows = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const tried: string[][] = [];
    const result = await insertSplitting(rows, refusing(new Set(["c", "h"]), tried));
    expect(result).toEqual({ stored: 6, refused: ["c", "h"], error: new Error("cannot read c") });
    expect(tried.map((t) => t.join(""))).toEqual([
      "abcdefgh",
      "abcd",
      "ab",
      "cd",
      "c",
      "d",
      "efgh",
      "ef",
      "gh",
      "g",
      "h",
    ]);
  });

  it("tries a piece of good rows once", async () => {
    const tried: string[][] = [];
    expect(await insertSplitting(["a", "b"], refusing(new Set(), tried))).toEqual({
      stored: 2,
      refused: [],
      error: undefined,
    });
    expect(tried).toHaveLength(1);
  });

  it("stops, storing nothing more, when the writer stops", async () => {
    const tried: string[][] = [];
    const attempt = async (rows: string[]) => {
      tried.push(rows);
      return rows.length > 1 ? new Error("refused") : STOPPED;
    };
    expect(await insertSplitting(["a", "b", "c"], attempt)).toBeUndefined();
    expect(tried.map((t) => t.join(""))).toEqual(["abc", "ab", "a"]);
  });
});

describe("pieces", () => {
  it("cuts rows into consecutive pieces of at most the given bytes, a larger row alone", () => {
    const rows = ["aa", "bbb", "c", "dddddd", "e", "f"];
    expect([...pieces(rows, (r) => r.length, 4)]).toEqual([["aa"], ["bbb", "c"], ["dddddd"], ["e", "f"]]);
    expect([...pieces([], (r: string) => r.length, 4)]).toEqual([]);
  });
});
