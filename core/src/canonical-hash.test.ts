import { describe, expect, it } from "vitest";
import { canonicalHash } from "./canonical-hash.js";

describe("canonicalHash", () => {
  it("is the same whatever the key order, at every depth, and leaves out what JSON leaves out", () => {
    const a = { b: [{ d: 1, c: 2 }], a: undefined, f: () => 1, e: null };
    expect(canonicalHash(a)).toBe(canonicalHash({ e: null, b: [{ c: 2, d: 1 }] }));
    expect(canonicalHash(a)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("orders few keys and many (past the in-place sort) as .sort() does", () => {
    for (const count of [3, 40]) {
      const names = Array.from({ length: count }, (_, i) => [`k${i}`, `${i}`, `É${i}`, `_${i}`][i % 4]!);
      const shuffled = Object.fromEntries([...names].reverse().map((name, i) => [name, i]));
      const sorted = Object.fromEntries(names.toSorted().map((name) => [name, shuffled[name]]));
      expect(canonicalHash(shuffled)).toBe(canonicalHash(sorted));
      expect(canonicalHash({ ...shuffled, [names[0]!]: -1 })).not.toBe(canonicalHash(sorted));
    }
  });

  it("reads values as JSON does", () => {
    const pairs: [unknown, unknown][] = [
      [1, 1.0],
      [-0, 0],
      [Number.NaN, null],
      [Number.POSITIVE_INFINITY, null],
      [new Date("2026-11-30T00:00:00Z"), "2026-11-30T00:00:00.000Z"],
      [
        [undefined, () => 1],
        [null, null],
      ],
      [{ toJSON: () => ({ b: 2, a: 1 }) }, { a: 1, b: 2 }],
    ];
    expect(pairs.map(([x, y]) => canonicalHash(x) === canonicalHash(y))).toEqual(pairs.map(() => true));
  });

  it("tells apart every pair of values whose canonical JSON differs", () => {
    const values: unknown[] = [
      ["ab"],
      ["a", "b"],
      "ab",
      1,
      "1",
      2 ** 31,
      2 ** 31 + 0.5,
      "2147483648",
      1.5,
      null,
      "null",
      true,
      "true",
      false,
      [],
      {},
      [[]],
      [[], []],
      { a: "b" },
      ["a", "b", "c"],
      { a: { b: "c" } },
      { "a\u0000b": 1 },
      { a: 1, b: 1 },
      "",
      [""],
      "\ud83d\ude00",
    ];
    const hashes = values.map((v) => canonicalHash(v));
    expect(new Set(hashes).size).toBe(values.length);
    // A sequence is not its concatenation either.
    expect(canonicalHash("ab", "c")).not.toBe(canonicalHash("a", "bc"));
  });

  it("gives 200,000 near-identical prompts 200,000 different hashes", () => {
    const hashes = new Set<string>();
    for (let i = 0; i < 200_000; i++) hashes.add(canonicalHash([{ role: "user", content: `item ${i}` }]));
    expect(hashes.size).toBe(200_000);
  });

  it("refuses what JSON.stringify refuses", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalHash(cyclic)).toThrow(
      new TypeError("the value is cyclic or nested too deeply to fingerprint"),
    );
    expect(() => canonicalHash({ n: 1n })).toThrow(
      new TypeError("a BigInt has no JSON form, so it cannot be fingerprinted"),
    );
  });

  it("is unaffected by a toJSON that hashes something itself", () => {
    const nested = { toJSON: () => ({ inner: canonicalHash("x", [1, 2]) }) };
    expect(canonicalHash("a", nested, 3)).toBe(canonicalHash("a", { inner: canonicalHash("x", [1, 2]) }, 3));
  });

  it("does not change between versions", () => {
    // Fingerprints are stored, and insights count repeats across days: a new hash is a
    // deliberate, announced change, never a side effect.
    expect(canonicalHash("read_file", { path: "a.ts", encoding: "utf8" })).toBe("45c6cb73e724cee4");
  });
});
