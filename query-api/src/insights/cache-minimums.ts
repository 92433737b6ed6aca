/**
 * The shortest prompt prefix a model will cache, in tokens, by model family. A shorter
 * prefix is sent at the full input price even when marked for caching, with no error.
 *
 * Anthropic's published minimums ("Cache limitations" on
 * https://platform.claude.com/docs/en/build-with-claude/prompt-caching, as quoted in
 * anthropics/anthropic-sdk-python#1194 and in orq.ai's gateway docs): 4,096 tokens for Claude
 * Opus 4.6, Opus 4.5 and Haiku 4.5; 2,048 for Claude Haiku 3.5 and Haiku 3; 1,024 for Claude
 * Sonnet 4.5, Opus 4.1, Opus 4, Sonnet 4 and Sonnet 3.7. Claude Sonnet 4.6 is listed at 1,024
 * by that page and at 2,048 by orq.ai, and the issue above saw nothing cached below 2,048; the
 * larger figure is used, so no saving is promised on a prefix the API would not cache.
 *
 * A family name is found anywhere in the model id, so Bedrock's
 * `anthropic.claude-haiku-4-5-20251001-v1:0` and Vertex's `claude-sonnet-4-5@20250929` find
 * theirs; the longest name found wins, so `claude-opus-4-5-20251101` is Opus 4.5, not Opus 4.
 */
const CLAUDE_MINIMUMS: readonly (readonly [family: string, tokens: number])[] = [
  ["claude-opus-4-6", 4_096],
  ["claude-opus-4-5", 4_096],
  ["claude-haiku-4-5", 4_096],
  ["claude-sonnet-4-6", 2_048],
  ["claude-3-5-haiku", 2_048],
  ["claude-3-haiku", 2_048],
  ["claude-sonnet-4-5", 1_024],
  ["claude-opus-4-1", 1_024],
  ["claude-opus-4", 1_024],
  ["claude-sonnet-4", 1_024],
  ["claude-3-7-sonnet", 1_024],
];
const LONGEST_FIRST = [...CLAUDE_MINIMUMS].sort((a, b) => b[0].length - a[0].length);

/** A Claude model not in the table gets the largest published minimum. */
const UNLISTED_CLAUDE = 4_096;

/**
 * Everyone else: OpenAI caches prompts of 1,024 tokens or more
 * (https://platform.openai.com/docs/guides/prompt-caching), the smallest minimum of any model
 * here, so no other model's prefix is left out for being short.
 */
export const SMALLEST_CACHEABLE_PROMPT = 1_024;

/**
 * The minimum cacheable prompt of `model`, in tokens.
 * @example minCacheablePrompt("claude-haiku-4-5-20251001") // 4096
 */
export function minCacheablePrompt(model: string): number {
  const name = model.toLowerCase();
  for (const [family, tokens] of LONGEST_FIRST) if (name.includes(family)) return tokens;
  return name.includes("claude") ? UNLISTED_CLAUDE : SMALLEST_CACHEABLE_PROMPT;
}
