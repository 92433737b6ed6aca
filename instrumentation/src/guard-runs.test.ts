import { describe, expect, it } from "vitest";
import { BudgetExceededError } from "./errors.js";
import { Guard, type RunScope } from "./guard.js";

/** One call as the instrumentation makes it: let go by the guard, then recorded with its usage. */
function call(guard: Guard, scope: RunScope, usage: { tokens: number; costUsd: number }, n = 0): void {
  guard.admit(scope);
  const endedAt = performance.now();
  guard.record(scope, {
    ...usage,
    startedAt: endedAt - 1,
    endedAt,
    spanId: `span-${n}`,
    promptFingerprint: `prompt-${n}`,
    toolCallFingerprints: [],
  });
}

/** The error `admit` throws for `scope`, or undefined if the call may go. */
function refusal(guard: Guard, scope: RunScope): Error | undefined {
  try {
    guard.admit(scope);
  } catch (error) {
    return error as Error;
  }
  guard.release(scope);
  return undefined;
}

describe("Guard runs", () => {
  it("keeps sessions apart from traces, so a churn of other traces never makes a session forget its spend", () => {
    const guard = new Guard({ maxCostPerSession: 0.01, identicalCalls: 0, cycleRepeats: 0 });
    const alice = { traceId: "a".repeat(32), session: "alice" };
    call(guard, alice, { tokens: 3300, costUsd: 0.006 });
    call(guard, alice, { tokens: 3300, costUsd: 0.006 });
    // 10,000 requests of other users, each a trace of its own.
    for (let i = 0; i < 10_000; i++)
      call(guard, { traceId: `${i}`.padStart(32, "0") }, { tokens: 10, costUsd: 1e-5 }, i);
    const error = refusal(guard, { traceId: "b".repeat(32), session: "alice" });
    expect({ error: error?.message, usage: guard.usage("session", "alice") }).toEqual({
      error:
        "session alice spent $0.0120 of its $0.0100 budget; raise BURNRATE_MAX_COST_PER_SESSION or configure({ maxCostPerSession })",
      usage: { calls: 2, tokens: 6600, costUsd: 0.012, costNanos: 12_000_000 },
    });
  });

  it("shows amounts under a dollar to the hundredth of a cent, and counts calls in good English", () => {
    const guard = new Guard({ maxCostPerTrace: 0.005, maxCallsPerSession: 1, maxTokensPerSession: 1 });
    const run = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736" };
    call(guard, run, { tokens: 1100, costUsd: 0.0035 }, 1);
    call(guard, run, { tokens: 1100, costUsd: 0.0035 }, 2);
    call(guard, { session: "s-1" }, { tokens: 0, costUsd: 0 }, 3);
    const chat = new Guard({ maxTokensPerSession: 1 });
    call(chat, { session: "s-2" }, { tokens: 1, costUsd: 0 }, 4);
    const errors = [
      refusal(guard, run),
      refusal(guard, { session: "s-1" }),
      refusal(chat, { session: "s-2" }),
    ];
    expect(errors.map((e) => (e instanceof BudgetExceededError ? e.message : e))).toEqual([
      "trace 4bf92f35… spent $0.0070 of its $0.0050 budget; raise BURNRATE_MAX_COST_PER_TRACE or configure({ maxCostPerTrace })",
      "session s-1 made 1 LLM call, its limit is 1; raise BURNRATE_MAX_CALLS_PER_SESSION or configure({ maxCallsPerSession })",
      "session s-2 used 1 token, its limit is 1; raise BURNRATE_MAX_TOKENS_PER_SESSION or configure({ maxTokensPerSession })",
    ]);
  });

  it("says by how much a run passed its budget when cents would make the two read the same", () => {
    const guard = new Guard({ maxCostPerTrace: 10 });
    const run = { traceId: "d".repeat(32) };
    call(guard, run, { tokens: 1000, costUsd: 9.999 }, 1);
    call(guard, run, { tokens: 10, costUsd: 0.005 }, 2);
    expect(refusal(guard, run)?.message).toBe(
      "trace dddddddd… spent $10.004 of its $10.000 budget; raise BURNRATE_MAX_COST_PER_TRACE or configure({ maxCostPerTrace })",
    );
  });

  it("does not count a call it refused", () => {
    const guard = new Guard({ maxCallsPerTrace: 1 });
    const run = { traceId: "c".repeat(32) };
    call(guard, run, { tokens: 10, costUsd: 0 });
    for (let i = 0; i < 3; i++) expect(refusal(guard, run)).toBeInstanceOf(BudgetExceededError);
    expect(guard.usage("trace", run.traceId)?.calls).toBe(1);
  });
});
