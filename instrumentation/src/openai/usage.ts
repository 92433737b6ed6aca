import type { TokenUsage } from "@burnrate/core";

/**
 * OpenAI's counts as a TokenUsage. OpenAI's input is already the whole prompt, the tokens read
 * from and written to the cache included. Cache writes are kept within what the prompt has
 * left beside its cache reads: a count past that would read as a prompt that excludes its
 * cache (see core's toTokenUsage), which would then be added to it a second time. `counts`
 * is changed and returned.
 */
export function openAiUsage(counts: TokenUsage): TokenUsage {
  // Set on the caller's new object rather than spread into a copy: this runs on every call,
  // and V8's object spread is several times slower than one store.
  counts.cacheWrite = Math.min(counts.cacheWrite, Math.max(0, counts.input - counts.cacheRead));
  return counts;
}
