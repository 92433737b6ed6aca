import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@burnrate/core";
import { openEmbedded } from "@burnrate/storage";
import { describe, expect, it } from "vitest";
import { printedUrl, spawnBurnrate, waitForOutput } from "./support/burnrate-process.js";
import { countRows, eventually, startTestCollector } from "./support/collector.js";
import { recordCall, recordingExporter, tracerProvider } from "./support/otel.js";

const call = (i: number) => ({
  [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
  [ATTR_GEN_AI_OPERATION_NAME]: "chat",
  [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o-mini",
  [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000 + i,
  [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100,
});

async function sendCalls(provider: ReturnType<typeof tracerProvider>, from: number, to: number) {
  for (let i = from; i < to; i++) recordCall(provider, "chat gpt-4o-mini", call(i));
  await provider.forceFlush();
}

describe("collector faults", () => {
  it("keeps answering 200 while storage is down mid-stream, then stores every span exactly once", async () => {
    const c = await startTestCollector();
    try {
      const { exporter, results, succeeded } = recordingExporter("proto", c.url);
      const provider = tracerProvider(exporter);
      await sendCalls(provider, 0, 150);
      await eventually(
        () => countRows(c.db, "llm_calls"),
        (n) => n === 150,
      );

      writeFileSync(c.outageFile, ""); // storage goes away
      await sendCalls(provider, 150, 450);
      await new Promise((r) => setTimeout(r, 300));
      expect(c.collector.spoolBytes()).toBeGreaterThan(0);
      expect(succeeded()).toBe(true);

      rmSync(c.outageFile); // storage comes back
      expect(
        await eventually(
          () => countRows(c.db, "llm_calls"),
          (n) => n === 450,
        ),
      ).toBe(450);
      expect(await countRows(c.db, "spans")).toBe(450);
      const [rollup] = await c.db.query<{ calls: number; input: number }>({
        query: "SELECT sum(calls) AS calls, sum(input_tokens) AS input FROM llm_cost_minutely",
        params: {},
      });
      // sum over i in [0, 450) of (1000 + i) = 450 * 1000 + 449 * 450 / 2
      expect(rollup).toEqual({ calls: 450, input: 450_000 + (449 * 450) / 2 });
      expect(results.reduce((n, r) => n + r.spans, 0)).toBe(450);
      expect(c.logs.some((l) => l.includes("storage unavailable"))).toBe(true);
      await provider.shutdown();
    } finally {
      await c.stop();
    }
  });

  it("keeps running when the spool's own files fail, and goes on writing once they work again", async () => {
    const c = await startTestCollector();
    try {
      // A directory where the checkpoint's temporary file goes: every commit fails (EISDIR),
      // as on a full or failing disk. Before, that rejection crashed the collector.
      const blocker = join(c.dir, "spool", "checkpoint.json.tmp");
      mkdirSync(blocker);
      const { exporter, succeeded } = recordingExporter("proto", c.url);
      const provider = tracerProvider(exporter);
      await sendCalls(provider, 0, 100);
      await eventually(
        async () => c.logs.filter((l) => l.includes("could not use the spool")),
        (lines) => lines.length > 0,
      );
      rmSync(blocker, { recursive: true });
      await sendCalls(provider, 100, 200);
      expect(
        await eventually(
          () => countRows(c.db, "llm_calls"),
          (n) => n === 200,
        ),
      ).toBe(200);
      await eventually(
        async () => c.logs.some((l) => l.includes("work again")),
        (back) => back,
      );
      expect({
        exported: succeeded(),
        errors: c.logs
          .filter((l) => l.includes("could not use the spool"))
          .map((l) => l.replace(/\(.*\)/, "(…)")),
      }).toEqual({
        exported: true,
        errors: ["burnrate: the writer could not use the spool (…); retrying"],
      });
      await provider.shutdown();
    } finally {
      await c.stop();
    }
  });

  it("loses nothing when the collector is killed with SIGKILL while spooling", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-kill9-"));
    const outage = join(dir, "storage-outage");
    const env = {
      BURNRATE_DATA_DIR: join(dir, "data"),
      BURNRATE_SPOOL_DIR: join(dir, "spool"),
      BURNRATE_OTLP_PORT: "0",
      BURNRATE_API_PORT: "0",
      BURNRATE_TEST_STORAGE_OUTAGE_FILE: outage,
    };
    writeFileSync(outage, "");
    const first = spawnBurnrate(["start"], env);
    await waitForOutput(first, "Press Ctrl-C to stop.");
    const { exporter, succeeded } = recordingExporter("proto", printedUrl(first, "OTLP endpoint"));
    const provider = tracerProvider(exporter);
    await sendCalls(provider, 0, 500);
    expect(succeeded()).toBe(true);
    await provider.shutdown();
    process.kill(first.child.pid!, "SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    rmSync(outage);
    const second = spawnBurnrate(["start"], env);
    await waitForOutput(second, "Press Ctrl-C to stop.");
    expect(second.stderr()).toMatch(/replaying \d+ bytes left in the spool/);
    // Wait until the replay has emptied the spool, then stop and count.
    await eventually(
      async () =>
        existsSync(join(dir, "spool")) &&
        (await import("node:fs")).readdirSync(join(dir, "spool")).filter((f) => f.endsWith(".seg")).length,
      (segments) => segments === 0,
    );
    process.kill(second.child.pid!, "SIGTERM");
    expect(await second.exited).toBe(0);
    const db = await openEmbedded(join(dir, "data"));
    try {
      expect(await countRows(db, "llm_calls")).toBe(500);
      expect(await countRows(db, "spans")).toBe(500);
    } finally {
      await db.close();
    }
  });
});
