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
 * exact to the millisecond, because ranges are resolved to `Date`s; digits past the third are
 * accepted only when they are zeros, so an instant the API emitted with nanosecond digits
 * (a trace's `startTime`) can be sent back as it is.
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
  .transform(toDate)
  .describe(
    "ISO 8601 date or date-time (UTC unless it has an offset), at most millisecond precision, in the years 1970 to 2105",
  );

/** Why `text` (which matches ISO) names no real instant the API can use, or undefined. */
function instantProblem(text: string): string | undefined {
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHour, offsetMinute] =
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
  if (fraction !== undefined && /[1-9]/.test(fraction.slice(3))) {
    return `has digits below the millisecond (.${fraction}); times are exact to the millisecond, so give at most 3 fractional digits (zeros after them are fine)`;
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

function toDate(text: string): Date {
  const utc = text.length === 10 || /[Zz]|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`;
  return new Date(utc);
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
  return { from: range.from ?? new Date(to.getTime() - days * DAY_MS), to };
}

/**
 * What is wrong with a resolved range, said of `from`, or undefined: `from` must come before
 * `to`, and the range may span at most 400 days.
 */
export function rangeProblem({ from, to }: TimeRange): string | undefined {
  if (from.getTime() >= to.getTime()) return "must be before `to`";
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

/** Formats a Date for a DateTime64 parameter: `2026-11-02 09:30:00.000`. */
export function sqlTime(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

/** ClickHouse's `2026-11-02 09:30:00.123456789` as ISO 8601 UTC, keeping every digit. */
export function isoFromSql(text: string): string {
  return `${text.replace(" ", "T")}Z`;
}
