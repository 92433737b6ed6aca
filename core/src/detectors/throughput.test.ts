import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import type { DetectorEvent } from "./events.js";
import { T0_MS } from "./testdata/episode.js";

/**
 * Not a timed assertion: prints how fast `observe` runs and what a run costs in memory, for
 * the collector's sizing (tens of thousands of spans per second, 100k concurrent runs).
 * Traffic: 80k traces in 20k sessions (100k runs, the default maxRuns), 8 steps per trace,
 * interleaved so every run stays live, with realistic fingerprints, costs and a per-user budget.
 */
it("prints events/s and bytes per run", () => {
  const RUNS = 80_000;
  const STEPS = 6;
  const hex = (n: number) => (n * 2654435761).toString(16).padStart(16, "0").slice(-16);
  const tools = ["search_orders", "get_order_details", "check_policy", "issue_refund"];
  const makeEvent = (runIndex: number, step: number): DetectorEvent => {
    const isTool = step % 2 === 1;
    const traceId = `4bf92f3577b34da6a3ce${(runIndex + 1e6).toString(16).padStart(12, "0")}`;
    return {
      kind: isTool ? "tool" : "llm_call",
      projectId: "proj_1",
      traceId,
      spanId: `${traceId.slice(0, 8)}${step}`,
      sessionId: `session-${runIndex >> 2}`,
      service: "support-bot",
      agent: "retail-agent",
      feature: "support",
      user: `user-${runIndex % 5000}`,
      tenant: "acme",
      timeUnixNano: BigInt(T0_MS + step * 1000 + (runIndex % 1000)) * 1_000_000n,
      costUsd: isTool ? "0" : "0.0021",
      tokens: isTool ? 0 : 900,
      promptFingerprint: isTool ? "" : hex(runIndex * 31 + step),
      toolCallFingerprints: isTool ? [] : [hex(runIndex * 17 + step + 7)],
      ...(isTool ? { toolName: tools[step % 4]!, toolResultDigest: hex(runIndex * 13 + step + 3) } : {}),
    };
  };

  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const engine = new DetectionEngine({
    budgets: [{ id: "per-user", scope: "user", period: "day", limitUsd: "50" }],
  });
  let observed = 0;
  let elapsedNs = 0n;
  const CHUNK = 20_000;
  for (let step = 0; step < STEPS; step++) {
    for (let from = 0; from < RUNS; from += CHUNK) {
      const batch: DetectorEvent[] = [];
      for (let r = from; r < Math.min(from + CHUNK, RUNS); r++) batch.push(makeEvent(r, step));
      const start = process.hrtime.bigint();
      for (const event of batch) engine.observe(event);
      elapsedNs += process.hrtime.bigint() - start;
      observed += batch.length;
    }
  }
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const runs = engine.trackedRuns;
  const eventsPerSecond = Math.round(observed / (Number(elapsedNs) / 1e9));
  const bytesPerRun = Math.round((heapAfter - heapBefore) / runs);
  const estimatePerRun = Math.round(engine.approxBytes() / runs);
  console.log(
    `observe: ${eventsPerSecond.toLocaleString("en")} events/s over ${observed.toLocaleString("en")} events; ` +
      `${runs.toLocaleString("en")} runs held, ${bytesPerRun} bytes/run measured (heap after GC, incl. budget counters), ` +
      `${estimatePerRun} bytes/run by approxBytes()`,
  );
  expect(runs).toBe(100_000);
});
