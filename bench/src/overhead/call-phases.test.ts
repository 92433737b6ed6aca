import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallPhases, PHASES, phaseFigures } from "./call-phases.js";

describe("CallPhases", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.end(JSON.stringify({ ok: true })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("splits fetch calls at undici's events into phases that add up to the call", async () => {
    const phases = new CallPhases();
    const totals: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const response = await fetch(url, { method: "POST", body: JSON.stringify({ i }) });
      await response.json();
      const ended = performance.now();
      phases.record("non_streaming", started, ended);
      totals.push((ended - started) * 1000);
    }
    const recorded = phases.samples.non_streaming;
    expect(Object.keys(recorded)).toEqual([...PHASES]);
    expect({ skipped: phases.skipped, streamed: phases.samples.streaming.to_reply.length }).toEqual({
      skipped: 0,
      streamed: 0,
    });
    totals.forEach((total, call) => {
      const parts = PHASES.map((phase) => recorded[phase][call]!);
      expect(parts.every((µs) => µs >= 0)).toBe(true);
      // Each phase is rounded to 0.1 µs.
      expect(Math.abs(parts.reduce((a, b) => a + b, 0) - total)).toBeLessThan(0.6);
    });
  });

  it("leaves out a call that did not go through undici", async () => {
    const phases = new CallPhases();
    await fetch(url).then((r) => r.text());
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1));
    phases.record("streaming", started, performance.now());
    expect({ skipped: phases.skipped, recorded: phases.samples.streaming.to_request.length }).toEqual({
      skipped: 1,
      recorded: 0,
    });
  });
});

describe("phaseFigures", () => {
  it("gives the median, the 25th percentile and the mean of the fastest 95%", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(phaseFigures(values)).toEqual({ median: 51, p25: 26, mean_fastest_95: 48 });
  });
});
