import { APP_VARIABLES, type PriceBook, unknownVariables } from "@burnrate/core";
import { DEFAULT_COLLECTOR, endpointFromEnv } from "./collector-endpoint.js";
import { warnConfig } from "./config-warning.js";
import { Guard } from "./guard.js";
import { guardConfigFromEnv, switchOf } from "./guard-config.js";
import { KillSwitch } from "./kill-switch/kill-switch.js";
import { priceBookFromEnv } from "./prices.js";
import { serviceName } from "./service-name.js";

/** Process-wide state the wrappers share: the local guard and the price book. */
export interface Runtime {
  guard: Guard;
  priceBook: PriceBook;
  /** Message content goes on spans only when the user opted in. */
  captureContent: boolean;
  /** The collector's kill list, checked before every call. */
  killSwitch: KillSwitch;
  /** This app's service name, which decisions can be scoped to. */
  service: string;
}

let runtime: Runtime | undefined;
/** The collector given in code (`instrument()`'s or `setupTracing()`'s `endpoint`), if any. */
let collectorInCode: string | undefined;

/** The shared runtime, created on first use from the environment. */
export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const env = process.env;
  warnUnknownVariables(env);
  const service = serviceName();
  runtime = {
    guard: new Guard(guardConfigFromEnv(env, warnConfig)),
    priceBook: priceBookFromEnv(env),
    captureContent: captureContentFromEnv(env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT),
    service,
    killSwitch: new KillSwitch({
      endpoint: decisionStreamEndpoint(env, collectorInCode),
      service,
      apiKey: env.BURNRATE_API_KEY || undefined,
      enabled: killSwitchFromEnv(env.BURNRATE_KILL_SWITCH),
    }),
  };
  return runtime;
}

/**
 * Points the decision stream at the collector the app named in code, where its spans go.
 * The runtime may exist already (an `onKill` registered first); the stream itself starts
 * only on the first LLM call, so it still opens there.
 */
export function useCollectorEndpoint(endpoint: string): void {
  collectorInCode = endpoint;
  runtime?.killSwitch.useEndpoint(decisionStreamEndpoint(process.env, endpoint));
}

/**
 * Where the decision stream is: BURNRATE_DECISIONS_URL, else the collector given in code,
 * else OTEL_EXPORTER_OTLP_ENDPOINT, else the local default. An empty variable counts as unset.
 * @example decisionStreamEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318" }, "http://c:4318") // "http://c:4318"
 */
export function decisionStreamEndpoint(env: NodeJS.ProcessEnv, inCode: string | undefined): string {
  return (
    endpointFromEnv(env, "BURNRATE_DECISIONS_URL") ??
    inCode ??
    endpointFromEnv(env, "OTEL_EXPORTER_OTLP_ENDPOINT") ??
    DEFAULT_COLLECTOR
  );
}

/** Warns of each BURNRATE_* variable that is no setting: a misspelt limit would leave the app unguarded unseen. */
export function warnUnknownVariables(env: NodeJS.ProcessEnv): void {
  for (const line of unknownVariables(env, APP_VARIABLES)) warnConfig(line);
}

/**
 * The kill switch is on unless BURNRATE_KILL_SWITCH turns it off (`off`, `false`, `0`, `no`);
 * a value that says neither is warned about and leaves it on.
 */
export function killSwitchFromEnv(text: string | undefined): boolean {
  if (!text) return true;
  const on = switchOf(text);
  if (on !== undefined) return on;
  warnConfig(
    `BURNRATE_KILL_SWITCH=${JSON.stringify(text)} is ignored: "off" turns the kill switch off; it stays on`,
  );
  return true;
}

/**
 * Content capture is on only for `true` (any case), as OpenTelemetry reads its booleans; any
 * other value but `false` or empty is warned about, so `yes` or `1` does not fail silently.
 */
export function captureContentFromEnv(text: string | undefined): boolean {
  if (!text || /^false$/i.test(text)) return false;
  if (/^true$/i.test(text)) return true;
  warnConfig(
    `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=${JSON.stringify(text)} is read as false: only "true" turns content capture on`,
  );
  return false;
}
