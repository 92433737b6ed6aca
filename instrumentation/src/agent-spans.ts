import {
  ATTR_BURNRATE_TOOL_RESULT_DIGEST,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  canonicalHash,
} from "@burnrate/core";
import {
  type Attributes,
  context,
  diag,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { attributionAttributes, attributionOf, contextWithAttribution } from "./attribution.js";
import { runScopeOf } from "./guard.js";
import { getRuntime } from "./runtime.js";
import { burnrateTracer } from "./tracer.js";

async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T> | T,
  extra?: (r: T) => Record<string, string>,
  ended?: (span: Span) => void,
): Promise<T> {
  const span = burnrateTracer().startSpan(name, { kind: SpanKind.INTERNAL, attributes });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), fn);
    if (extra) quietly(name, () => span.setAttributes(extra(result)));
    return result;
  } catch (error) {
    span.setAttribute(ATTR_ERROR_TYPE, (error as Error)?.constructor?.name ?? "_OTHER");
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
    if (ended) quietly(name, () => ended(span));
  }
}

/** Runs telemetry work for the span `name`; a failure is logged and never changes what `fn` returned or threw. */
function quietly(name: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    diag.error(`burnrate: telemetry failed for ${name}`, error);
  }
}

/**
 * Runs `fn` as an `invoke_agent {name}` span; LLM calls inside are attributed to the agent.
 * @example await agentSpan("planner", () => plan(task));
 */
export function agentSpan<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  return context.with(contextWithAttribution(context.active(), { agent: name }), () =>
    inSpan(
      `invoke_agent ${name}`,
      { [ATTR_GEN_AI_OPERATION_NAME]: "invoke_agent", [ATTR_GEN_AI_AGENT_NAME]: name },
      fn,
    ),
  );
}

/**
 * Runs a tool as an `execute_tool {name}` span. With `resultDigest: true` it records a hash
 * of the result in its canonical JSON form (never the result itself), which lets loop
 * detection see a tool that keeps returning the same thing. The local guard counts the tool
 * as a step of its trace and session, as the collector does.
 * @example await toolSpan("read_file", () => fs.readFile(p, "utf8"), { resultDigest: true });
 */
export function toolSpan<T>(
  name: string,
  fn: () => Promise<T> | T,
  options: { resultDigest?: boolean } = {},
): Promise<T> {
  // The runs the tool belongs to, as for an LLM call made here; the local guard counts it as a step.
  const ctx = context.active();
  const scope = runScopeOf(ctx);
  let resultDigest: string | undefined;
  return inSpan(
    `execute_tool ${name}`,
    // Attribution is set here as well as by AttributionSpanProcessor, for apps whose own
    // provider lacks it: the collector gives a tool span that names no agent to the run's
    // latest LLM call, which, with agents working side by side, can be another agent's.
    attributionAttributes(attributionOf(ctx), {
      [ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
      [ATTR_GEN_AI_TOOL_NAME]: name,
    }),
    fn,
    options.resultDigest
      ? (result) => {
          resultDigest = canonicalHash(result);
          return { [ATTR_BURNRATE_TOOL_RESULT_DIGEST]: resultDigest };
        }
      : undefined,
    (span) => getRuntime().guard.recordTool(scope, { name, spanId: span.spanContext().spanId, resultDigest }),
  );
}
