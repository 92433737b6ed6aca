import { context, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { testTracer, useHarness } from "../test/harness.js";
import { withAttribution } from "./attribution.js";
import { budget, budgetNote, configure } from "./budget.js";
import { getRuntime } from "./runtime.js";

const h = useHarness();

afterEach(() => {
  getRuntime().guard.reset();
  configure({
    maxCallsPerTrace: undefined,
    maxCallsPerSession: undefined,
    maxCostPerTrace: undefined,
    maxCostPerSession: undefined,
  });
});

const ask = (text: string) =>
  h.openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: text }] });

describe("budget()", () => {
  it("reports, for each measure, the tighter of the current trace and session", async () => {
    // 1000 in, 100 out on gpt-4o: $0.0035 a call.
    h.mock.setDefault({ text: "ok", usage: { input: 1000, output: 100 } });
    configure({ maxCallsPerSession: 10, maxCallsPerTrace: 1, maxCostPerSession: 0.005, maxCostPerTrace: 1 });
    const root = testTracer().startSpan("agent run");
    const result = await withAttribution({ session: "chat-7" }, () =>
      context.with(trace.setSpan(context.active(), root), async () => {
        await ask("a");
        return { budget: budget(), note: budgetNote(), next: await ask("b").catch((e: Error) => e.name) };
      }),
    );
    root.end();
    expect(result).toEqual({
      budget: {
        scope: { trace: root.spanContext().traceId, session: "chat-7" },
        // The session's $0.0050 leaves less than the trace's $1.
        spentUsd: 0.0035,
        remainingUsd: 0.0015,
        // The trace's one call leaves less than the session's ten.
        calls: 1,
        remainingCalls: 0,
        tokens: 1100,
        remainingTokens: undefined,
      },
      note: "Budget: $0.0035 spent, $0.0015 left; 1 call made, 0 left.",
      next: "BudgetExceededError",
    });
  });

  it("reports no limit outside any trace and session, where none applies", () => {
    configure({ maxCallsPerTrace: 1, maxCostPerTrace: 1 });
    expect({ budget: budget(), note: budgetNote() }).toEqual({
      budget: {
        scope: {},
        spentUsd: 0,
        remainingUsd: undefined,
        calls: 0,
        remainingCalls: undefined,
        tokens: 0,
        remainingTokens: undefined,
      },
      note: "Budget: $0.0000 spent; 0 calls made.",
    });
  });
});
