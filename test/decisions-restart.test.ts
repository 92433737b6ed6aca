import { DEFAULT_PROJECT, type Decision } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { startTestCollector } from "./support/collector.js";

/** When the test's decisions are made: one instant for all, so their order is by id alone. */
const MADE_AT = Date.now();

/** A decision of the default project, made at `MADE_AT`, in force for `minutes`. */
function decision(
  id: string,
  action: Decision["action"],
  scope: Decision["scope"],
  minutes = 60,
  extra: Partial<Decision> = {},
): Decision {
  const now = MADE_AT;
  return {
    decision_id: id,
    project_id: DEFAULT_PROJECT,
    action,
    scope,
    detector: action === "release" ? "budget" : "D1.identical_call",
    reason: `${action} ${id}`,
    evidence: { repeats: 5 },
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + minutes * 60_000).toISOString(),
    ...extra,
  };
}

/** What an app connecting afresh (no Last-Event-ID from this collector) is sent first. */
function sentOnConnecting(hub: Awaited<ReturnType<typeof startTestCollector>>["collector"]["decisions"]) {
  const app = { projectId: DEFAULT_PROJECT, send: () => {}, end: () => {} };
  const sent = hub.subscribe(app);
  hub.unsubscribe(app);
  return sent.map((e) => e.decision);
}

describe("a restarted collector", () => {
  it("sends connecting apps the kills and blocks the last run made that are still in force", async () => {
    const first = await startTestCollector();
    const kill = decision("dec_kill", "kill", { session_id: "s1" });
    const block = decision("dec_block", "block_tool", { trace_id: "t1" });
    const lifted = decision("dec_lifted", "kill", { user: "u1" });
    // Its id sorts before the kill's, as a release stored in the same millisecond may.
    const release = decision("dec_a_release", "release", { user: "u1" }, 60, { releases: "dec_lifted" });
    const expired = decision("dec_expired", "kill", { session_id: "s2" }, 0.001); // lapses in 60 ms
    const warning = decision("dec_warn", "warn", { session_id: "s3" });
    for (const d of [kill, block, lifted, release, expired, warning]) first.collector.decisions.publish(d);
    await first.stop(); // writes the incidents
    await new Promise((resolve) => setTimeout(resolve, 100));

    const second = await startTestCollector({ dir: first.dir });
    try {
      // The kill a release lifted, the expired kill and the warning are not sent.
      // Oldest first, then by id.
      expect(sentOnConnecting(second.collector.decisions)).toEqual([block, kill]);
      expect(second.logs).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
