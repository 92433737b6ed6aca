import { z } from "zod";
import { parseUsd, type Usd } from "../pricing/money.js";
import type { HeldKill } from "./budget-kills.js";
import { usdAmountSchema } from "./config.js";
import { type BudgetPeriod, normalisePeriodStart } from "./periods.js";
import { RecencyList } from "./recency-list.js";

/** Spend of one user, feature or tenant in one period, as loaded from storage at start. */
export const spendSeedSchema = z
  .object({
    scope: z.enum(["user", "feature", "tenant"]),
    id: z.string().min(1),
    period: z.enum(["day", "month"]),
    /** Any ISO date inside the period; `2025-03-14` seeds March for a monthly entry. */
    periodStart: z.string().min(1),
    spentUsd: usdAmountSchema,
    /** The project; unset seeds this id in whichever project spends first (single-project collectors). */
    projectId: z.string().min(1).optional(),
  })
  .strict();
export type SpendSeed = z.input<typeof spendSeedSchema>;

/** A seed as loaded: its period's canonical start and its amount. */
export interface LoadedSeed {
  projectId: string | undefined;
  scope: SpendSeedScope;
  id: string;
  period: BudgetPeriod;
  start: string;
  pico: Usd;
}
type SpendSeedScope = z.infer<typeof spendSeedSchema>["scope"];

/** One (project, scope, id, period) spend counter. */
export interface SpendCounter {
  readonly key: string;
  periodStart: string;
  spentPico: Usd;
  /** Spend loaded by `seed` for this period: warnings at or below it were already sent. */
  seededPico: Usd;
  /** Finding keys already emitted this period. */
  fired: Set<string> | undefined;
  /** This period's kills, while they hold: a budget raised or deleted lifts them (see budget-kills.ts). */
  kills: HeldKill[] | undefined;
  /** How many kills of each level were lifted this period, so a later kill gets a key of its own. */
  lifted: Map<string, number> | undefined;
  /** The event that last added to it, so several budgets on one counter add the cost once. */
  eventSeq: number;
  older: SpendCounter | undefined;
  newer: SpendCounter | undefined;
}

const ANY_PROJECT = "\u0001any";

/**
 * Exact spend per (project, scope, id, period), for user, feature and tenant budgets. Counters
 * are made only for ids that have a budget, and held in LRU order up to `maxCounters`: the one
 * evicted first is the one idle longest, typically a user whose period is over.
 */
export class SpendLedger {
  readonly #counters = new Map<string, SpendCounter>();
  /** Counters without a held kill, least recently used first: the first to be evicted. */
  readonly #recency = new RecencyList<SpendCounter>();
  /**
   * Counters with a held kill, in their own recency order. A killed id stops spending, so its
   * counter soon becomes the least recently used; it is evicted only when every counter holds
   * a kill, or its kill could no longer be lifted (see `#evict`).
   */
  readonly #killedRecency = new RecencyList<SpendCounter>();
  readonly #seeds = new Map<string, { periodStart: string; pico: Usd }>();
  /** Counters with kills that hold, so a budget change finds them without walking every counter. */
  readonly #killed = new Set<SpendCounter>();
  readonly #maxCounters: number;
  #eventSeq = 0;

  constructor(maxCounters: number) {
    this.#maxCounters = maxCounters;
  }

  get size(): number {
    return this.#counters.size;
  }

  get seeds(): number {
    return this.#seeds.size;
  }

  /** Marks the start of a new event's additions. */
  nextEvent(): void {
    this.#eventSeq++;
  }

  /**
   * Adds `costPico` to the counter for this period (once per event) and returns it; a new
   * period starts fresh, from its seed if one was loaded. Returns undefined for an event of a
   * period older than the counter's (a late span of a finished period changes nothing now).
   */
  add(
    projectId: string,
    scope: string,
    id: string,
    period: BudgetPeriod,
    start: string,
    costPico: Usd,
  ): SpendCounter | undefined {
    const key = counterKey(projectId, scope, id, period);
    let counter = this.#counters.get(key);
    if (counter) {
      this.#listOf(counter).touch(counter, true);
    } else {
      counter = {
        key,
        periodStart: "",
        spentPico: 0n,
        seededPico: 0n,
        fired: undefined,
        kills: undefined,
        lifted: undefined,
        eventSeq: -1,
        older: undefined,
        newer: undefined,
      };
      this.#counters.set(key, counter);
      this.#recency.touch(counter, false);
      if (this.#counters.size > this.#maxCounters) this.#evict(counter);
    }
    if (start < counter.periodStart) return undefined;
    if (start > counter.periodStart) this.#startPeriod(counter, key, scope, id, period, start);
    if (counter.eventSeq !== this.#eventSeq) {
      counter.eventSeq = this.#eventSeq;
      counter.spentPico += costPico;
    }
    return counter;
  }

  /**
   * Drops the least recently used counter that holds no kill; when the only such counter is
   * the one just made, the least recently used kill-holder goes instead, to keep the bound.
   */
  #evict(added: SpendCounter): void {
    const oldest = this.#recency.oldest;
    const victim = oldest !== undefined && oldest !== added ? oldest : this.#killedRecency.oldest;
    if (!victim) return;
    this.#listOf(victim).remove(victim);
    this.#counters.delete(victim.key);
    this.#killed.delete(victim);
  }

