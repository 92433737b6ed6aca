import type { Decision } from "@burnrate/core";
import { getRuntime } from "./runtime.js";

/**
 * Runs `handler` when the collector kills a scope this app is working in, e.g. to abort an
 * AbortController or page someone. The next LLM call in that scope throws regardless.
 * Returns a function that removes the handler.
 * @example onKill((d) => controller.abort(new Error(d.reason)));
 */
export function onKill(handler: (decision: Decision) => void): () => void {
  return getRuntime().killSwitch.onKill(handler);
}

/**
 * Runs `handler` for every decision the collector sends this app: warn, block_tool, kill, and
 * release, which lifts an earlier kill (`decision.releases` names it; calls in its scope go again).
 */
export function onDecision(handler: (decision: Decision) => void): () => void {
  return getRuntime().killSwitch.onDecision(handler);
}
