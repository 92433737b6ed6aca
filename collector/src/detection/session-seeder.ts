import type { DetectionEngine, Finding, SessionSeedRequest } from "@burnrate/core";
import { build, type ClickHouse, param, sql } from "@burnrate/storage";
import type { Logger } from "../writer/writer.js";

export interface SessionSeederOptions {
  /** Sessions that may wait for their query; past it a session is counted from when it was seen. */
  maxWaiting?: number;
  /** Queries run at once. */
  concurrency?: number;
}

/**
 * Loads a session's earlier spend when the detection engine first sees a session that a
 * session budget watches (after a restart, or once the session idled past `runTtlSeconds` and
 * was dropped), so the budget counts the whole session and not just what came since. It never
 * holds up ingest: the engine asks during detection, the request is queued, and the query runs
 * afterwards, a few at a time; the findings the spend causes (a stop, say) are published when
 * it comes. The queue is bounded: past it, and while storage cannot answer, a session counts
 * from when it was seen, as before, and that is logged once.
 */
export class SessionSeeder {
  readonly #waiting: SessionSeedRequest[] = [];
  readonly #maxWaiting: number;
  readonly #concurrency: number;
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
    engine.onSessionSeed((request) => this.#enqueue(request));
  }

  /** Sessions waiting for or in a query now. */
  get pending(): number {
    return this.#waiting.length + this.#running;
  }

  /** Drops what waits; answers still on their way are not published. */
  stop(): void {
    this.#closed = true;
    this.#waiting.length = 0;
  }

  #enqueue(request: SessionSeedRequest): void {
    if (this.#closed) return;
    if (this.#waiting.length >= this.#maxWaiting) {
      this.#warnOnce(`all ${this.#maxWaiting} places in the queue are taken`);
      return;
    }
    this.#waiting.push(request);
    // The engine asks from inside detection: the query starts once the batch is done.
    setImmediate(() => this.#pump());
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.#concurrency && this.#waiting.length > 0) {
      const request = this.#waiting.shift()!;
      this.#running++;
      void this.#seed(request).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  async #seed(request: SessionSeedRequest): Promise<void> {
    let spent: string;
    try {
      spent = await this.#spentBefore(request);
    } catch (error) {
      if (!this.#closed) this.#warnOnce(`storage did not answer (${(error as Error).message})`);
      return;
    }
    if (this.#closed) return;
    this.#warned = false;
    for (const finding of this.engine.seedSession(request, spent)) this.publish(request.projectId, finding);
  }

  /**
   * What the session's calls that started before the engine saw it cost. Each call counts
   * once, at its latest version, as FINAL would keep it (a retried export can leave a copy
   * until merges run); the bloom-filter index on session_id narrows the read.
   */
  async #spentBefore(request: SessionSeedRequest): Promise<string> {
    const [row] = await this.db.query<{ spent: string }>(
      build(sql`SELECT toString(sum(cost)) AS spent FROM (
          SELECT argMax(cost_total, version) AS cost FROM llm_calls
          WHERE project_id = ${param("String", request.projectId)}
            AND session_id = ${param("String", request.sessionId)}
            AND start_time < fromUnixTimestamp64Milli(${param("Int64", request.beforeMs)}, 'UTC')
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
