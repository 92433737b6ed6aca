/**
 * Turns the token counts a convention reports into Burnrate's one meaning (see `TokenUsage`):
 * `input` is the whole prompt, cache reads and writes included, and `output` includes reasoning.
 * Which way each convention counts is in the table in `index.ts`.
 */
import type { TokenUsage } from "../llm-call.js";
import { MAX_TOKEN_COUNT } from "./attributes.js";

/** Token counts as a convention reported them, plus what its documentation says they mean. */
export interface ReportedUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  /** Input plus output as the provider reported it; used only as a checksum. */
  total?: number | undefined;
  /** Whether the convention's `input` already counts cache reads and writes. */
  inputIncludesCache: boolean;
  /** Whether the convention's `output` already counts reasoning tokens. */
  outputIncludesReasoning: boolean;
}

/**
 * The normalised usage. A convention documented as cache-inclusive is still treated as
 * exclusive when its numbers prove otherwise, because real instrumentations disagree with
 * their own conventions (OpenInference's JS Bedrock instrumentation reports Anthropic's raw
 * `input_tokens` next to the cache counts, for example):
 * - `input < cacheRead + cacheWrite` is impossible for an inclusive count;
 * - `total === input + cacheRead + cacheWrite + output` (with cache > 0) means the provider's
 *   total added the cache on top of `input`.
 * The same two checks apply to reasoning and `output`. A sum past `MAX_TOKEN_COUNT` is held
 * there, as every reported count already is (see `toCount`).
 * @example toTokenUsage({ input: 18, output: 5, cacheRead: 2284, cacheWrite: 0, reasoning: 0,
 *   inputIncludesCache: false, outputIncludesReasoning: true }).input === 2302
 */
export function toTokenUsage(reported: ReportedUsage): TokenUsage {
  const { cacheRead, cacheWrite, reasoning, total } = reported;
  const cached = cacheRead + cacheWrite;
  const inputExcludesCache =
    !reported.inputIncludesCache ||
    reported.input < cached ||
    (cached > 0 && total === reported.input + cached + reported.output + reasoningOnTop(reported));
  const outputExcludesReasoning =
    !reported.outputIncludesReasoning ||
    reported.output < reasoning ||
    (reasoning > 0 && total === reported.input + reported.output + reasoning);
  return {
    input: inputExcludesCache ? Math.min(reported.input + cached, MAX_TOKEN_COUNT) : reported.input,
    output: outputExcludesReasoning
      ? Math.min(reported.output + reasoning, MAX_TOKEN_COUNT)
      : reported.output,
    cacheRead,
    cacheWrite,
    reasoning,
  };
}

/** Reasoning the provider's total counts beside `output`, when `output` is known to exclude it. */
function reasoningOnTop(reported: ReportedUsage): number {
  return reported.outputIncludesReasoning ? 0 : reported.reasoning;
}
