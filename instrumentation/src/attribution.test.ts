import * as C from "@burnrate/core";
import { context, propagation, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness, testTracer } from "../test/harness.js";
import { agentSpan, toolSpan } from "./agent-spans.js";
import { currentAttribution, setAttribution, withAttribution } from "./attribution.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(() => {
  h.exporter.reset();
});
afterAll(async () => {
  setAttribution({ tenant: undefined });
  await h.close();
});

describe("attribution", () => {
  it("is copied onto every span started inside withAttribution, LLM or not", async () => {
    h.mock.enqueue({ text: "ok", usage: { input: 10, output: 2 } });
    await withAttribution(
      { feature: "search", user: "u-7", tenant: "acme", session: "s-9", taskType: "lookup" },
      async () => {
        testTracer().startSpan("db query").end();
        await h.openai.chat.completions.create({
          model: "gpt-4o",
          messages: [{ role: "user", content: "x" }],
        });
      },
    );
    const spans = await h.waitForSpans(2);
    const expected = {
      [C.ATTR_BURNRATE_FEATURE]: "search",
      [C.ATTR_BURNRATE_USER]: "u-7",
      [C.ATTR_BURNRATE_TENANT]: "acme",
      [C.ATTR_BURNRATE_SESSION]: "s-9",
      [C.ATTR_BURNRATE_TASK_TYPE]: "lookup",
    };
    expect(spans.find((s) => s.name === "db query")!.attributes).toEqual(expected);
    expect(spans.find((s) => s.name === "chat gpt-4o")!.attributes).toMatchObject(expected);
  });

  it("travels as W3C baggage, so a downstream service sees the same attribution", () => {
    const headers: Record<string, string> = {};
    withAttribution({ feature: "checkout", user: "u 1/ü" }, () =>
      propagation.inject(context.active(), headers),
    );
    expect(headers.baggage).toBe("burnrate.feature=checkout,burnrate.user=u%201%2F%C3%BC");
    // The downstream side extracts the headers and reads the same attribution.
    const downstream = propagation.extract(context.active(), headers);
    expect(currentAttribution(downstream)).toEqual({ feature: "checkout", user: "u 1/ü" });
  });

  it("nests, with inner values winning, and falls back to process-wide defaults", () => {
    setAttribution({ tenant: "default-tenant", feature: "background" });
    const seen = withAttribution({ feature: "outer", user: "u-1" }, () =>
      withAttribution({ feature: "inner" }, () => currentAttribution()),
    );
    expect(seen).toEqual({ tenant: "default-tenant", feature: "inner", user: "u-1" });
    expect(currentAttribution()).toEqual({ tenant: "default-tenant", feature: "background" });
    setAttribution({ tenant: undefined, feature: undefined });
    expect(currentAttribution()).toEqual({});
  });
});

describe("attribution given wrongly", () => {
  it("keeps a numeric id as its decimal text, on the span and in baggage", async () => {
    h.mock.enqueue({ text: "ok", usage: { input: 10, output: 2 } });
    const headers = await withAttribution(
      { user: 4711, session: 90071992547409931n, tenant: null },
      async () => {
        await h.openai.chat.completions.create({
          model: "gpt-4o",
          messages: [{ role: "user", content: "x" }],
        });
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        return carrier;
      },
    );
    const [span] = await h.waitForSpans(1);
    expect({
      user: span!.attributes[C.ATTR_BURNRATE_USER],
      session: span!.attributes[C.ATTR_BURNRATE_SESSION],
      tenant: span!.attributes[C.ATTR_BURNRATE_TENANT],
      baggage: headers.baggage,
    }).toEqual({
      user: "4711",
      session: "90071992547409931",
      tenant: undefined,
      baggage: "burnrate.user=4711,burnrate.session=90071992547409931",
    });
  });

  it("throws a TypeError naming a misspelt field or a value of the wrong kind, and runs nothing", () => {
    let ran = false;
    const run = (attribution: unknown) => () =>
      withAttribution(attribution as Parameters<typeof withAttribution>[0], () => {
        ran = true;
      });
    expect(run({ featur: "search", user: { id: 7 } })).toThrow(
      new TypeError(
        'withAttribution: user must be a string or a number, got object; unknown field "featur" ' +
          "(the fields are feature, user, tenant, agent, session, taskType)",
      ),
    );
    expect(run("u-1")).toThrow(
      new TypeError(
        "withAttribution: attribution must be an object, got string (the fields are feature, user, tenant, agent, session, taskType)",
      ),
    );
    expect(() => setAttribution({ tenant: ["acme"] } as never)).toThrow(
      "setAttribution: tenant must be a string or a number, got an array",
    );
    expect(ran).toBe(false);
    expect(currentAttribution()).toEqual({});
  });
});

describe("agent and tool spans", () => {
  it("create invoke_agent and execute_tool spans; the tool span keeps a digest, never the result", async () => {
    const secret = { rows: [{ ssn: "123-45-6789" }] };
    const result = await agentSpan("planner", () =>
      toolSpan("sql", async () => secret, { resultDigest: true }),
    );
    expect(result).toBe(secret);
    const spans = await h.waitForSpans(2);
    const tool = spans.find((s) => s.name === "execute_tool sql")!;
    const agent = spans.find((s) => s.name === "invoke_agent planner")!;
    expect(tool.attributes).toEqual({
      [C.ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
      [C.ATTR_GEN_AI_TOOL_NAME]: "sql",
      [C.ATTR_GEN_AI_AGENT_NAME]: "planner",
      [C.ATTR_BURNRATE_TOOL_RESULT_DIGEST]: C.canonicalHash({ rows: [{ ssn: "123-45-6789" }] }),
    });
    expect(JSON.stringify(tool.attributes)).not.toContain("123-45-6789");
    expect(agent.attributes).toEqual({
      [C.ATTR_GEN_AI_OPERATION_NAME]: "invoke_agent",
      [C.ATTR_GEN_AI_AGENT_NAME]: "planner",
    });
    expect(tool.parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    expect([tool.kind, agent.kind]).toEqual([SpanKind.INTERNAL, SpanKind.INTERNAL]);
  });

  it("hand back a result that has no digest (a cycle, a BigInt) untouched; the span goes without the digest", async () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const results = [
      await toolSpan("graph", () => cyclic, { resultDigest: true }),
      await toolSpan("count", () => 12n, { resultDigest: true }),
    ];
    expect(results[0]).toBe(cyclic);
    expect(results[1]).toBe(12n);
    const spans = await h.waitForSpans(2);
    expect(spans.map((s) => ({ name: s.name, status: s.status, attributes: s.attributes }))).toEqual([
      {
        name: "execute_tool graph",
        status: { code: SpanStatusCode.UNSET },
        attributes: { [C.ATTR_GEN_AI_OPERATION_NAME]: "execute_tool", [C.ATTR_GEN_AI_TOOL_NAME]: "graph" },
      },
      {
        name: "execute_tool count",
        status: { code: SpanStatusCode.UNSET },
        attributes: { [C.ATTR_GEN_AI_OPERATION_NAME]: "execute_tool", [C.ATTR_GEN_AI_TOOL_NAME]: "count" },
      },
    ]);
  });
});
