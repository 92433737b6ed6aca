import { z } from "zod";

/** The longest range a query may cover: the default retention of calls and rollups. */
export const MAX_RANGE_DAYS = 400;
/** The range a query covers when it names none: the last seven days. */
export const DEFAULT_RANGE_DAYS = 7;
const DAY_MS = 86_400_000;

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** An ISO date or date-time; without an offset it is UTC. */
export const timeInput = z
  .string()
  .regex(ISO, "must be an ISO 8601 date or date-time, e.g. 2026-11-02 or 2026-11-02T09:30:00Z")
  .refine((text) => !Number.isNaN(toDate(text).getTime()), "is not a real date")
  .transform(toDate)
  .describe("ISO 8601 date or date-time (UTC unless it has an offset)");

function toDate(text: string): Date {
  const utc = text.length === 10 || /[Zz]|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`;
  return new Date(utc);
}

/** `from` (inclusive) and `to` (exclusive); either may be left out. */
export const rangeShape = {
  from: timeInput.optional().describe("start of the range, inclusive (default: `to` minus 7 days)"),
  to: timeInput.optional().describe("end of the range, exclusive (default: now)"),
};

/** A resolved range. */
export interface TimeRange {
  from: Date;
  to: Date;
}

/**
 * Fills in a range's defaults: `to` is now, `from` is `days` before `to`.
 * @example resolveRange({}, new Date("2026-11-08T00:00:00Z")) // 2026-11-01 … 2026-11-08
 */
export function resolveRange(
  range: { from?: Date | undefined; to?: Date | undefined },
  now: Date,
  days = DEFAULT_RANGE_DAYS,
): TimeRange {
  const to = range.to ?? now;
  return { from: range.from ?? new Date(to.getTime() - days * DAY_MS), to };
}

/**
 * A zod check for a schema with `from` and `to`: `from` must come before `to`, and the range
 * may span at most 400 days. The issue names the field to change.
 */
export function checkRange(
  value: { from?: Date | undefined; to?: Date | undefined },
  ctx: z.RefinementCtx,
): void {
  // Zod runs this even when a field already failed; that field's own issue says enough.
  const valid = (d: unknown) => d === undefined || d instanceof Date;
  if (!valid(value.from) || !valid(value.to)) return;
  const { from, to } = resolveRange(value, new Date());
  if (from.getTime() >= to.getTime()) {
    ctx.addIssue({ code: "custom", path: ["from"], message: "must be before `to`" });
    return;
  }
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > MAX_RANGE_DAYS) {
    ctx.addIssue({
      code: "custom",
      path: ["from"],
      message: `the range spans ${Math.ceil(days)} days; at most ${MAX_RANGE_DAYS} days`,
    });
  }
}

/** Formats a Date for a DateTime64 parameter: `2026-11-02 09:30:00.000`. */
export function sqlTime(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/** ClickHouse's `2026-11-02 09:30:00.123456789` as ISO 8601 UTC, keeping every digit. */
export function isoFromSql(text: string): string {
  return `${text.replace(" ", "T")}Z`;
}
