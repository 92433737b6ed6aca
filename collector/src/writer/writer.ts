import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ClickHouse, insertNewSerialisedCalls, isTransient } from "@burnrate/storage";
import type { CollectorMetrics } from "../metrics.js";
import type { Spool } from "../spool/spool.js";
import { decodeRecord } from "./rows.js";

export interface WriterOptions {
  /** Most bytes of spooled records merged into one insert. */
  batchMaxBytes: number;
  /** Longest a record waits for others to share its insert. */
  batchMaxDelayMs: number;
  /** Backoff between retries of a failed insert: starts here, doubles, capped at `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Moves batches from the spool into ClickHouse, in order. Records wait up to
 * `batchMaxDelayMs` to share an insert, up to `batchMaxBytes`. A failure that may pass
 * (storage down, too many parts) is retried with capped exponential backoff for as long as
 * it lasts, while the records stay safe in the spool. A record ClickHouse rejects outright
 * is set aside in the spool's `dead-letter/` folder, never dropped.
 */
export class Writer {
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #storageDown = false;

  constructor(
    private readonly db: ClickHouse,
    private readonly spool: Spool,
    private readonly options: WriterOptions,
    private readonly metrics: CollectorMetrics,
    private readonly log: Logger,
    private readonly deadLetterDir: string,
  ) {}

  start(): void {
    // #run catches what a round can throw; this only keeps a bug from crashing the process.
    this.#loop ??= this.#run().catch((error: Error) =>
      this.log.error(`burnrate: the writer stopped: ${error.stack ?? error.message}`),
    );
  }

  /**
   * Writes what is left in the spool, waiting at most `deadlineMs`, then stops. Records not
   * written by then stay in the spool and are replayed at the next start.
   */
  async close(deadlineMs: number): Promise<void> {
    const deadline = setTimeout(() => {
      this.#stopping = true;
      this.#wake?.();
    }, deadlineMs);
    this.#closing = true;
    this.#wake?.();
    await this.#loop;
    clearTimeout(deadline);
  }

  #closing = false;

  async #run(): Promise<void> {
    let backoff = this.options.retryInitialMs;
    let lastError: string | undefined;
    while (!this.#stopping) {
      try {
        if (!(await this.#round())) return;
        backoff = this.options.retryInitialMs;
        if (lastError !== undefined) this.log.info("burnrate: the spool's files work again; writing on");
        lastError = undefined;
      } catch (error) {
        // The spool's own files failed (a full or failing disk): nothing is committed past what
        // was stored, so the round is simply tried again, and the process keeps running.
        const message = (error as Error).message;
        this.metrics.writeErrors.inc({ kind: "local" });
        if (message !== lastError)
          this.log.error(`burnrate: the writer could not use the spool (${message}); retrying`);
        lastError = message;
        if (this.#closing) return;
        backoff = await this.#backOff(backoff);
      }
    }
  }

  /** Writes one batch from the spool; false when the writer should stop. */
  async #round(): Promise<boolean> {
    if (this.spool.unreadBytes === 0) {
      if (this.#closing) return false;
      await Promise.race([this.spool.waitForData(), this.#sleep(1_000)]);
      return true;
    }
    if (!this.#closing && this.spool.unreadBytes < this.options.batchMaxBytes) {
      await this.#sleep(this.options.batchMaxDelayMs);
    }
    const read = await this.spool.read(this.options.batchMaxBytes);
    if (!read) return true;
    // A read of damaged bytes only (set aside by the spool) has nothing to write.
    const written = read.records.length === 0 || (await this.#writeWithRetry(read.records));
    if (!written) return false; // stopping while storage is down: the records stay spooled
    await this.spool.commit(read);
    this.metrics.spoolBytes.set(this.spool.bytes);
    return true;
  }

  /** Resolves true once the records are stored (or dead-lettered), false if stopped first. */
  async #writeWithRetry(records: Buffer[]): Promise<boolean> {
    let backoff = this.options.retryInitialMs;
    for (;;) {
      try {
        await this.#write(records);
        if (this.#storageDown) this.log.info("burnrate: storage is back; writing spooled spans");
        this.#storageDown = false;
        return true;
      } catch (error) {
        if (!isTransient(error)) return this.#writeOneByOne(records, error as Error);
        this.metrics.writeErrors.inc({ kind: "transient" });
        if (!this.#storageDown) {
          this.log.warn(
            `burnrate: storage unavailable (${(error as Error).message}); spooling to disk and retrying`,
          );
        }
        this.#storageDown = true;
        if (this.#stopping) return false;
        backoff = await this.#backOff(backoff);
        if (this.#stopping) return false;
      }
    }
  }

  /** After a permanent error, finds which records ClickHouse refuses and sets them aside. */
  async #writeOneByOne(records: Buffer[], cause: Error): Promise<boolean> {
    if (records.length === 1) {
      this.#deadLetter(records[0]!, cause);
      return true;
    }
    for (const record of records) {
      if (!(await this.#writeWithRetry([record]))) return false;
    }
    return true;
  }

  async #write(records: Buffer[]): Promise<void> {
    const started = performance.now();
    const parts = records.map(decodeRecord);
    const spans = Buffer.concat(parts.map((p) => p.spans));
    await this.db.insertJsonEachRow("spans", spans);
    const inserted = await insertNewSerialisedCalls(
      this.db,
      parts.flatMap((p) => p.calls),
    );
    this.metrics.batchesWritten.inc();
    this.metrics.spansWritten.inc(countLines(spans));
    this.metrics.callsWritten.inc(inserted);
    this.metrics.writeSeconds.observe((performance.now() - started) / 1000);
  }

  #deadLetter(record: Buffer, cause: Error): void {
    mkdirSync(this.deadLetterDir, { recursive: true });
    const file = join(
      this.deadLetterDir,
      `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.rec`,
    );
    writeFileSync(file, record);
    this.metrics.writeErrors.inc({ kind: "rejected" });
    this.log.error(`burnrate: ClickHouse rejected a batch (${cause.message}); kept it in ${file}`);
  }

  /** Waits about `backoff` ms (±20%, so retries spread out) and returns the next wait, doubled up to the cap. */
  async #backOff(backoff: number): Promise<number> {
    await this.#sleep(backoff * (0.8 + Math.random() * 0.4));
    return Math.min(backoff * 2, this.options.retryMaxMs);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  return n;
}