  #listOf(counter: SpendCounter): RecencyList<SpendCounter> {
    return this.#killed.has(counter) ? this.#killedRecency : this.#recency;
  }

  /** Moves a live counter between the two recency lists as it gains or loses its held kills. */
  #setKilled(counter: SpendCounter, killed: boolean): void {
    if (this.#killed.has(counter) === killed) return;
    if (this.#counters.get(counter.key) !== counter) {
      // Evicted already (by another scope's counter of the same event): not listed, but a
      // budget change may still lift its kill.
      if (killed) this.#killed.add(counter);
      else this.#killed.delete(counter);
      return;
    }
    this.#listOf(counter).remove(counter);
    if (killed) this.#killed.add(counter);
    else this.#killed.delete(counter);
    this.#listOf(counter).touch(counter, false);
  }

  #startPeriod(
    counter: SpendCounter,
    key: string,
    scope: string,
    id: string,
    period: BudgetPeriod,
    start: string,
  ): void {
    counter.periodStart = start;
    counter.spentPico = 0n;
    counter.seededPico = 0n;
    counter.fired = undefined;
    counter.kills = undefined;
    counter.lifted = undefined;
    this.#setKilled(counter, false);
    for (const seedKey of [key, counterKey(ANY_PROJECT, scope, id, period)]) {
      const seed = this.#seeds.get(seedKey);
      if (!seed) continue;
      // A seed is used up by its own period (a seed with no project, by the first project to
      // spend in it), and outlived by a later one; a late span of an earlier period (buffered
      // across midnight) leaves it for the period it belongs to.
      if (seed.periodStart <= start) this.#seeds.delete(seedKey);
      if (seed.periodStart === start) {
        counter.spentPico = seed.pico;
        counter.seededPico = seed.pico;
        return;
      }
    }
  }

  /** Records a kill of the counter's period, which holds until a budget change lifts it (once per key). */
  holdKill(counter: SpendCounter, kill: HeldKill): void {
    counter.kills ??= [];
    if (counter.kills.some((held) => held.key === kill.key)) return;
    counter.kills.push(kill);
    this.#setKilled(counter, true);
  }

  /** The live counter of an id, if there is one. */
  counter(projectId: string, scope: string, id: string, period: BudgetPeriod): SpendCounter | undefined {
    return this.#counters.get(counterKey(projectId, scope, id, period));
  }

  /** The counters whose period has kills that hold. */
  killedCounters(): SpendCounter[] {
    return [...this.#killed];
  }

  /** Keeps only `kills` of the counter's held kills (none: the counter has no kill left). */
  keepKills(counter: SpendCounter, kills: HeldKill[]): void {
    if (kills.length > 0) {
      counter.kills = kills;
      return;
    }
    counter.kills = undefined;
    this.#setKilled(counter, false);
  }

  /**
   * Loads spend from storage. A counter already live for the same period keeps the larger
   * of its own and the seeded amount (and then alerts on any level that crosses); otherwise
   * the seed waits for the id's first event in that period. Returns the entries as loaded.
   * @throws RangeError naming the entry and field when an entry is malformed; nothing is loaded then.
   */
  seed(entries: readonly SpendSeed[]): LoadedSeed[] {
    // Validate every entry before loading any, so a bad row never leaves a half-loaded month.
    const loaded = entries.map((raw, index) => {
      const parsed = spendSeedSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new RangeError(`seedSpend[${index}].${issue.path.join(".")}: ${issue.message}`);
      }
      const entry = parsed.data;
      const start = normalisePeriodStart(entry.periodStart, entry.period);
      if (start === undefined) {
        throw new RangeError(
          `seedSpend[${index}].periodStart: not an ISO date: ${JSON.stringify(entry.periodStart)}`,
        );
      }
      const project = entry.projectId ?? ANY_PROJECT;
      return {
        key: counterKey(project, entry.scope, entry.id, entry.period),
        projectId: entry.projectId,
        scope: entry.scope,
        id: entry.id,
        period: entry.period,
        start,
        pico: parseUsd(entry.spentUsd),
      };
    });
    const result = loaded.map(({ key: _key, ...seed }) => seed);
    for (const { key, start, pico } of loaded) {
      const previous = this.#seeds.get(key);
      if (
        !previous ||
        start > previous.periodStart ||
        (start === previous.periodStart && pico > previous.pico)
      ) {
        this.#seeds.set(key, { periodStart: start, pico });
      }
      const live = this.#counters.get(key);
      if (live) merge(live, start, pico);
    }
    if (!loaded.some(({ key }) => key.startsWith(ANY_PROJECT))) return result;
    for (const [key, counter] of this.#counters) {
      const seed = this.#seeds.get(ANY_PROJECT + key.slice(key.indexOf("\u0000")));
      if (seed) merge(counter, seed.periodStart, seed.pico);
    }
    return result;
  }
}

function merge(counter: SpendCounter, start: string, pico: Usd): void {
  if (counter.periodStart === start && pico > counter.spentPico) counter.spentPico = pico;
}

function counterKey(projectId: string, scope: string, id: string, period: BudgetPeriod): string {
  return `${projectId}\u0000${scope}\u0000${id}\u0000${period}`;
}
