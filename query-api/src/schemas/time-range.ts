import { z } from "zod";

/** The longest range a query may cover: the default retention of calls and rollups. */
export const MAX_RANGE_DAYS = 400;
/** The range a query covers when it names none: the last seven days. */
export const DEFAULT_RANGE_DAYS = 7;
const DAY_MS = 86_400_000;
/**
 * The years a time may fall in: ClickHouse's `DateTime`, which the cost rollup is keyed by,
 * holds 1970-01-01 to 2106-02-07; a time outside failed the query or was clamped to an edge.
 */
const FIRST_YEAR = 1970;
const LAST_YEAR = 2105;

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const ISO_PARTS =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))?)?$/;
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * An ISO date or date-time; without an offset it is UTC. A date or time that does not exist
 * (`2026-02-30`, `24:00`) is refused rather than rolled over as `new Date` would. Times are
 * exact to the nanosecond, as calls' start times are stored: a time with digits below the
 * millisecond (a trace's `startTime`) becomes an `Instant`, so sent back as it was returned
 * it means the same instant.
 */
export const timeInput = z
  .string()
  .regex(ISO, {
    message: "must be an ISO 8601 date or date-time, e.g. 2026-11-02 or 2026-11-02T09:30:00Z",
    abort: true,
  })
  .superRefine((text, ctx) => {
    const problem = instantProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform(instantFromIso)
  .describe(
    "ISO 8601 date or date-time (UTC unless it has an offset), up to nanosecond precision, in the years 1970 to 2105",
  );

/**
 * A `Date` that keeps the nanoseconds below its millisecond, which a `Date` cannot hold.
 * ClickHouse stores calls' start times to the nanosecond and the API returns them so; a range
 * end rounded to the millisecond would put a call at that very instant on the wrong side.
 * `toISOString` (and so JSON and `sqlTime`) writes all nine fractional digits.
 */
export class Instant extends Date {
  constructor(
    milliseconds: number,
    /** 1 to 999,999: the nanoseconds after the millisecond `getTime()` gives. */
    readonly subMillisecondNanos: number,
  ) {
    super(milliseconds);
  }

  override toISOString(): string {
    return `${super.toISOString().slice(0, -1)}${String(this.subMillisecondNanos).padStart(6, "0")}Z`;
  }
}

/** The nanoseconds of `date` below its millisecond: non-zero only for an `Instant`. */
export function subMillisecondNanos(date: Date): number {
  return date instanceof Instant ? date.subMillisecondNanos : 0;
}

/** Orders two instants to the nanosecond: negative when `a` is earlier, 0 when equal. */
export function compareInstants(a: Date, b: Date): number {
  return a.getTime() - b.getTime() || subMillisecondNanos(a) - subMillisecondNanos(b);
}

/** Why `text` (which matches ISO) names no real instant the API can use, or undefined. */
function instantProblem(text: string): string | undefined {
  const [, year, month, day, hour, minute, second, , , sign, offsetHour, offsetMinute] =
    ISO_PARTS.exec(text) ?? [];
  if (Number(year) < FIRST_YEAR || Number(year) > LAST_YEAR) {
    return `is outside the years Burnrate can query (${FIRST_YEAR} to ${LAST_YEAR})`;
  }
  const dateProblem = calendarProblem(Number(year), Number(month), Number(day));
  if (dateProblem !== undefined) return `is not a real date: ${dateProblem}`;
  if (hour !== undefined && !isTimeOfDay(Number(hour), Number(minute), Number(second ?? 0))) {
    const shown = [hour, minute, second].filter((part) => part !== undefined).join(":");
    return `is not a real time of day: ${shown} (hours go up to 23, minutes and seconds up to 59)`;
  }
  if (sign !== undefined && (Number(offsetHour) > 23 || Number(offsetMinute) > 59)) {
    return `is not a real UTC offset: ${sign}${offsetHour}:${offsetMinute} (hours go up to 23, minutes up to 59)`;
  }
  return undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Why year-month-day is not a day of the (proleptic) Gregorian calendar, or undefined. */
function calendarProblem(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12) return `there is no month ${String(month).padStart(2, "0")}`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const length = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > length) return `${MONTHS[month - 1]} ${year} has ${length} days`;
  return undefined;
}

function isTimeOfDay(hour: number, minute: number, second: number): boolean {
  return hour <= 23 && minute <= 59 && second <= 59;
}

/**
 * The instant an ISO date or date-time names (one `timeInput` accepts, or one the API wrote):
 * a `Date`, or an `Instant` when it has digits below the millisecond.
 */
export function instantFromIso(text: string): Date {
  let nanos = 0;
  // `Date` reads three fractional digits at most; the rest are kept apart.
  const milliseconds = text.replace(/\.(\d+)/, (_, digits: string) => {
    nanos = Number(digits.slice(3, 9).padEnd(6, "0"));
    return `.${digits.slice(0, 3)}`;
  });
  const utc =
    milliseconds.length === 10 || /[Zz]|[+-]\d{2}:\d{2}$/.test(milliseconds)
      ? milliseconds
      : `${milliseconds}Z`;
  const date = new Date(utc);
  return nanos === 0 ? date : new Instant(date.getTime(), nanos);
}

/**
 * Whether `text` is ClickHouse's text of a real DateTime64 with `digits` fractional digits,
 * as `toString` writes it: `2026-11-02 09:30:00.123`.
 */
export function isSqlTime(text: string, digits: number): boolean {
  const parts = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})\\.\\d{${digits}}$`).exec(
    text,
  );
  if (!parts) return false;
  const [, year, month, day, hour, minute, second] = parts.map(Number) as number[];
  return calendarProblem(year!, month!, day!) === undefined && isTimeOfDay(hour!, minute!, second!);
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
  const from = to.getTime() - days * DAY_MS;
  const sameNanos = to instanceof Instant ? new Instant(from, to.subMillisecondNanos) : new Date(from);
  return { from: range.from ?? sameNanos, to };
}

/**
 * What is wrong with a resolved range, said of `from`, or undefined: `from` must come before
 * `to`, and the range may span at most 400 days.
 */
export function rangeProblem({ from, to }: TimeRange): string | undefined {
  if (compareInstants(from, to) >= 0) return "must be before `to`";
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > MAX_RANGE_DAYS) {
    return `the range spans ${Math.ceil(days)} days; at most ${MAX_RANGE_DAYS} days`;
  }
  return undefined;
}

/** A zod check for a schema with `from` and `to` (see `rangeProblem`); the issue names `from`. */
export function checkRange(
  value: { from?: Date | undefined; to?: Date | undefined },
  ctx: z.RefinementCtx,
): void {
  // Zod runs this even when a field already failed; that field's own issue says enough.
  const valid = (d: unknown) => d === undefined || d instanceof Date;
  if (!valid(value.from) || !valid(value.to)) return;
  const problem = rangeProblem(resolveRange(value, new Date()));
  if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["from"], message: problem });
}

/**
 * Formats a Date for a DateTime64 parameter: `2026-11-02 09:30:00.000`, or with nine
 * fractional digits for an `Instant`, so compare it as a DateTime64(9).
 */
export function sqlTime(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/**
 * The first whole millisecond at or after `date`, for a bound on a column kept to the
 * millisecond (incidents' `created_at`): there, `>= 09:30:00.000500` and `< 09:30:00.000500`
 * mean the same as `>= 09:30:00.001` and `< 09:30:00.001`.
 */
export function millisecondCeiling(date: Date): Date {
  return new Date(date.getTime() + (subMillisecondNanos(date) > 0 ? 1 : 0));
}

/** ClickHouse's `2026-11-02 09:30:00.123456789` as ISO 8601 UTC, keeping every digit. */
export function isoFromSql(text: string): string {
  return `${text.replace(" ", "T")}Z`;
}
