import * as C from "@burnrate/core";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, describe, expect, it } from "vitest";
import { agentSpan, toolSpan } from "./agent-spans.js";
import { withAttribution } from "./attribution.js";

// An app's own provider, without Burnrate's AttributionSpanProcessor.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
afterAll(() => provider.shutdown());

describe("toolSpan under an app's own tracer provider", () => {
  it("names the agent and the rest of the attribution on the tool span itself", async () => {
    await withAttribution({ feature: "triage", session: "s-9" }, () =>
      Promise.all([
        agentSpan("watcher-a", () => toolSpan("poll_job", () => ({ done: false }))),
        agentSpan("watcher-b", () => toolSpan("poll_job", () => ({ done: false }))),
      ]),
    );
    const tools = exporter
      .getFinishedSpans()
      .filter((s) => s.name === "execute_tool poll_job")
      .map((s) => s.attributes)
      .sort((a, b) => String(a[C.ATTR_GEN_AI_AGENT_NAME]).localeCompare(String(b[C.ATTR_GEN_AI_AGENT_NAME])));
    const attributes = (agent: string) => ({
      [C.ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
      [C.ATTR_GEN_AI_TOOL_NAME]: "poll_job",
      [C.ATTR_GEN_AI_AGENT_NAME]: agent,
      [C.ATTR_BURNRATE_FEATURE]: "triage",
      [C.ATTR_BURNRATE_SESSION]: "s-9",
    });
    expect(tools).toEqual([attributes("watcher-a"), attributes("watcher-b")]);
  });
});
