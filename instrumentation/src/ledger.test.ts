import { describe, expect, it } from "vitest";
import { Ledger, usd } from "./ledger.js";

describe("Ledger", () => {
  it("adds spend exactly, so ten $0.10 calls make $1.00 and meet a $1 limit", () => {
    const ledger = new Ledger();
    for (let i = 0; i < 10; i++) {
      ledger.reserve("trace-1");
      ledger.add("trace-1", { tokens: 100, costUsd: 0.1 });
    }
    expect(ledger.get("trace-1")).toEqual({ calls: 10, tokens: 1_000, costUsd: 1, costNanos: 1_000_000_000 });
  });

  it("counts a call when it is reserved, before its usage is added, and takes back a released one", () => {
    const ledger = new Ledger();
    ledger.reserve("trace-1");
    ledger.reserve("trace-1");
    const inFlight = { ...ledger.get("trace-1") };
    ledger.release("trace-1");
    ledger.add("trace-1", { tokens: 30, costUsd: 0.002 });
    expect({ inFlight, after: ledger.get("trace-1") }).toEqual({
      inFlight: { calls: 2, tokens: 0, costUsd: 0, costNanos: 0 },
      after: { calls: 1, tokens: 30, costUsd: 0.002, costNanos: 2_000_000 },
    });
  });
});

describe("usd", () => {
  it("keeps what small agents spend visible", () => {
    expect([0, 0.000042, 0.0001, 0.005, 0.99994, 1, 12.345].map(usd)).toEqual([
      "$0.0000",
      "$0.000042",
      "$0.0001",
      "$0.0050",
      "$0.9999",
      "$1.00",
      "$12.35",
    ]);
  });
});
