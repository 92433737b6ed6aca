import { describe, expect, it } from "vitest";
import { firstCount, readBoolean, readCount, readObject, readString, readStringArray } from "./attributes.js";

const KEY = "k";

describe("readCount", () => {
  it.each([
    [1200, 1200],
    ["1200", 1200],
    [" 42 ", 42],
    [1200.9, 1200],
    ["300.7", 300],
    ["1e3", 1000],
    [-5, 0],
    ["-5", 0],
    ["n/a", 0],
    ["", 0],
    [true, 0],
    [[1, 2], 0],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 0],
    // Storage keeps counts as UInt32: anything larger is held at its largest value, not wrapped.
    [4_294_967_295, 4_294_967_295],
    [5_000_000_000, 4_294_967_295],
    ["5000000000", 4_294_967_295],
    [1e300, 4_294_967_295],
  ])("reads %j as %d", (value, expected) => {
    expect(readCount({ [KEY]: value }, KEY)).toBe(expected);
  });

  it("is undefined when absent or null, so an older name can be tried", () => {
    expect(readCount({}, KEY)).toBeUndefined();
    expect(readCount({ [KEY]: null }, KEY)).toBeUndefined();
    expect(firstCount({ b: "7" }, ["a", "b"])).toBe(7);
  });

  it("keeps a present but unusable value instead of falling back", () => {
    expect(firstCount({ a: "junk", b: 7 }, ["a", "b"])).toBe(0);
  });
});

describe("readString", () => {
  it("trims strings, stringifies numbers and booleans, and ignores the rest", () => {
    expect(readString({ [KEY]: " gpt-4o " }, KEY)).toBe("gpt-4o");
    expect(readString({ [KEY]: 42 }, KEY)).toBe("42");
    expect(readString({ [KEY]: false }, KEY)).toBe("false");
    expect(readString({ [KEY]: ["a"] }, KEY)).toBe("");
    expect(readString({}, KEY)).toBe("");
  });
});

describe("readBoolean", () => {
  it.each([
    [true, true],
    ["true", true],
    ["TRUE", true],
    [1, true],
    ["1", true],
    [false, false],
    ["false", false],
    ["yes", false],
    [undefined, false],
  ])("reads %j as %s", (value, expected) => {
    expect(readBoolean(value === undefined ? {} : { [KEY]: value }, KEY)).toBe(expected);
  });
});

describe("readStringArray", () => {
  it("accepts an array or a JSON-string array, keeping only strings", () => {
    expect(readStringArray({ [KEY]: ["a", "b"] }, KEY)).toEqual(["a", "b"]);
    expect(readStringArray({ [KEY]: '["a", 2, "b"]' }, KEY)).toEqual(["a", "b"]);
    expect(readStringArray({ [KEY]: "not json" }, KEY)).toEqual([]);
    expect(readStringArray({ [KEY]: '{"a":1}' }, KEY)).toEqual([]);
    expect(readStringArray({}, KEY)).toEqual([]);
  });
});

describe("readObject", () => {
  it("accepts a JSON string or a key-value list, and rejects arrays and junk", () => {
    expect(readObject({ [KEY]: '{"model":"gpt-4o"}' }, KEY)).toEqual({ model: "gpt-4o" });
    expect(readObject({ [KEY]: { model: "gpt-4o" } }, KEY)).toEqual({ model: "gpt-4o" });
    expect(readObject({ [KEY]: "[1]" }, KEY)).toBeUndefined();
    expect(readObject({ [KEY]: "{" }, KEY)).toBeUndefined();
    expect(readObject({ [KEY]: new Uint8Array(2) }, KEY)).toBeUndefined();
  });
});
