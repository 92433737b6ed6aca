import { describe, expect, it } from "vitest";
import type { LlmCall } from "./llm-call.js";
import { type MethodTelemetry, wrapMethod } from "./wrap.js";

class FakeApiPromise extends Promise<string> {
  withResponse() {
    return "with-response";
  }
}

const broken: MethodTelemetry = {
  streams: () => false,
  start() {
    throw new Error("telemetry bug");
  },
  finish: (_call: LlmCall) => {},
  observe: (_call: LlmCall, stream: unknown) => stream,
};

describe("wrapMethod", () => {
  it("falls back to the original call, returning its own promise object, when telemetry fails", async () => {
    const calls: unknown[][] = [];
    const returned = new FakeApiPromise((resolve) => resolve("answer"));
    const original = function (this: unknown, ...args: unknown[]) {
      calls.push([this, ...args]);
      return returned;
    };
    const self = { name: "resource" };
    const result = wrapMethod(original, broken, "test.create").call(self, { model: "m" }, { timeout: 5 });
    expect(result).toBe(returned);
    expect((result as FakeApiPromise).withResponse()).toBe("with-response");
    expect(await result).toBe("answer");
    expect(calls).toEqual([[self, { model: "m" }, { timeout: 5 }]]);
  });

  it("lets the SDK's own errors through unchanged", async () => {
    const sdkError = new TypeError("bad request shape");
    const original = () => {
      throw sdkError;
    };
    const telemetry: MethodTelemetry = {
      ...broken,
      start: () => ({
        provider: "p",
        operation: "chat",
        requestModel: "m",
        prompt: { model: "m", messages: [] },
      }),
    };
    expect(() => wrapMethod(original, telemetry, "test.create")({ model: "m" })).toThrow(sdkError);
  });
});
