import { createHash } from "node:crypto";
import { z } from "zod";
import { badInput } from "../http/http-error.js";

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

const cursorSchema = z.object({
  v: z.literal(1),
  s: z.enum(["time", "cost"]),
  o: z.enum(["asc", "desc"]),
  k: z.string().regex(/^[0-9 :.-]{1,40}$/),
  t: z.string().max(128),
  from: z.string().max(40),
  to: z.string().max(40),
  f: z.string().max(64),
});

/** Encodes a cursor as opaque URL-safe text. */
export function encodeCursor(cursor: Cursor): string {
  const { sort: s, order: o, key: k, traceId: t, from, to, filters: f } = cursor;
  return Buffer.from(JSON.stringify({ v: 1, s, o, k, t, from, to, f })).toString("base64url");
}

/** Decodes a cursor, answering 400 (naming `cursor`) when it is not one this server issued. */
export function decodeCursor(text: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badInput("query", "cursor", "is not a cursor this API issued; pass `nextCursor` unchanged");
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success)
    throw badInput("query", "cursor", "is not a cursor this API issued; pass `nextCursor` unchanged");
  const { s, o, k, t, from, to, f } = parsed.data;
  return { sort: s, order: o, key: k, traceId: t, from, to, filters: f };
}

/** A short digest of the filters, so a cursor is not reused with different ones. */
export function filtersDigest(filters: Record<string, unknown>): string {
  const entries = Object.entries(filters)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash("sha256").update(JSON.stringify(entries)).digest("base64url").slice(0, 16);
}
