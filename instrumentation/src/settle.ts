import type { TokenUsage } from "@burnrate/core";
import { diag } from "@opentelemetry/api";
import { estimateTokens } from "./estimate.js";
import type { CallResult, LlmCall } from "./llm-call.js";

/** What a streamed call's usage is estimated from, when the stream did not report it. */
export interface UsageEstimate {
  /** The prompt's text; not read when `prompt` is known. */
  inputText: () => string;
  outputText: () => string;
  /**
   * The prompt's exact counts, when the stream reported them before it ended (Anthropic's
   * `message_start`): they are billed however the stream ends, so only the output is estimated.
   */
  prompt?: Pick<TokenUsage, "input" | "cacheRead" | "cacheWrite" | "cacheWrite1h">;
}

/**
 * A failure the provider reported in a body or stream that otherwise arrived whole, such as a
 * Responses `response.failed`: the SDK hands it over without throwing.
 */
export interface ReportedFailure {
  /** The provider's error code or type, which becomes `error.type`. */
  type: string;
  message?: string;
}

/**
 * Ends a streamed call. A stream that ended without usage (no `include_usage`, or cut off)
 * gets a tokenizer estimate, marked `burnrate.usage.estimated`; an error still ends the
 * span with error status after the estimate, since the tokens were likely billed. Loop
 * detection sees such a call as soon as it ends, and the guard adds its estimated tokens and
 * cost once they are known.
 */
export function settle(
  call: LlmCall,
  result: CallResult,
  outcome: { error?: unknown; closedEarly?: boolean },
  /** When the stream ended, a `performance.now()` reading. */
  endTime: number,
  estimate: UsageEstimate,
  failure?: ReportedFailure,
): void {
  const done = () => {
    if (failure && outcome.error === undefined) call.reportFailure(failure.type, failure.message);
    call.finish(result, endTime, outcome.error);
  };
  if (result.usage) {
    done();
    return;
  }
  const { prompt } = estimate;
  let texts: [string, string];
  try {
    texts = [prompt ? "" : estimate.inputText(), estimate.outputText()];
  } catch (error) {
    diag.error("burnrate: could not read a stream's text to estimate its usage", error);
    done();
    return;
  }
  // Loop detection sees the call now; the estimate can take a while (the tokenizer loads on
  // first use) and the agent's next call must not get past a loop stop meanwhile. Its tokens
  // are nonzero exactly when the estimate's will be.
  const tokens = (prompt ? prompt.input : texts[0].length) + texts[1].length;
  call.recordStep(result, tokens, outcome.error !== undefined || failure !== undefined, endTime);
  Promise.all([estimateTokens(texts[0]), estimateTokens(texts[1])]).then(
    ([input, output]) => {
      const counts = prompt ?? { input, cacheRead: 0, cacheWrite: 0 };
      result.usage = { ...counts, output, reasoning: 0 };
      result.estimated = true;
      done();
    },
    () => done(),
  );
}
