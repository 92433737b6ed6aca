import { describe, expect, it } from "vitest";
import { decisionStreamEndpoint } from "./runtime.js";

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
});
