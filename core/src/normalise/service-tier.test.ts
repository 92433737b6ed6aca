import { describe, expect, it } from "vitest";
import {
  ATTR_BURNRATE_REQUEST_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_OPENAI_RESPONSE_SERVICE_TIER,
} from "../semconv.js";
import { resolveServiceTier } from "./service-tier.js";

describe("resolveServiceTier", () => {
  it("prefers burnrate's, then OpenAI's, then the older OpenAI request attribute", () => {
    expect(
      resolveServiceTier({
        [ATTR_BURNRATE_REQUEST_SERVICE_TIER]: "batch",
        [ATTR_OPENAI_REQUEST_SERVICE_TIER]: "flex",
        [ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER]: "default",
      }),
    ).toBe("batch");
    expect(resolveServiceTier({ [ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER]: "priority" })).toBe("priority");
  });

  it("bills the tier the response was served at, which a priority request can be lowered to; batch stays batch", () => {
    const priority = { [ATTR_OPENAI_REQUEST_SERVICE_TIER]: "priority" };
    expect(resolveServiceTier({ ...priority, [ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default" })).toBe(
      "default",
    );
    expect(resolveServiceTier({ ...priority, [ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "priority" })).toBe(
      "priority",
    );
    expect(
      resolveServiceTier({
        [ATTR_BURNRATE_REQUEST_SERVICE_TIER]: "batch",
        [ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default",
      }),
    ).toBe("batch");
  });

  it("uses the served tier when the request asked for auto, and keeps auto when nothing says more", () => {
    const auto = { [ATTR_OPENAI_REQUEST_SERVICE_TIER]: "auto" };
    expect(resolveServiceTier({ ...auto, [ATTR_OPENAI_RESPONSE_SERVICE_TIER]: "default" })).toBe("default");
    expect(resolveServiceTier(auto, "flex")).toBe("flex");
    expect(resolveServiceTier(auto)).toBe("auto");
    expect(resolveServiceTier({})).toBe("");
  });
});
