import { describe, expect, it } from "vitest";
import { detectRepetition } from "./repetition.js";

describe("detectRepetition", () => {
  it("finds the same step repeated at the tail", () => {
    expect(detectRepetition(["x", "a", "a", "a"])).toEqual({ period: 1, repeats: 3 });
  });

  it("finds cycles of period 2 to 6", () => {
    expect(detectRepetition(["a", "b", "a", "b", "a", "b"])).toEqual({ period: 2, repeats: 3 });
    const cycle = ["plan", "read", "edit", "test", "fail"];
    expect(detectRepetition(["start", ...cycle, ...cycle, ...cycle, ...cycle])).toEqual({
      period: 5,
      repeats: 4,
    });
  });

  it("does not fire on varied work or a repeat that is not at the tail", () => {
    expect(detectRepetition(["search", "read", "edit", "test", "commit"])).toBeUndefined();
    expect(detectRepetition(["a", "a", "a", "b"])).toBeUndefined();
    expect(detectRepetition([])).toBeUndefined();
  });

  it("ignores periods longer than the limit", () => {
    const seven = ["1", "2", "3", "4", "5", "6", "7"];
    expect(detectRepetition([...seven, ...seven], 6)).toBeUndefined();
  });
});
