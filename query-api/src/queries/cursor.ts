import { createHash } from "node:crypto";
import { z } from "zod";
import { badInput, type HttpError } from "../http/http-error.js";
import { instantFromIso, isSqlTime, rangeProblem } from "../schemas/time-range.js";
import { traceId } from "../schemas/trace.js";

/**
 * A keyset cursor: the sort key and trace id of the last row served, plus what the first
 * page was asked (range, sort, a digest of the filters). The next page continues strictly
 * after that key, so rows arriving meanwhile never shift it: nothing repeats and nothing
 * that was there is skipped.
 */
export interface Cursor {
  sort: "time" | "cost";
  order: "asc" | "desc";
  /** The last row's sort key: ClickHouse DateTime64 text, or a decimal string of dollars. */
  key: string;
  traceId: string;
  from: string;
  to: string;
  filters: string;
}

/**
 * A range end as the API writes it into a cursor: `toISOString()` of a real instant, with
 * nine fractional digits when it is an `Instant`.
 */
const cursorInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(\d{3}|\d{9})Z$/)
  .refine((text) => {
    const date = instantFromIso(text);
    return !Number.isNaN(date.getTime()) && date.toISOString() === text;
  });

/**
 * Every field as the API itself writes it, nothing else: the time key is a trace's first
 * call as ClickHouse prints a DateTime64(9), the cost key a Decimal(38, 12) sum, the digest
 * `filtersDigest`'s, and the trace id what `GET /v1/traces/:traceId` takes (it only ever
 * reaches SQL as a parameter). The range must pass the checks a request's range passes, or a
 * forged cursor could lift the 400-day limit.
 */
const cursorSchema = z.strictObject({
  v: z.literal(1),
  s: z.enum(["time", "cost"]),
  o: z.enum(["asc", "desc"]),
  k: z.string(),
  t: traceId,
  from: cursorInstant,
  to: cursorInstant,
  f: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
});

/** A cost key: the trace's priced cost, a Decimal(38, 12) as ClickHouse prints it. */
const COST_KEY = /^-?\d{1,26}\.\d{12}$/;

/** Encodes a cursor as opaque URL-safe text. */
export function encodeCursor(cursor: Cursor): string {
  const { sort: s, order: o, key: k, traceId: t, from, to, filters: f } = cursor;
  return Buffer.from(JSON.stringify({ v: 1, s, o, k, t, from, to, f })).toString("base64url");
}

/**
 * Decodes a cursor, answering 400 (naming `cursor`) when it is not exactly one this server
 * issued: cursors are not signed, so every field is checked before it reaches SQL.
 */
export function decodeCursor(text: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) throw invalidCursor();
  const { s, o, k, t, from, to, f } = parsed.data;
  const keyIssued = s === "time" ? isSqlTime(k, 9) : COST_KEY.test(k);
  if (!keyIssued || rangeProblem({ from: instantFromIso(from), to: instantFromIso(to) }) !== undefined) {
    throw invalidCursor();
  }
  return { sort: s, order: o, key: k, traceId: t, from, to, filters: f };
}

/** The 400 for a cursor this API did not issue, or that was changed since. */
export function invalidCursor(): HttpError {
  return badInput("query", "cursor", "is not a cursor this API issued; pass `nextCursor` unchanged");
}

/** A short digest of the filters, so a cursor is not reused with different ones. */
export function filtersDigest(filters: Record<string, unknown>): string {
  const entries = Object.entries(filters)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash("sha256").update(JSON.stringify(entries)).digest("base64url").slice(0, 16);
}
