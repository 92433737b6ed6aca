/**
 * Loads a span fixture. Fixtures are JSON (they hold raw attribute names, as real spans do);
 * times are decimal strings there because JSON has no bigint.
 */
import { readFileSync } from "node:fs";
import type { Attributes, Span, SpanEvent } from "../../span.js";

interface SpanFixture {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code: number; message: string };
  resource?: Attributes;
  scope?: { name: string; version: string };
  attributes: Attributes;
  events?: { name: string; timeUnixNano: string; attributes: Attributes }[];
}

/** The span in `testdata/<name>.json`. */
export function loadSpan(name: string): Span {
  const text = readFileSync(new URL(`./${name}.json`, import.meta.url), "utf8");
  const fixture = JSON.parse(text) as SpanFixture;
  const events: SpanEvent[] = (fixture.events ?? []).map((event) => ({
    name: event.name,
    timeUnixNano: BigInt(event.timeUnixNano),
    attributes: event.attributes,
  }));
  return {
    traceId: fixture.traceId,
    spanId: fixture.spanId,
    parentSpanId: fixture.parentSpanId ?? "",
    traceState: "",
    name: fixture.name,
    kind: fixture.kind,
    startTimeUnixNano: BigInt(fixture.startTimeUnixNano),
    endTimeUnixNano: BigInt(fixture.endTimeUnixNano),
    attributes: fixture.attributes,
    resource: fixture.resource ?? {},
    scope: fixture.scope ?? { name: "", version: "" },
    status: fixture.status ?? { code: 0, message: "" },
    events,
    links: [],
  };
}

/** A copy of `span` with `attributes` merged over its own. */
export function withAttributes(span: Span, attributes: Attributes): Span {
  return { ...span, attributes: { ...span.attributes, ...attributes } };
}

/** The ids and times most fixtures share: a 1.25 s child span. */
export const FIXTURE_IDS = {
  projectId: "proj_test",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  parentSpanId: "53995c3f42cd8ad8",
  startTimeUnixNano: 1760000000000000000n,
  durationNs: 1250000000n,
} as const;
