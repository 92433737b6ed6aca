import type { Span } from "@burnrate/core";

/** A `chat gpt-4o` span of one trace, as the receiver decodes it, with `attributes` on top. */
export function chatSpan(spanId: string, attributes: Span["attributes"] = {}, failed = false): Span {
  return {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId,
    parentSpanId: "",
    traceState: "",
    name: "chat gpt-4o",
    kind: 3,
    startTimeUnixNano: 1760000000000000000n,
    endTimeUnixNano: 1760000001250000000n,
    attributes: { "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", ...attributes },
    resource: {},
    scope: { name: "", version: "" },
    status: { code: failed ? 2 : 0, message: "" },
    events: [],
    links: [],
  };
}
