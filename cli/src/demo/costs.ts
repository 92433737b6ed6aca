import { createPriceBook, type PriceBook, parseUsd, UNPRICED, type Usd } from "@burnrate/core";

const PICO_PER_USD = 10n ** 12n;
const MS_PER_MINUTE = 60_000n;
const MS_PER_DAY = 86_400_000n;

/** One model call an agent reported: what it asked for and when. */
export interface TurnCall {
  model: string;
  usage: { input: number; output: number };
  startedAt: number;
  endedAt: number;
}

/** What the loop cost while it ran, and what it would cost if it ran on. */
export interface LoopSpend {
  turns: number;
  cost: Usd;
  elapsedMs: number;
  perMinute: Usd;
  /** `perMinute` carried on for `days` days: an extrapolation, not a measurement. */
  over: (days: number) => Usd;
}

/**
 * Adds up what the demo's calls cost, priced by the same price book the collector uses, so
 * the figures shown while it runs are the ones the store will hold. Money stays in exact
 * pico-dollars; only the printed strings are rounded.
 */
export class DemoCosts {
  readonly #book: PriceBook;
  #total: Usd = 0n;
  #loop = { turns: 0, cost: 0n, firstStart: Number.POSITIVE_INFINITY, lastEnd: 0 };

  constructor(book: PriceBook = createPriceBook()) {
    this.#book = book;
  }

  /** Everything spent so far. */
  get total(): Usd {
    return this.#total;
  }

  /** Prices one call and adds it; `inLoop` also counts it towards the loop's burn rate. */
  add(call: TurnCall, inLoop: boolean): Usd {
    const { cost } = this.#book.price({
      provider: "openai",
      requestModel: call.model,
      responseModel: call.model,
      serviceTier: "",
      tokens: {
        input: call.usage.input,
        output: call.usage.output,
        cacheRead: 0,
        cacheWrite: 0,
        reasoning: 0,
      },
      cost: UNPRICED,
      startTimeUnixNano: BigInt(call.startedAt) * 1_000_000n,
    });
    const usd = parseUsd(cost.total);
    this.#total += usd;
    if (inLoop) {
      const loop = this.#loop;
      loop.turns++;
      loop.cost += usd;
      loop.firstStart = Math.min(loop.firstStart, call.startedAt);
      loop.lastEnd = Math.max(loop.lastEnd, call.endedAt);
    }
    return usd;
  }

  /** The loop's spend and burn rate, or undefined before any loop call ended. */
  loop(): LoopSpend | undefined {
    const { turns, cost, firstStart, lastEnd } = this.#loop;
    if (turns === 0) return undefined;
    // At least 1 ms, so a loop of instant calls still has a finite rate.
    const elapsed = BigInt(Math.max(1, lastEnd - firstStart));
    return {
      turns,
      cost,
      elapsedMs: Number(elapsed),
      perMinute: (cost * MS_PER_MINUTE) / elapsed,
      over: (days) => (cost * BigInt(days) * MS_PER_DAY) / elapsed,
    };
  }
}

/**
 * Dollars for people: four decimals below $1 (a call costs fractions of a cent), two below
 * $1,000, whole dollars with thousands separators above. Rounds half up.
 * @example formatDollars(3_100_000_000n) // "$0.0031"; formatDollars(38_180_400_000_000_000n) // "$38,180"
 */
export function formatDollars(usd: Usd): string {
  const places = usd < PICO_PER_USD ? 4 : usd < 1_000n * PICO_PER_USD ? 2 : 0;
  const unit = 10n ** BigInt(12 - places);
  const rounded = (usd + unit / 2n) / unit;
  const scale = 10n ** BigInt(places);
  const whole = (rounded / scale).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = places > 0 ? `.${(rounded % scale).toString().padStart(places, "0")}` : "";
  return `$${whole}${fraction}`;
}
