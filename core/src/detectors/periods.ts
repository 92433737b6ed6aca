/** Budget periods: UTC calendar days and months, taken from event time. */
export type BudgetPeriod = "day" | "month";

const MS_PER_DAY = 86_400_000;

/**
 * The ISO date on which the UTC period containing `ms` starts. The last day is cached, since
 * consecutive events almost always fall on the same day.
 * @example periodStart(Date.UTC(2025, 2, 14, 9), "month") === "2025-03-01"
 */
export function periodStart(ms: number, period: BudgetPeriod): string {
  const day = Math.floor(ms / MS_PER_DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayStart = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    cachedMonthStart = `${cachedDayStart.slice(0, 7)}-01`;
  }
  return period === "day" ? cachedDayStart : cachedMonthStart;
}

/**
 * When the period that starts on `start` (as `periodStart` gives it) ends, in ms.
 * @example periodEndMs("2025-03-01", "month") === Date.UTC(2025, 3, 1)
 */
export function periodEndMs(start: string, period: BudgetPeriod): number {
  const [year, month, day] = start.split("-").map(Number) as [number, number, number];
  return period === "day" ? Date.UTC(year, month - 1, day + 1) : Date.UTC(year, month, 1);
}

let cachedDay = Number.NaN;
let cachedDayStart = "";
let cachedMonthStart = "";

/**
 * The canonical start of the period that contains an ISO date (or date-time), or undefined
 * when the text is not one.
 * @example normalisePeriodStart("2025-03-14T10:00:00Z", "month") === "2025-03-01"
 */
export function normalisePeriodStart(text: string, period: BudgetPeriod): string | undefined {
  // Periods are UTC: a date, or a date-time without a zone, is read as UTC, never as the
  // machine's local time (which would move a seed into the day or month before).
  const utc = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? `${text}T00:00:00Z`
    : /T[\d:.]+$/.test(text)
      ? `${text}Z`
      : text;
  const ms = Date.parse(utc);
  return Number.isNaN(ms) ? undefined : periodStart(ms, period);
}
