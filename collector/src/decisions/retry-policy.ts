/** The longest Retry-After we wait for; a longer one falls back to the schedule. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** `Sun, 06 Nov 1994 08:49:37 GMT`, the date form RFC 9110 says senders must use. */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** What one delivery attempt tells us to do next. */
export type AttemptOutcome =
  | { kind: "delivered" }
  | { kind: "retry"; problem: string; retryAfterMs?: number }
  | { kind: "failed"; problem: string }
  | { kind: "gone" };

/**
 * Classifies an HTTP answer to a webhook. 2xx is delivered; 408, 429 and 5xx may pass, so
 * they are retried; 410 means the receiver wants no more; any other status (4xx, and 3xx
 * because we do not follow redirects with a signed body) will not change on retry.
 *
 * @example
 * outcomeOfStatus(429, "2", Date.now()); // { kind: "retry", problem: "HTTP 429", retryAfterMs: 2000 }
 */
export function outcomeOfStatus(status: number, retryAfter: string | null, now: number): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered" };
  if (status === 410) return { kind: "gone" };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return retryAfterMs === undefined
      ? { kind: "retry", problem: `HTTP ${status}` }
      : { kind: "retry", problem: `HTTP ${status}`, retryAfterMs };
  }
  return { kind: "failed", problem: `HTTP ${status}` };
}

/**
 * Reads Retry-After (seconds, or an HTTP date) as milliseconds to wait. Undefined when
 * absent, unreadable or longer than {@link MAX_RETRY_AFTER_MS}: a receiver asking for more
 * than a minute would outlast the whole retry budget, so the schedule decides instead.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1_000;
  // Only the IMF-fixdate form: Date.parse would also take "-1" or "1.5" as dates.
  else if (HTTP_DATE.test(trimmed)) ms = Date.parse(trimmed) - now;
  else return undefined;
  if (!Number.isFinite(ms)) return undefined;
  const wait = Math.max(0, ms);
  return wait <= MAX_RETRY_AFTER_MS ? wait : undefined;
}

/**
 * Spreads a wait by ±20% so that many collectors retrying one receiver do not arrive in step.
 *
 * @example
 * jitter(1_000); // somewhere in 800..1200
 */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.8 + 0.4 * random()));
}
