import { describe, expect, it } from "vitest";
import { RecentIds } from "./recent-ids.js";

describe("RecentIds", () => {
  it("reports repeats and forgets the oldest past its capacity", () => {
    const seen = new RecentIds(2);
    expect(["a", "a", "b", "c", "a", "c"].map((id) => seen.add(id))).toEqual([
      true,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(seen.size).toBe(2);
  });

  it("refuses a capacity that could not remember anything", () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
  });
});
