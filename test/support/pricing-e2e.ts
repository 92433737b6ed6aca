import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./collector.js";
import type { ExporterKind } from "./otel.js";
import { CASES, expectedRow, exportCases, OVERRIDES_FILE } from "./pricing-cases.js";

/**
 * The end-to-end pricing check: the real OTel SDK exports the cases over HTTP with the
 * given exporter; the collector normalises, prices and writes them to chDB; every stored
 * llm_calls row must equal its whole expected row.
 */
export function pricingEndToEnd(kind: ExporterKind): void {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ config: { pricing: { overridesFile: OVERRIDES_FILE } } });
  });
  afterAll(async () => {
    await c.stop();
  });

  it(`stores exact tokens and cost for every case (${kind} exporter)`, async () => {
    const { traceId, rootSpanId, spanIds } = await exportCases(kind, c.url);
    const rows = await eventually(
      () =>
        c.db.query<Record<string, unknown>>({
          query: "SELECT * EXCEPT (version) FROM llm_calls FINAL WHERE trace_id = {t:String}",
          params: { t: traceId },
        }),
      (r) => r.length === CASES.length,
    );
    const bySpan = new Map(rows.map((r) => [r.span_id, r]));
    CASES.forEach((testCase, i) => {
      const spanId = spanIds[i]!;
      expect({ case: testCase.name, row: bySpan.get(spanId) }).toEqual({
        case: testCase.name,
        row: expectedRow(testCase, { traceId, spanId, parentSpanId: rootSpanId }),
      });
    });
    // The root span is stored in `spans` but is not an LLM call.
    const [spans] = await c.db.query<{ n: number }>({
      query: "SELECT count() AS n FROM spans FINAL WHERE TraceId = {t:String}",
      params: { t: traceId },
    });
    expect(spans).toEqual({ n: CASES.length + 1 });
  });
}
