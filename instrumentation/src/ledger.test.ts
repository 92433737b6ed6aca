import { describe, expect, it } from "vitest";
import { Ledger } from "./ledger.js";

describe("Ledger", () => {
  it("adds spend exactly, so ten $0.10 calls make $1.00 and meet a $1 limit", () => {
    const ledger = new Ledger();
    for (let i = 0; i < 10; i++) ledger.record("trace-1", { tokens: 100, costUsd: 0.1 });
    expect(ledger.get("trace-1")).toEqual({ calls: 10, tokens: 1_000, costUsd: 1, costNanos: 1_000_000_000 });
  });
});
