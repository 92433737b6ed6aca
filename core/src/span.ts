/**
 * A span as the collector holds it after decoding OTLP, whichever wire format it came in.
 * Pure data: the normaliser and detectors in `core` read it, the collector builds it.
 */

/** An attribute value. OTLP int64 values become numbers (token counts fit; ids are strings). */
export type AttributeValue =
  | string
  | number
  | boolean
  | Uint8Array
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

/** OTLP span kinds, by their wire numbers. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** OTLP status codes, by their wire numbers. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
}

export interface Span {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** 16 lowercase hex characters, or "" for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** One of `SpanKind`. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  /** The resource's attributes; shared by every span of the same resource. */
  resource: Attributes;
  scope: { name: string; version: string };
  status: { code: number; message: string };
  events: SpanEvent[];
  links: SpanLink[];
}
