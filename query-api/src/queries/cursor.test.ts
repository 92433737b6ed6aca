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

  it("refuse any field the API would not have written, and a range past 400 days", () => {
    const fields = JSON.parse(Buffer.from(encodeCursor(cursor), "base64url").toString("utf8"));
    const byTime = { ...fields, s: "time", k: "2026-11-02 09:00:01.000000000" };
    expect(decodeCursor(Buffer.from(JSON.stringify(byTime)).toString("base64url"))).toEqual({
      ...cursor,
      sort: "time",
      key: "2026-11-02 09:00:01.000000000",
    });
    for (const forged of [
      { ...fields, extra: true },
      { ...fields, k: "0.5" },
      { ...fields, t: "" },
      { ...fields, t: "a".repeat(129) },
      { ...fields, f: "" },
      { ...fields, from: "2026-02-30T00:00:00.000Z" },
      { ...fields, from: "2026-11-01" },
      { ...fields, from: "2025-01-01T00:00:00.000Z" },
      { ...fields, from: fields.to },
      { ...byTime, k: "2026-02-30 09:00:01.000000000" },
      { ...byTime, k: "2026-11-02 09:00:01.000" },
    ]) {
      expect(() => decodeCursor(Buffer.from(JSON.stringify(forged)).toString("base64url"))).toThrow(
        "is not a cursor this API issued",
      );
    }
  });
});
