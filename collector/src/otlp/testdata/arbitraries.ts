import fc from "fast-check";

/**
 * fast-check generators for OTLP/JSON-shaped export requests: everything either format can carry
 * identically. Doubles exclude NaN, ±Infinity and -0, which JSON.stringify cannot write faithfully;
 * strings are whole graphemes, since a lone surrogate has no UTF-8 encoding.
 */
const text = fc.string({ unit: "grapheme", maxLength: 12 });

/** Mostly well-formed ids, sometimes the wrong length or all zeroes, so rejections are compared too. */
const id = (bytes: number) =>
  fc
    .oneof(
      { weight: 8, arbitrary: fc.uint8Array({ minLength: bytes, maxLength: bytes }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: bytes + 2 }) },
      { weight: 1, arbitrary: fc.constant(new Uint8Array(bytes)) },
    )
    .chain((value) => fc.constantFrom(hex(value), hex(value).toUpperCase()));

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

const int64 = fc.oneof(
  fc.maxSafeInteger(),
  fc.maxSafeInteger().map(String),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String),
);

const fixed64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

const { anyValue } = fc.letrec<{ anyValue: object; keyValue: object }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ stringValue: text }),
    fc.record({ intValue: int64 }),
    fc.record({
      doubleValue: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n)),
    }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ bytesValue: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString("base64")) }),
    fc.constant({}),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie("anyValue"), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(tie("keyValue"), { maxLength: 3 }) }) }),
  ),
  keyValue: fc.record({ key: text, value: tie("anyValue") }, { requiredKeys: ["key"] }),
}));

const attributes = fc.array(fc.record({ key: text, value: anyValue }), { maxLength: 6 });

const span = fc.record(
  {
    traceId: id(16),
    spanId: id(8),
    parentSpanId: fc.oneof(fc.constant(""), id(8)),
    traceState: text,
    name: text,
    kind: fc.integer({ min: 0, max: 5 }),
    startTimeUnixNano: fixed64,
    endTimeUnixNano: fixed64,
    attributes,
    events: fc.array(fc.record({ timeUnixNano: fixed64, name: text, attributes }), { maxLength: 2 }),
    links: fc.array(fc.record({ traceId: id(16), spanId: id(8), traceState: text, attributes }), {
      maxLength: 2,
    }),
    status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: text }),
  },
  { requiredKeys: ["traceId", "spanId"] },
);

/** A whole `ExportTraceServiceRequest` with a few resources, scopes and spans. */
export const exportRequest = fc.record({
  resourceSpans: fc.array(
    fc.record(
      {
        resource: fc.record({ attributes }),
        scopeSpans: fc.array(
          fc.record({
            scope: fc.record({ name: text, version: text }, { requiredKeys: [] }),
            spans: fc.array(span, { maxLength: 4 }),
          }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: ["scopeSpans"] },
    ),
    { maxLength: 3 },
  ),
});

/** Small JSON values: big ones only slow generation down without reaching new code. */
const anyJson = fc.jsonValue({ maxDepth: 2 });

/**
 * A valid request with one value somewhere inside (an id, a container, an AnyValue member…) replaced
 * by arbitrary JSON, so the decoder gets deep into the request before meeting the wrong shape.
 */
export const misshapenRequest = fc
  .tuple(exportRequest, fc.nat(), anyJson)
  .map(([request, pick, junk]) => replaceNode(request, pick, junk));

function replaceNode(root: unknown, pick: number, junk: unknown): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const visit = (value: unknown) => {
    if (typeof value !== "object" || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      nodes.push({ parent: value as Record<string, unknown>, key: Array.isArray(value) ? Number(key) : key });
      visit(child);
    }
  };
  visit(root);
  if (nodes.length === 0) return junk;
  const { parent, key } = nodes[pick % nodes.length]!;
  (parent as Record<string | number, unknown>)[key] = junk;
  return root;
}
