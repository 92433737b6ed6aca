import { describe, expect, it } from "vitest";
import { guardConfigFromEnv } from "./guard-config.js";

/** `enabled` as read from BURNRATE_GUARD_ENABLED, with the warnings it gave. */
function enabledFrom(text: string): { enabled: boolean; warnings: string[] } {
  const warnings: string[] = [];
  const { enabled } = guardConfigFromEnv({ BURNRATE_GUARD_ENABLED: text }, (message) =>
    warnings.push(message),
  );
  return { enabled, warnings };
}

describe("guardConfigFromEnv", () => {
  it("reads BURNRATE_GUARD_ENABLED as a switch, in any case", () => {
    const on = ["true", "TRUE", "1", "yes", "On"].map((text) => enabledFrom(text));
    const off = ["false", "False", "0", "no", "OFF"].map((text) => enabledFrom(text));
    expect({ on, off }).toEqual({
      on: Array.from({ length: 5 }, () => ({ enabled: true, warnings: [] })),
      off: Array.from({ length: 5 }, () => ({ enabled: false, warnings: [] })),
    });
  });

  it("ignores a BURNRATE_GUARD_ENABLED that is no switch, with a warning, keeping the guards on", () => {
    expect([enabledFrom("flase"), enabledFrom("disabled")]).toEqual([
      {
        enabled: true,
        warnings: [
          'BURNRATE_GUARD_ENABLED="flase" is ignored: not one of true, false, 1, 0, yes, no, on, off',
        ],
      },
      {
        enabled: true,
        warnings: [
          'BURNRATE_GUARD_ENABLED="disabled" is ignored: not one of true, false, 1, 0, yes, no, on, off',
        ],
      },
    ]);
  });
});
