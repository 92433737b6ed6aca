import { estimateTokens } from "./estimate.js";
import type { CallResult, LlmCall } from "./llm-call.js";

/**
 * Ends a streamed call. A stream that ended without usage (no `include_usage`, or cut off)
 * gets a tokenizer estimate, marked `burnrate.usage.estimated`; an error still ends the
 * span with error status after the estimate, since the tokens were likely billed.
 */
export function settle(
  call: LlmCall,
  result: CallResult,
  outcome: { error?: unknown; closedEarly?: boolean },
  endTime: number,
  inputText: () => string,
  outputText: () => string,
): void {
  const done = () => call.finish(result, endTime, outcome.error);
  if (result.usage) {
    done();
    return;
  }
  Promise.all([estimateTokens(inputText()), estimateTokens(outputText())]).then(
    ([input, output]) => {
      result.usage = { input, output, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
      result.estimated = true;
      done();
    },
    () => done(),
  );
}
