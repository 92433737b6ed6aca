import { createPriceBook, type PriceBook } from "@burnrate/core";
import { Guard } from "./guard.js";
import { guardConfigFromEnv } from "./guard-config.js";

/** Process-wide state the wrappers share: the local guard and the price book. */
export interface Runtime {
  guard: Guard;
  priceBook: PriceBook;
  /** Message content goes on spans only when the user opted in. */
  captureContent: boolean;
}

let runtime: Runtime | undefined;

/** The shared runtime, created on first use from the environment. */
export function getRuntime(): Runtime {
  runtime ??= {
    guard: new Guard(guardConfigFromEnv(process.env)),
    priceBook: createPriceBook(),
    captureContent: /^true$/i.test(process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT ?? ""),
  };
  return runtime;
}
