import * as C from "@burnrate/core";
import { context } from "@opentelemetry/api";
import { unsuppressTracing } from "@opentelemetry/core";
import { attributionOf } from "./attribution.js";
import { BurnrateStopError } from "./errors.js";
import { runScopeOf } from "./guard.js";
import { type CallStart, LlmCall } from "./llm-call.js";
import { getRuntime } from "./runtime.js";
import { IN_SDK_HELPER } from "./wrap.js";

/**
 * Begins an LLM call, after the local guard has said it may go ahead. When a guard stops it,
 * the call's span records a `burnrate.guard.stop` event and the typed error is thrown, before
 * anything is sent.
 */
export function beginCall(start: CallStart): LlmCall {
  const runtime = getRuntime();
  const active = context.active();
  // Inside an SDK helper tracing is suppressed for the SDK's native span, not for ours.
  const parent = active.getValue(IN_SDK_HELPER)
    ? unsuppressTracing(active).deleteValue(IN_SDK_HELPER)
    : active;
  const attribution = attributionOf(parent);
  const scope = runScopeOf(parent, attribution.session);
  const call = new LlmCall(parent, scope, attribution, start);
  try {
    runtime.killSwitch.ensureStarted();
    if (runtime.killSwitch.hasKills) runtime.killSwitch.check(call.callScope);
    // Last, so a call any check refuses is not counted.
    runtime.guard.admit(scope);
  } catch (error) {
    if (error instanceof BurnrateStopError) {
      call.span.addEvent(C.EVENT_BURNRATE_GUARD_STOP, {
        [C.ATTR_BURNRATE_GUARD_MEASURE]: error.measure,
        [C.ATTR_BURNRATE_GUARD_SPENT]: error.spent,
        [C.ATTR_BURNRATE_GUARD_LIMIT]: error.limit,
      });
      call.fail(error);
    }
    throw error;
  }
  return call;
}
