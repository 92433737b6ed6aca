import { describe, expect, it } from "vitest";
import { warningsOf } from "../test/warnings.js";
import { spanExportUrl } from "./collector-endpoint.js";
import { decisionStreamEndpoint, killSwitchFromEnv, warnUnknownVariables } from "./runtime.js";
import { warnBadExportTimeouts } from "./tracing.js";

/** What `read` returns, and the process warnings it emitted. */
async function withWarnings<T>(read: () => T): Promise<{ value: T; warnings: string[] }> {
  let value: T | undefined;
  const warnings = await warningsOf(() => {
    value = read();
  });
  return { value: value as T, warnings };
}

describe("where the kill switch listens for decisions", () => {
  it("prefers BURNRATE_DECISIONS_URL, then the collector given in code, then the OTLP endpoint, then 127.0.0.1:4318", () => {
    const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel.internal:4318" };
    const inCode = "http://collector.internal:4318";
    expect({
      decisionsUrlSet: decisionStreamEndpoint(
        { ...otlp, BURNRATE_DECISIONS_URL: "http://decisions:4318" },
        inCode,
      ),
      givenInCode: decisionStreamEndpoint(otlp, inCode),
      emptyDecisionsUrl: decisionStreamEndpoint({ ...otlp, BURNRATE_DECISIONS_URL: "" }, inCode),
      otlpOnly: decisionStreamEndpoint(otlp, undefined),
      nothingSet: decisionStreamEndpoint({}, undefined),
    }).toEqual({
      decisionsUrlSet: "http://decisions:4318",
      givenInCode: "http://collector.internal:4318",
      emptyDecisionsUrl: "http://collector.internal:4318",
      otlpOnly: "http://otel.internal:4318",
      nothingSet: "http://127.0.0.1:4318",
    });
  });

  it("passes over an endpoint variable that is no http(s) URL, once with a warning", async () => {
    const env = { BURNRATE_DECISIONS_URL: "decisions:4318", OTEL_EXPORTER_OTLP_ENDPOINT: "not-a-url" };
    expect(
      await withWarnings(() => [decisionStreamEndpoint(env, undefined), spanExportUrl(env, undefined)]),
    ).toEqual({
      value: ["http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/traces"],
      warnings: [
        'burnrate: BURNRATE_DECISIONS_URL="decisions:4318" is ignored: not an http or https URL',
        'burnrate: OTEL_EXPORTER_OTLP_ENDPOINT="not-a-url" is ignored: not an http or https URL',
      ],
    });
  });

  it("is on unless BURNRATE_KILL_SWITCH turns it off; another value is warned about and leaves it on", async () => {
    const values = [undefined, "", "on", "TRUE", "off", "False", "0", "no", "disabled"];
    expect(await withWarnings(() => values.map(killSwitchFromEnv))).toEqual({
      value: [true, true, true, true, false, false, false, false, true],
      warnings: [
        'burnrate: BURNRATE_KILL_SWITCH="disabled" is ignored: "off" turns the kill switch off; it stays on',
      ],
    });
  });
});

describe("where spans are exported", () => {
  it("takes the collector given in code, then the traces endpoint as it is, then the OTLP endpoint's /v1/traces", () => {
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces.internal:4318/custom/path",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel.internal:4318/",
    };
    expect({
      inCode: spanExportUrl(env, "http://collector.internal:4318/"),
      tracesEndpoint: spanExportUrl(env, undefined),
      otlpEndpoint: spanExportUrl(
        { OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT },
        undefined,
      ),
      nothingSet: spanExportUrl({}, undefined),
      paddedInAFile: spanExportUrl(
        { OTEL_EXPORTER_OTLP_ENDPOINT: " http://otel.internal:4318 \r" },
        undefined,
      ),
    }).toEqual({
      inCode: "http://collector.internal:4318/v1/traces",
      tracesEndpoint: "http://traces.internal:4318/custom/path",
      otlpEndpoint: "http://otel.internal:4318/v1/traces",
      nothingSet: "http://127.0.0.1:4318/v1/traces",
      paddedInAFile: "http://otel.internal:4318/v1/traces",
    });
  });
});

describe("the export timeout", () => {
  it("is warned about when a timeout variable is no positive number of milliseconds", async () => {
    const env = { OTEL_EXPORTER_OTLP_TIMEOUT: "10s", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2500" };
    expect(await withWarnings(() => warnBadExportTimeouts(env))).toEqual({
      value: undefined,
      warnings: [
        'burnrate: OTEL_EXPORTER_OTLP_TIMEOUT="10s" is ignored: not a number of milliseconds above 0 (the default is 10000)',
      ],
    });
  });
});

describe("BURNRATE_* variables", () => {
  it("that are no setting are warned about, with the app's setting a typo likely meant; the collector's are left alone", async () => {
    const env = {
      BURNRATE_MAX_COST_PER_TRAC: "2",
      BURNRATE_MAX_COST_PER_TRACE: "5",
      BURNRATE_OTLP_PORT: "4318",
      BURNRATE_TEAM: "checkout",
      BURNRATE_TEST_COMPATIBILITY: "24.8",
    };
    expect(await warningsOf(() => warnUnknownVariables(env))).toEqual([
      "burnrate: BURNRATE_MAX_COST_PER_TRAC is not a setting and is ignored; did you mean BURNRATE_MAX_COST_PER_TRACE?",
      "burnrate: BURNRATE_TEAM is not a setting and is ignored (the README lists the settings)",
    ]);
  });
});
