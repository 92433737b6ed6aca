import type { DetectionEngine, Finding, SessionSeedRequest } from "@burnrate/core";
import { build, type ClickHouse, param, sql } from "@burnrate/storage";
import type { Logger } from "../writer/writer.js";

export interface SessionSeederOptions {
  /** Sessions that may wait for their query; past it a session is counted from when it was seen. */
  maxWaiting?: number;
  /** Queries run at once. */
  concurrency?: number;
  /**
   * How far back before a session's first event its earlier calls are read, in days (default
   * 30). A session budget counts the session's life; a session whose earlier calls are older
   * than this counts them from this far back. It bounds each query to the newest one or two
   * monthly partitions of llm_calls, which keeps 400 days, so a burst of brand-new sessions
   * (each asks: storage alone knows it is new) reads little.
   */
  seedWindowDays?: number;
}

const DAY_MS = 86_400_000;
/** Tries for a session whose calls keep arriving out of order while its query runs. */
const MAX_TRIES = 3;

/**
 * Loads a session's earlier spend when the detection engine first sees a session that a
 * session budget watches (after a restart, or once the session idled past `runTtlSeconds` and
 * was dropped), so the budget counts the whole session and not just what came since. It never
 * holds up ingest: the engine asks during detection, the request is queued, and the query runs
 * afterwards, a few at a time; the findings the spend causes (a stop, say) are published when
 * it comes. The queue is bounded: past it, and while storage cannot answer, a session counts
 * from when it was seen, as before, and that is logged once. A full queue drops its oldest
 * request, so a burst of new sessions cannot keep a session seen after it from a place; a
 * session asked for again (its run dropped and made anew) replaces its waiting request.
 */
export class SessionSeeder {
  /** By project and session, oldest first. */
  readonly #waiting = new Map<string, SessionSeedRequest>();
  readonly #maxWaiting: number;
  readonly #concurrency: number;
  readonly #windowMs: number;
  #running = 0;
  #closed = false;
  #warned = false;

  constructor(
    private readonly db: ClickHouse,
    private readonly engine: DetectionEngine,
    private readonly log: Logger,
    private readonly publish: (projectId: string, finding: Finding) => void,
    options: SessionSeederOptions = {},
  ) {
    this.#maxWaiting = options.maxWaiting ?? 1_000;
    this.#concurrency = options.concurrency ?? 4;
    this.#windowMs = (options.seedWindowDays ?? 30) * DAY_MS;
    engine.onSessionSeed((request) => this.#enqueue(request));
  }

  /** Sessions waiting for or in a query now. */
  get pending(): number {
    return this.#waiting.size + this.#running;
  }

  /** Drops what waits and resolves once the queries still running have ended, unpublished. */
  async stop(): Promise<void> {
    this.#closed = true;
    this.#waiting.clear();
    await Promise.allSettled(this.#inFlight);
  }

  readonly #inFlight = new Set<Promise<void>>();

  #enqueue(request: SessionSeedRequest): void {
    if (this.#closed) return;
    const key = `${request.projectId}\u0000${request.sessionId}`;
    // The run an earlier request was for is gone: only the new one can be seeded.
    this.#waiting.delete(key);
    if (this.#waiting.size >= this.#maxWaiting) {
      const oldest = this.#waiting.keys().next().value!;
      this.#waiting.delete(oldest);
      this.#warnOnce(`all ${this.#maxWaiting} places in the queue were taken`);
    }
    this.#waiting.set(key, request);
    // The engine asks from inside detection: the query starts once the batch is done.
    setImmediate(() => this.#pump());
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.#concurrency && this.#waiting.size > 0) {
      const [key, request] = this.#waiting.entries().next().value!;
      this.#waiting.delete(key);
      this.#running++;
      const seeding: Promise<void> = this.#seed(request).finally(() => {
        this.#inFlight.delete(seeding);
        this.#running--;
        this.#pump();
      });
      this.#inFlight.add(seeding);
    }
  }

  async #seed(request: SessionSeedRequest): Promise<void> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      // Calls the engine counted live are left out; one more counted while the query ran may
      // or may not be in its answer, so then it is asked again.
      const countedLive = [...request.countedLive];
      let spent: string;
      try {
        spent = await this.#spentBefore(request, countedLive);
      } catch (error) {
        if (!this.#closed) this.#warnOnce(`storage did not answer (${(error as Error).message})`);
        return;
      }
      if (this.#closed) return;
      if (request.countedLive.size !== countedLive.length) continue;
      this.#warned = false;
      for (const finding of this.engine.seedSession(request, spent)) this.publish(request.projectId, finding);
      return;
    }
    this.#warnOnce("its calls kept arriving out of order while it was read");
  }

  /**
   * What the session's calls that started before the engine saw it (within the seed window)
   * cost, less those the engine counted live. Each call counts once, at its latest version, as
   * FINAL would keep it (a retried export can leave a copy until merges run); the bloom-filter
   * index on session_id and the monthly partitions narrow the read.
   */
  async #spentBefore(request: SessionSeedRequest, countedLive: string[]): Promise<string> {
    const [row] = await this.db.query<{ spent: string }>(
      build(sql`SELECT toString(sum(cost)) AS spent FROM (
          SELECT argMax(cost_total, version) AS cost FROM llm_calls
          WHERE project_id = ${param("String", request.projectId)}
            AND session_id = ${param("String", request.sessionId)}
            AND start_time < fromUnixTimestamp64Milli(${param("Int64", request.beforeMs)}, 'UTC')
            AND start_time >= fromUnixTimestamp64Milli(${param("Int64", request.beforeMs - this.#windowMs)}, 'UTC')
            AND NOT has(${param("Array(String)", countedLive)}, concat(trace_id, '/', span_id))
          GROUP BY trace_id, span_id)`),
    );
    return row?.spent ?? "0";
  }

  #warnOnce(why: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.log.warn(
      `burnrate: a session's earlier spend was not loaded: ${why}; its session budget counts it from when the collector saw it`,
    );
  }
}
