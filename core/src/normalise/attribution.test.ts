import { describe, expect, it } from "vitest";
import {
  ATTR_BURNRATE_USER,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SESSION_ID,
  ATTR_TRACELOOP_ASSOCIATION_SESSION_ID,
  ATTR_USER_ID,
} from "../semconv.js";
import { resolveAttribution } from "./attribution.js";
import { loadSpan, withAttributes } from "./testdata/load-span.js";

describe("resolveAttribution", () => {
  const span = loadSpan("openllmetry-anthropic");

  it("prefers Burnrate's attributes to the convention's own", () => {
    const attributed = withAttributes(span, { [ATTR_BURNRATE_USER]: "u_burnrate" });
    expect(resolveAttribution(attributed, { user: "u_17" }).user).toBe("u_burnrate");
  });

  it("prefers gen_ai.conversation.id to every other session", () => {
    const attributed = withAttributes(span, { [ATTR_GEN_AI_CONVERSATION_ID]: "conv_1" });
    expect(resolveAttribution(attributed, { sessionId: "s_99" }).sessionId).toBe("conv_1");
  });

  it("falls back to the general session.id and user.id last", () => {
    const bare = withAttributes(span, {
      [ATTR_TRACELOOP_ASSOCIATION_SESSION_ID]: null,
      [ATTR_SESSION_ID]: "ses_general",
      [ATTR_USER_ID]: "user_general",
    });
    expect(resolveAttribution(bare, {})).toEqual({
      feature: "",
      user: "user_general",
      tenant: "",
      sessionId: "ses_general",
      agent: "",
    });
    expect(resolveAttribution(bare, { sessionId: "s_convention" }).sessionId).toBe("s_convention");
  });
});
