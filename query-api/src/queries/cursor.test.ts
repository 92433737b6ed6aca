import { describe, expect, it } from "vitest";
import { HttpError } from "../http/http-error.js";
import { type Cursor, decodeCursor, encodeCursor, filtersDigest } from "./cursor.js";

describe("trace search cursors", () => {
  const cursor: Cursor = {
    sort: "cost",
    order: "desc",
    key: "0.022560000000",
    traceId: "a0000000000000000000000000000001",
    from: "2026-11-01T00:00:00.000Z",
    to: "2026-11-05T00:00:00.000Z",
    filters: filtersDigest({ feature: "x", user: undefined }),
  };

  it("round-trip through opaque URL-safe text", () => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it("digest filters regardless of order and of absent ones", () => {
    expect(filtersDigest({ a: "1", b: "2", c: undefined })).toBe(filtersDigest({ b: "2", a: "1" }));
    expect(filtersDigest({ a: "1" })).not.toBe(filtersDigest({ a: "2" }));
  });

  it("refuse text they did not make, or a key that could carry SQL", () => {
    for (const text of [
      "not-a-cursor",
      Buffer.from(JSON.stringify({ ...cursor, v: 1 })).toString("base64url"),
    ]) {
      expect(() => decodeCursor(text)).toThrow(HttpError);
    }
    const forged = Buffer.from(
      JSON.stringify({ v: 1, s: "cost", o: "desc", k: "1' OR 1=1", t: "t", from: "", to: "", f: "" }),
    ).toString("base64url");
    expect(() => decodeCursor(forged)).toThrow("is not a cursor this API issued");
  });
});
