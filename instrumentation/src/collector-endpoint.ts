import { z } from "zod";
import { warnConfig } from "./config-warning.js";

/** Where the collector is when nothing says otherwise: its OTLP/HTTP port on this host. */
export const DEFAULT_COLLECTOR = "http://127.0.0.1:4318";

/** An http or https URL, as endpoints are given. */
export const httpUrl = z.url({ protocol: /^https?$/ });
/** Variables already warned about, so a bad one is reported once, however many readers it has. */
const warned = new Set<string>();

/**
 * An endpoint variable's value, or undefined when it is unset or empty, or, with a warning,
 * when it is no http(s) URL: a typo then falls back to the next setting, as any bad variable does.
 * @example endpointFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, "OTEL_EXPORTER_OTLP_ENDPOINT") // undefined, with a warning
 */
export function endpointFromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  // Trimmed: a value from a YAML or .env file can carry a stray space, and the exporter throws
  // at start on a URL with one inside (`http://host:4318 /v1/traces`).
  const text = env[name]?.trim();
  if (!text) return undefined;
  if (httpUrl.safeParse(text).success) return text;
  if (!warned.has(`${name}=${text}`)) {
    warned.add(`${name}=${text}`);
    warnConfig(`${name}=${JSON.stringify(text)} is ignored: not an http or https URL`);
  }
  return undefined;
}

/**
 * Where spans are exported: the collector given in code, else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * as it is, else OTEL_EXPORTER_OTLP_ENDPOINT with `/v1/traces`, else the default collector's.
 * @example spanExportUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/" }, undefined) // "http://c:4318/v1/traces"
 */
export function spanExportUrl(env: NodeJS.ProcessEnv, inCode: string | undefined): string {
  const traces =
    inCode === undefined ? endpointFromEnv(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") : undefined;
  if (traces) return traces;
  const base = inCode ?? endpointFromEnv(env, "OTEL_EXPORTER_OTLP_ENDPOINT") ?? DEFAULT_COLLECTOR;
  return `${base.replace(/\/$/, "")}/v1/traces`;
}
