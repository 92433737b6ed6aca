import type { Attributes, Span } from "@burnrate/core";

/**
 * An export request using every field the decoder reads, in OTLP/JSON shape: hex ids, integer enums,
 * int64 both as decimal strings and as numbers, base64 bytes, nested arrays and kvlists, an empty
 * AnyValue, a scope-less ScopeSpans, a resource-less ResourceSpans, and fields the decoder ignores
 * (schemaUrl, flags, dropped counts, and one field no OTLP version defines).
 */
export const FULL_REQUEST = {
  resourceSpans: [
    {
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: "research-agent" } },
          { key: "deployment.environment", value: { stringValue: "prod" } },
        ],
        droppedAttributesCount: 0,
      },
      schemaUrl: "https://opentelemetry.io/schemas/1.26.0",
      scopeSpans: [
        {
          scope: { name: "@burnrate/instrumentation", version: "0.1.0" },
          spans: [
            {
              traceId: "4BF92F3577B34DA6A3CE929D0E0E4736",
              spanId: "00f067aa0ba902b7",
              parentSpanId: "53995c3f42cd8ad8",
              traceState: "burnrate=1",
              flags: 257,
              name: "chat gpt-4o-mini",
              kind: 3,
              startTimeUnixNano: "1700000000123456789",
              endTimeUnixNano: "1700000000987654321",
              attributes: [
                { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
                { key: "gen_ai.usage.input_tokens", value: { intValue: "1200" } },
                { key: "gen_ai.usage.output_tokens", value: { intValue: 180 } },
                { key: "burnrate.delta", value: { intValue: "-5" } },
                { key: "burnrate.big", value: { intValue: "1099511627776" } },
                { key: "gen_ai.request.temperature", value: { doubleValue: 0.25 } },
                { key: "burnrate.streamed", value: { boolValue: true } },
                { key: "burnrate.digest", value: { bytesValue: "3q2+7w==" } },
                {
                  key: "gen_ai.response.finish_reasons",
                  value: {
                    arrayValue: {
                      values: [
                        { stringValue: "stop" },
                        { intValue: "2" },
                        { arrayValue: { values: [{ boolValue: false }] } },
                      ],
                    },
                  },
                },
                {
                  key: "burnrate.budget",
                  value: {
                    kvlistValue: {
                      values: [
                        { key: "limit", value: { doubleValue: 2 } },
                        {
                          key: "window",
                          value: {
                            kvlistValue: { values: [{ key: "unit", value: { stringValue: "day" } }] },
                          },
                        },
                      ],
                    },
                  },
                },
                { key: "burnrate.nothing", value: {} },
              ],
              droppedAttributesCount: 1,
              events: [
                {
                  timeUnixNano: "1700000000500000000",
                  name: "gen_ai.content.prompt",
                  attributes: [{ key: "gen_ai.prompt", value: { stringValue: "hello" } }],
                },
                { timeUnixNano: 1700000000, name: "retry" },
              ],
              links: [
                {
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "b7ad6b7169203331",
                  traceState: "rojo=00f067aa0ba902b7",
                  attributes: [{ key: "burnrate.link.reason", value: { stringValue: "retry-of" } }],
                  flags: 256,
                },
              ],
              status: { code: 2, message: "rate limited" },
              burnrateFutureField: { anything: [1, 2, 3] },
            },
            {
              traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
              spanId: "53995c3f42cd8ad8",
              name: "agent run",
              kind: 1,
              startTimeUnixNano: "1700000000000000000",
              endTimeUnixNano: "1700000001000000000",
            },
          ],
        },
        {
          spans: [
            {
              traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
              spanId: "1111111111111111",
              parentSpanId: "0000000000000000",
              name: "scope-less",
              startTimeUnixNano: "18446744073709551615",
              endTimeUnixNano: "0",
            },
          ],
        },
      ],
    },
    {
      scopeSpans: [
        {
          scope: { name: "tools" },
          spans: [
            {
              traceId: "5bf92f3577b34da6a3ce929d0e0e4736",
              spanId: "2222222222222222",
              name: "resource-less",
              kind: 5,
              startTimeUnixNano: "1700000002000000000",
              endTimeUnixNano: "1700000003000000000",
              status: { code: 1 },
            },
          ],
        },
      ],
    },
  ],
};

const RESOURCE: Attributes = { "service.name": "research-agent", "deployment.environment": "prod" };
const SCOPE = { name: "@burnrate/instrumentation", version: "0.1.0" };

/** What `FULL_REQUEST` decodes to, in either format. */
export const FULL_REQUEST_SPANS: Span[] = [
  {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "00f067aa0ba902b7",
    parentSpanId: "53995c3f42cd8ad8",
    traceState: "burnrate=1",
    name: "chat gpt-4o-mini",
    kind: 3,
    startTimeUnixNano: 1700000000123456789n,
    endTimeUnixNano: 1700000000987654321n,
    attributes: {
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.input_tokens": 1200,
      "gen_ai.usage.output_tokens": 180,
      "burnrate.delta": -5,
      "burnrate.big": 1099511627776,
      "gen_ai.request.temperature": 0.25,
      "burnrate.streamed": true,
      "burnrate.digest": new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
      "gen_ai.response.finish_reasons": ["stop", 2, [false]],
      "burnrate.budget": { limit: 2, window: { unit: "day" } },
      "burnrate.nothing": null,
    },
    resource: RESOURCE,
    scope: SCOPE,
    status: { code: 2, message: "rate limited" },
    events: [
      {
        timeUnixNano: 1700000000500000000n,
        name: "gen_ai.content.prompt",
        attributes: { "gen_ai.prompt": "hello" },
      },
      { timeUnixNano: 1700000000n, name: "retry", attributes: {} },
    ],
    links: [
      {
        traceId: "0af7651916cd43dd8448eb211c80319c",
        spanId: "b7ad6b7169203331",
        traceState: "rojo=00f067aa0ba902b7",
        attributes: { "burnrate.link.reason": "retry-of" },
      },
    ],
  },
  {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "53995c3f42cd8ad8",
    parentSpanId: "",
    traceState: "",
    name: "agent run",
    kind: 1,
    startTimeUnixNano: 1700000000000000000n,
    endTimeUnixNano: 1700000001000000000n,
    attributes: {},
    resource: RESOURCE,
    scope: SCOPE,
    status: { code: 0, message: "" },
    events: [],
    links: [],
  },
  {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "1111111111111111",
    parentSpanId: "",
    traceState: "",
    name: "scope-less",
    kind: 0,
    startTimeUnixNano: 18446744073709551615n,
    endTimeUnixNano: 0n,
    attributes: {},
    resource: RESOURCE,
    scope: { name: "", version: "" },
    status: { code: 0, message: "" },
    events: [],
    links: [],
  },
  {
    traceId: "5bf92f3577b34da6a3ce929d0e0e4736",
    spanId: "2222222222222222",
    parentSpanId: "",
    traceState: "",
    name: "resource-less",
    kind: 5,
    startTimeUnixNano: 1700000002000000000n,
    endTimeUnixNano: 1700000003000000000n,
    attributes: {},
    resource: {},
    scope: { name: "tools", version: "" },
    status: { code: 1, message: "" },
    events: [],
    links: [],
  },
];
