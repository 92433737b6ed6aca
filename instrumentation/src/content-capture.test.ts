import * as C from "@burnrate/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../test/harness.js";
import { warningsOf } from "../test/warnings.js";
import { captureContentFromEnv, getRuntime } from "./runtime.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(() => {
  h.exporter.reset();
});
afterAll(async () => {
  getRuntime().captureContent = false;
  await h.close();
});

const messages = [{ role: "user" as const, content: "my card is 4111 1111 1111 1111" }];

describe("message content", () => {
  it("is turned on by OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true only; another value is warned about", async () => {
    let read: boolean[] = [];
    const warnings = await warningsOf(() => {
      read = ["TRUE", "true", "", undefined, "False", "yes"].map(captureContentFromEnv);
    });
    expect({ read, warnings }).toEqual({
      read: [true, true, false, false, false, false],
      warnings: [
        'burnrate: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="yes" is read as false: only "true" turns content capture on',
      ],
    });
  });

  it("is never on spans by default", async () => {
    h.mock.enqueue({ text: "noted" });
    await h.openai.chat.completions.create({ model: "gpt-4o", messages });
    const [span] = await h.waitForSpans(1);
    expect(JSON.stringify(span!.attributes)).not.toContain("4111");
    expect(span!.attributes[C.ATTR_GEN_AI_INPUT_MESSAGES]).toBeUndefined();
    expect(span!.attributes[C.ATTR_GEN_AI_OUTPUT_MESSAGES]).toBeUndefined();
  });

  it("is recorded as JSON only when OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT opts in", async () => {
    getRuntime().captureContent = true; // what the variable set to "true" does at start-up
    h.mock.enqueue({ text: "noted" });
    await h.openai.chat.completions.create({ model: "gpt-4o", messages });
    const [span] = await h.waitForSpans(1);
    expect(JSON.parse(String(span!.attributes[C.ATTR_GEN_AI_INPUT_MESSAGES]))).toEqual(messages);
    expect(JSON.parse(String(span!.attributes[C.ATTR_GEN_AI_OUTPUT_MESSAGES]))).toEqual([
      { role: "assistant", content: "noted", refusal: null, annotations: [] },
    ]);
  });
});
