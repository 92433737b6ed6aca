import * as C from "@burnrate/core";
import { SpanStatusCode } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, testTracer } from "../test/harness.js";
import { toolSpan } from "./agent-spans.js";
import { withAttribution } from "./attribution.js";
import { budget, budgetNote, configure } from "./budget.js";
import { BudgetExceededError, RunawayLoopError } from "./errors.js";
import { guardConfigFromEnv } from "./guard-config.js";
import { getRuntime } from "./runtime.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const tools = [
  { type: "function" as const, function: { name: "read_file", parameters: { type: "object" } } },
];

describe("local guards", () => {
  it("stop a loop of identical tool calls at the threshold; nothing more reaches the server", async () => {
    configure({ identicalCalls: 3 });
    h.mock.setDefault({ toolCalls: [{ name: "read_file", arguments: { path: "a.ts" } }] });
    const history: { role: "user" | "assistant"; content: string }[] = [
      { role: "user", content: "fix the bug" },
    ];
    const root = testTracer().startSpan("agent run");
    const { context, trace } = await import("@opentelemetry/api");
    const error = await context.with(trace.setSpan(context.active(), root), async () => {
      try {
        for (let turn = 0; turn < 10; turn++) {
          await h.openai.chat.completions.create({ model: "gpt-4o-mini", messages: history, tools });
          history.push({ role: "assistant", content: `turn ${turn}` });
        }
      } catch (e) {
        return e;
      }
    });
    root.end();
    expect(error).toBeInstanceOf(RunawayLoopError);
    expect(h.mock.requestCount("openai.chat")).toBe(3);
    const stop = error as RunawayLoopError;
    const traceId = root.spanContext().traceId;
    expect({ ...stop, message: stop.message }).toEqual({
      message:
        `trace ${traceId.slice(0, 8)}… requested the same tool call 3 times in a row, the limit is 3; ` +
        "the agent is looping; raise BURNRATE_LOOP_IDENTICAL_CALLS if this repetition is intended",
      name: "RunawayLoopError",
      scope: { trace: traceId },
      measure: "identical_calls",
      spent: 3,
      limit: 3,
      hint: "the agent is looping; raise BURNRATE_LOOP_IDENTICAL_CALLS if this repetition is intended",
      decision: undefined,
    });
    const stopped = h.spans().find((s) => s.events.some((e) => e.name === C.EVENT_BURNRATE_GUARD_STOP))!;
    expect(stopped.status.code).toBe(SpanStatusCode.ERROR);
    expect(stopped.attributes[C.ATTR_ERROR_TYPE]).toBe("RunawayLoopError");
    expect(stopped.events[0]!.attributes).toEqual({
      [C.ATTR_BURNRATE_GUARD_MEASURE]: "identical_calls",
      [C.ATTR_BURNRATE_GUARD_SPENT]: 3,
      [C.ATTR_BURNRATE_GUARD_LIMIT]: 3,
    });
    // Raising the threshold, as the hint says, lets the run go on.
    configure({ identicalCalls: 5 });
    await context.with(trace.setSpan(context.active(), root), () =>
      h.openai.chat.completions.create({ model: "gpt-4o-mini", messages: history, tools }),
    );
    expect(h.mock.requestCount("openai.chat")).toBe(4);
    h.mock.reset();
  });

  it("do not count requests the server refused as loop steps: nothing was billed, as in the collector", async () => {
    configure({ identicalCalls: 3 });
    h.mock.setDefault({ error: { status: 400, message: "context too long" } });
    const messages = [{ role: "user" as const, content: "summarise the repository" }];
    try {
      const errors = await withAttribution({ session: "sess-retrying" }, async () => {
        const seen: string[] = [];
        for (let attempt = 0; attempt < 6; attempt++) {
          const error = await h.openai.chat.completions
            .create({ model: "gpt-4o-mini", messages })
            .catch((e: Error) => e);
          seen.push((error as Error).constructor.name);
          if (error instanceof RunawayLoopError) break;
        }
        return seen;
      });
      // Each retry is refused before the model runs; a loop of billed work it is not.
      expect({ errors, requests: h.mock.requestCount("openai.chat") }).toEqual({
        errors: Array.from({ length: 6 }, () => "BadRequestError"),
        requests: 6,
      });
    } finally {
      getRuntime().guard.reset();
      configure({ identicalCalls: 5 });
      h.mock.reset();
    }
  });

  it("stop a cycle at the threshold, whose steps are the LLM calls and the tools they asked for, as in the collector", async () => {
    configure({ identicalCalls: 5, cycleRepeats: 3 });
    const { context, trace } = await import("@opentelemetry/api");
    const root = testTracer().startSpan("agent run");
    const history: { role: "user" | "assistant"; content: string }[] = [{ role: "user", content: "fix it" }];
    const ran: string[] = [];
    const error = await context.with(trace.setSpan(context.active(), root), async () => {
      try {
        for (let turn = 0; turn < 12; turn++) {
          // The agent alternates: read the file, run the tests, read the file again, …
          const name = turn % 2 === 0 ? "read_file" : "run_tests";
          h.mock.enqueue({ toolCalls: [{ name, arguments: { path: "a.ts" } }] });
          await h.openai.chat.completions.create({ model: "gpt-4o-mini", messages: history, tools });
          await toolSpan(name, () => ran.push(name), { resultDigest: true });
          history.push({ role: "assistant", content: `turn ${turn}` });
        }
      } catch (e) {
        return e;
      }
    });
    root.end();
    // Steps: llm(read_file) llm(run_tests), a block of 2 (a tool run is its call's execution,
    // not a step of its own). Its third repetition ends with the sixth call, so the seventh is never sent.
    expect(ran).toEqual(["read_file", "run_tests", "read_file", "run_tests", "read_file", "run_tests"]);
    expect(h.mock.requestCount("openai.chat")).toBe(6);
    const traceId = root.spanContext().traceId;
    const stop = error as RunawayLoopError;
    expect(stop).toBeInstanceOf(RunawayLoopError);
    expect({ ...stop, message: stop.message }).toEqual({
      message:
        `trace ${traceId.slice(0, 8)}… repeated a cycle of 2 steps 3 times, the limit is 3; ` +
        "the agent is looping; raise BURNRATE_LOOP_CYCLE_REPEATS if this cycle is intended",
      name: "RunawayLoopError",
      scope: { trace: traceId },
      measure: "cycle_repeats",
      spent: 3,
      limit: 3,
      hint: "the agent is looping; raise BURNRATE_LOOP_CYCLE_REPEATS if this cycle is intended",
      decision: undefined,
    });
    h.mock.reset();
    configure({ cycleRepeats: 5 });
  });

  it("let a polling tool on the loop allowlist repeat, as the collector's allowlist does", async () => {
    const { context, trace } = await import("@opentelemetry/api");
    const poll = async (allowlist: string[]) => {
      configure({ identicalCalls: 3, loopAllowlist: allowlist });
      h.mock.reset();
      h.mock.setDefault({ toolCalls: [{ name: "poll_job", arguments: { job_id: "job-7" } }] });
      const root = testTracer().startSpan("export run");
      const history: { role: "user" | "assistant"; content: string }[] = [
        { role: "user", content: "export" },
      ];
      const outcome = await context.with(trace.setSpan(context.active(), root), async () => {
        try {
          for (let turn = 0; turn < 8; turn++) {
            await h.openai.chat.completions.create({ model: "gpt-4o-mini", messages: history, tools });
            await toolSpan("poll_job", () => ({ status: "running" }), { resultDigest: true });
            history.push({ role: "assistant", content: `poll ${turn}` });
          }
          return "finished";
        } catch (e) {
          return (e as RunawayLoopError).measure;
        }
      });
      root.end();
      return { outcome, requests: h.mock.requestCount("openai.chat") };
    };
    expect(await poll(["poll_job"])).toEqual({ outcome: "finished", requests: 8 });
    expect(await poll([])).toEqual({ outcome: "identical_calls", requests: 3 });
    h.mock.reset();
    configure({ identicalCalls: 5 });
  });

  it("read settings from the environment, ignoring a bad value with a warning that names its variable", () => {
    const warnings: string[] = [];
    const config = guardConfigFromEnv(
      {
        BURNRATE_MAX_CALLS_PER_TRACE: "40",
        BURNRATE_MAX_COST_PER_TRACE: "2$",
        BURNRATE_LOOP_IDENTICAL_CALLS: "1",
        BURNRATE_LOOP_CYCLE_REPEATS: "2.5",
        BURNRATE_LOOP_ALLOWLIST: "poll_job, wait_for_build,",
      },
      (message) => warnings.push(message),
    );
    expect({ config, warnings }).toEqual({
      config: {
        enabled: true,
        maxCallsPerTrace: 40,
        identicalCalls: 5,
        cycleRepeats: 5,
        loopAllowlist: ["poll_job", "wait_for_build"],
      },
      warnings: [
        'BURNRATE_MAX_COST_PER_TRACE="2$" is ignored: not a number',
        'BURNRATE_LOOP_IDENTICAL_CALLS="1" is ignored: Too small: expected number to be >=2',
        'BURNRATE_LOOP_CYCLE_REPEATS="2.5" is ignored: must be 0 (off) or a whole number of at least 2',
      ],
    });
  });

  it("stop a call made through SDK helpers and chained methods with the typed error, and leave no unhandled rejection", async () => {
    configure({ maxCallsPerTrace: 1 });
    h.mock.reset();
    h.mock.setDefault({ text: "ok", usage: { input: 10, output: 2 } });
    const { context, trace } = await import("@opentelemetry/api");
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const messages = [{ role: "user" as const, content: "go" }];
    const stopped = async (label: string, after: () => Promise<unknown>) => {
      const root = testTracer().startSpan(label);
      const error = await context.with(trace.setSpan(context.active(), root), async () => {
        await h.openai.chat.completions.create({ model: "gpt-4o-mini", messages }); // the run's one call
        return after().then(
          () => undefined,
          (e: Error) => e,
        );
      });
      root.end();
      const stop = error instanceof BudgetExceededError ? error : (error as Error | undefined)?.cause;
      return `${label}: ${error?.constructor.name}${stop instanceof BudgetExceededError && stop !== error ? " caused by BudgetExceededError" : ""}`;
    };
    const results = [
      await stopped("withResponse", () =>
        h.openai.chat.completions.create({ model: "gpt-4o-mini", messages }).withResponse(),
      ),
      await stopped("chat.completions.parse", () =>
        h.openai.chat.completions.parse({ model: "gpt-4o-mini", messages }),
      ),
      await stopped("messages.stream", () =>
        h.anthropic.messages.stream({ model: "claude-sonnet-4-6", max_tokens: 10, messages }).finalMessage(),
      ),
    ];
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off("unhandledRejection", onUnhandled);
    expect({ results, unhandled, requests: h.mock.requestCount("openai.chat") }).toEqual({
      results: [
        "withResponse: BudgetExceededError",
        "chat.completions.parse: BudgetExceededError",
        "messages.stream: AnthropicError caused by BudgetExceededError",
      ],
      unhandled: [],
      requests: 3, // each run's first call; nothing after a stop
    });
    expect(h.mock.requestCount("anthropic.messages")).toBe(0);
    configure({ maxCallsPerTrace: undefined });
    h.mock.reset();
  });

  it("configure() refuses a bad setting by name and keeps the settings it had", () => {
    const before = getRuntime().guard.config;
    const refusal = (settings: unknown) => {
      try {
        configure(settings as never);
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
      return "accepted";
    };
    expect(
      [
        { maxCostPerTrace: -1 },
        { maxCallsPerTrce: 3 },
        { maxCallsPerTrace: 2.5 },
        null,
        undefined,
        "x",
        [1],
      ].map(refusal),
    ).toEqual([
      "TypeError: configure: maxCostPerTrace: Too small: expected number to be >0",
      "TypeError: configure: maxCallsPerTrce: not a guard setting",
      "TypeError: configure: maxCallsPerTrace: Invalid input: expected int, received number",
      "TypeError: configure: expected an object of guard settings, got null",
      "TypeError: configure: expected an object of guard settings, got undefined",
      "TypeError: configure: expected an object of guard settings, got string",
      "TypeError: configure: expected an object of guard settings, got an array",
    ]);
    expect(getRuntime().guard.config).toEqual(before);
  });

  it("stop a session at its cost budget before the next request, and show the budget to the agent", async () => {
    configure({ identicalCalls: 0, maxCostPerSession: 0.01 });
    h.mock.setDefault({ text: "ok", usage: { input: 1000, output: 300 } }); // 1000*$2.5/M + 300*$10/M = $0.0055
    const run = () =>
      h.openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "go" }] });
    const result = await withAttribution({ session: "sess-budget" }, async () => {
      await run();
      const halfway = { budget: budget(), note: budgetNote() };
      await run();
      const error = await run().catch((e: unknown) => e);
      return { halfway, error };
    });
    expect(result.halfway).toEqual({
      budget: {
        scope: { session: "sess-budget" },
        spentUsd: 0.0055,
        remainingUsd: 0.0045,
        calls: 1,
        remainingCalls: undefined,
        tokens: 1300,
        remainingTokens: undefined,
      },
      note: "Budget: $0.0055 spent, $0.0045 left; 1 call made.",
    });
    expect(result.error).toBeInstanceOf(BudgetExceededError);
    expect((result.error as Error).message).toBe(
      "session sess-budget spent $0.0110 of its $0.0100 budget; raise BURNRATE_MAX_COST_PER_SESSION or configure({ maxCostPerSession })",
    );
    expect(h.mock.requestCount("openai.chat")).toBe(2);
    getRuntime().guard.reset();
    configure({ maxCostPerSession: undefined, identicalCalls: 5 });
  });
});
