import type { Decision } from "@burnrate/core";
import { type ClickHouse, isTransient } from "@burnrate/storage";
import type { Logger } from "../writer/writer.js";

/** ClickHouse DateTime64(3) text for an ISO time. */
function dateTime64(iso: string): string {
  return iso.replace("T", " ").replace("Z", "");
}

/** The `incidents` row for a decision. */
export function incidentRow(decision: Decision) {
  const scope: Record<string, string> = {};
  for (const [key, value] of Object.entries(decision.scope)) if (value !== undefined) scope[key] = value;
  return {
    id: decision.decision_id,
    project_id: decision.project_id,
    created_at: dateTime64(decision.created_at),
    expires_at: dateTime64(decision.expires_at),
    detector: decision.detector,
    action: decision.action,
    releases: decision.releases ?? "",
    scope,
    reason: decision.reason,
    evidence: JSON.stringify(decision.evidence),
    trace_id: decision.scope.trace_id ?? "",
    session_id: decision.scope.session_id ?? "",
  };
}

/**
 * Writes one `incidents` row per decision. Writes are queued and retried while storage is
 * down (up to `maxQueued` decisions are held); `incidents` is a ReplacingMergeTree keyed by
 * the decision id, so a retried write never shows twice.
 */
export class IncidentWriter {
  readonly #queue: Decision[] = [];
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly db: ClickHouse,
    private readonly log: Logger,
    private readonly maxQueued = 10_000,
  ) {}

  add(decision: Decision): void {
    if (this.#queue.length >= this.maxQueued) {
      this.log.error(
        `burnrate: incident queue full; decision ${decision.decision_id} is not stored as an incident; it was ${JSON.stringify(decision)}`,
      );
      return;
    }
    this.#queue.push(decision);
    this.#kick();
  }

  /**
   * Starts draining unless a drain runs. Every drain started here clears `#running` when it
   * ends and starts the next if decisions arrived meanwhile, so no decision is left queued
   * with no drain to take it.
   */
  #kick(): void {
    if (this.#running || this.#closed) return;
    this.#running = this.#drain()
      .catch((error: Error) =>
        this.log.error(`burnrate: incident writer failed: ${error.stack ?? error.message}`),
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#queue.length > 0) this.#kick();
      });
  }

  /** Waits for queued incidents to be written (or for `timeoutMs`). */
  async flush(timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#queue.length > 0 || this.#running) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    this.#closed = true;
  }

  async #drain(): Promise<void> {
    let backoff = 100;
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#queue.slice(0, 500);
      try {
        await this.db.insert("incidents", batch.map(incidentRow));
        this.#queue.splice(0, batch.length);
        backoff = 100;
      } catch (caught) {
        let error = caught;
        if (!isTransient(error)) {
          // Retrying a batch storage refuses would hold every later incident back for good.
          try {
            await this.#insertOneByOne(batch);
            this.#queue.splice(0, batch.length);
            continue;
          } catch (transient) {
            error = transient;
          }
        }
        this.log.warn(
          `burnrate: could not store ${batch.length} incidents (${(error as Error).message}); retrying`,
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /**
   * After storage refused a batch outright: stores its decisions one at a time, and logs
   * each one it refuses in full, so the decision is still on record. A transient error
   * meanwhile is thrown, and the whole batch is retried (rows are keyed by decision id).
   */
  async #insertOneByOne(batch: Decision[]): Promise<void> {
    for (const decision of batch) {
      try {
        await this.db.insert("incidents", [incidentRow(decision)]);
      } catch (error) {
        if (isTransient(error)) throw error;
        this.log.error(
          `burnrate: storage refused incident ${decision.decision_id} (${(error as Error).message}); the decision was ${JSON.stringify(decision)}`,
        );
      }
    }
  }
}
