import { describe, expect, it } from "vitest";
import { createMetrics } from "../metrics.js";
import { dedupeProcessor } from "../processors/dedupe.js";
import { normaliseProcessor } from "../processors/normalise.js";
import { type Batch, rejectForDefect, withoutRejected } from "./batch.js";
import { createPipeline, type Stage } from "./pipeline.js";
import { chatSpan } from "./testdata/span.js";

const metrics = createMetrics();
const context = { metrics };
const dedupe = (): Stage => ({
  name: "dedupe",
  process: dedupeProcessor.create(dedupeProcessor.configSchema.parse({}), context),
});

const span = (spanId: string) => chatSpan(spanId);

const ids = (batch: Batch) => ({
  spans: batch.spans.map((s) => s.spanId),
  calls: batch.calls.map((c) => c.spanId),
  rejected: batch.rejected.map((r) => `${r.span.spanId} ${r.reason}`),
  awaiting: batch.awaiting.length,
});

describe("the pipeline", () => {
  it("rejects a span whose normalisation throws, and keeps the rest of the batch", () => {
    const pipeline = createPipeline(
      [{ name: "normalise", process: normaliseProcessor.create({}, context) }, dedupe()],
      metrics,
    );
    const broken = span("00000000000000b2");
    Object.defineProperty(broken, "attributes", {
      get() {
        throw new TypeError("attributes are gone");
      },
    });
    const batch = pipeline.process({ projectId: "p", spans: [span("00000000000000a1"), broken] });
    expect(ids(batch)).toEqual({
      spans: ["00000000000000a1"],
      calls: ["00000000000000a1"],
      rejected: [
        "00000000000000b2 could not be processed by the collector (normalise: TypeError: attributes are gone); it was not stored",
      ],
      awaiting: 0,
    });
  });

  it("makes the stages before a rejecting stage forget the span, so its resend is processed", () => {
    let reject = true;
    const rejectB: Stage = {
      name: "fault",
      process: (batch) => {
        const bad = batch.spans.filter((s) => reject && s.spanId.endsWith("b2"));
        if (bad.length === 0) return batch;
        const rejected = [...batch.rejected, ...bad.map((s) => rejectForDefect(s, "fault", new Error("no")))];
        return { ...batch, spans: withoutRejected(batch.spans, rejected), rejected };
      },
    };
    const pipeline = createPipeline([dedupe(), rejectB], metrics);
    const first = pipeline.process({
      projectId: "p",
      spans: [span("00000000000000a1"), span("00000000000000b2")],
    });
    pipeline.accept(first);
    reject = false;
    const resend = pipeline.process({
      projectId: "p",
      spans: [span("00000000000000a1"), span("00000000000000b2")],
    });
    expect({ first: ids(first).spans, resend: ids(resend).spans }).toEqual({
      first: ["00000000000000a1"],
      resend: ["00000000000000b2"],
    });
  });

  it("undoes only its own request's claims when a stage throws, not those of a request still spooling", async () => {
    let explode = false;
    const fault: Stage = {
      name: "fault",
      process: (batch) => {
        if (explode) throw new Error("boom");
        return batch;
      },
    };
    // The fault runs before dedupe, so the failing batch still holds the copy another request owns.
    const pipeline = createPipeline([fault, dedupe()], metrics);
    const owner = pipeline.process({ projectId: "p", spans: [span("00000000000000a1")] });
    explode = true;
    expect(() => pipeline.process({ projectId: "p", spans: [span("00000000000000a1")] })).toThrow("boom");
    explode = false;
    const copy = pipeline.process({ projectId: "p", spans: [span("00000000000000a1")] });
    expect(ids(copy)).toEqual({ spans: [], calls: [], rejected: [], awaiting: 1 });
    pipeline.accept(owner);
    expect(await copy.awaiting[0]!.wait()).toBe(true);
  });
});
