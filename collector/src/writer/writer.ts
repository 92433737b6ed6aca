import { closeSync, fsyncSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ClickHouse,
  insertNewSerialisedCalls,
  isTransient,
  type SerialisedCall,
} from "@burnrate/storage";
import type { CollectorMetrics } from "../metrics.js";
import type { Spool } from "../spool/spool.js";
import { type DecodedRecord, decodeRecord, type SpanLine, spanLineBytes, spansPayload } from "./rows.js";
import { insertSplitting, pieces, STOPPED } from "./split-insert.js";

export interface WriterOptions {
  /** Most bytes of spooled records written in one round, and of rows sent in one insert. */
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

/** How the writer inserts one table's rows, and keeps those ClickHouse refuses. */
interface Table<T> {
  name: "spans" | "llm_calls";
  bytesOf(row: T): number;
  /** Inserts the rows and resolves to how many it stored. */
  insert(rows: T[]): Promise<number>;
  /** The rows as a JSONEachRow payload for the table. */
  jsonl(rows: T[]): Buffer;
}

/**
 * Moves batches from the spool into ClickHouse, in order. Records wait up to
 * `batchMaxDelayMs` to share an insert, up to `batchMaxBytes`. A failure that may pass
 * (storage down, too many parts) is retried with capped exponential backoff for as long as
 * it lasts, while the records stay safe in the spool. When ClickHouse refuses rows outright,
 * only the rows it refuses are set aside in the spool's `dead-letter/` folder, never dropped,
 * and the rest of their batch is stored.
 */
export class Writer {
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #storageDown = false;

  readonly #spans: Table<SpanLine> = {
    name: "spans",
    bytesOf: spanLineBytes,
    insert: async (rows) => {
      await this.db.insertJsonEachRow("spans", spansPayload(rows));
      return rows.length;
    },
    jsonl: spansPayload,
  };

  // Calls already stored are skipped, so a retried insert (or a piece of one) counts none twice.
  readonly #calls: Table<SerialisedCall> = {
    name: "llm_calls",
    bytesOf: (row) => row.json.length + 1,
    insert: (rows) => insertNewSerialisedCalls(this.db, rows),
    jsonl: (rows) => Buffer.from(rows.map((row) => `${row.json}\n`).join("")),
  };

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
    const written = read.records.length === 0 || (await this.#store(read.records));
    if (!written) return false; // stopping while storage is down: the records stay spooled
    await this.spool.commit(read);
    this.metrics.spoolBytes.set(this.spool.bytes);
    return true;
  }

  /**
   * Resolves true once every row of the records is stored or set aside, false if stopped
   * first. Spans go in before calls, each in pieces of at most `batchMaxBytes`: a record keeps
   * a resource once, and its rows grow by a copy of it each as they are built.
   */
  async #store(records: Buffer[]): Promise<boolean> {
    const started = performance.now();
    const decoded = this.#decode(records);
    const spans = await this.#insert(
      this.#spans,
      decoded.flatMap((d) => d.spans),
    );
    if (spans === undefined) return false;
    const calls = await this.#insert(
      this.#calls,
      decoded.flatMap((d) => d.calls),
    );
    if (calls === undefined) return false;
    this.metrics.batchesWritten.inc();
    this.metrics.spansWritten.inc(spans);
    this.metrics.callsWritten.inc(calls);
    this.metrics.writeSeconds.observe((performance.now() - started) / 1000);
    return true;
  }

  /** Inserts a table's rows and returns how many it stored, or undefined if stopped first. */
  async #insert<T>(table: Table<T>, rows: T[]): Promise<number | undefined> {
    let stored = 0;
    for (const piece of pieces(rows, table.bytesOf, this.options.batchMaxBytes)) {
      const result = await insertSplitting(piece, (part) => this.#attempt(() => table.insert(part)));
      if (result === undefined) return undefined;
      if (result.error) this.#setAsideRows(table, result.refused, piece.length, result.error);
      stored += result.stored;
    }
    return stored;
  }

  /**
   * Runs `insert` until it stores its rows or ClickHouse refuses them. A failure that may pass
   * (storage down, too many parts) is retried with capped exponential backoff for as long as
   * it lasts; a refusal is returned, for `insertSplitting` to find the rows it refuses.
   */
  async #attempt(insert: () => Promise<number>): Promise<number | Error | typeof STOPPED> {
    let backoff = this.options.retryInitialMs;
    for (;;) {
      try {
        const stored = await insert();
        if (this.#storageDown) this.log.info("burnrate: storage is back; writing spooled spans");
        this.#storageDown = false;
        return stored;
      } catch (error) {
        if (!isTransient(error)) return error instanceof Error ? error : new Error(String(error));
        this.metrics.writeErrors.inc({ kind: "transient" });
        if (!this.#storageDown) {
          this.log.warn(
            `burnrate: storage unavailable (${(error as Error).message}); spooling to disk and retrying`,
          );
        }
        this.#storageDown = true;
        if (this.#stopping) return STOPPED;
        backoff = await this.#backOff(backoff);
        if (this.#stopping) return STOPPED;
      }
    }
  }

  /** Decodes the records; one this collector cannot read is set aside whole. */
  #decode(records: Buffer[]): DecodedRecord[] {
    const decoded: DecodedRecord[] = [];
    for (const record of records) {
      try {
        decoded.push(decodeRecord(record));
      } catch (error) {
        const file = this.#deadLetter("rec", record);
        this.log.error(
          `burnrate: could not read a spooled batch (${(error as Error).message}); kept it in ${file}`,
        );
      }
    }
    return decoded;
  }

  /** Keeps rows ClickHouse refused as a JSONEachRow file of their table, to insert once fixed. */
  #setAsideRows<T>(table: Table<T>, rows: T[], of: number, cause: Error): void {
    const file = this.#deadLetter(`${table.name}.jsonl`, table.jsonl(rows));
    // ClickHouse's messages run over several lines; a log line stays one line.
    const why = cause.message.replace(/\s+/g, " ");
    this.log.error(
      `burnrate: ClickHouse refused ${rows.length} of ${of} rows for ${table.name} (${why}); kept them in ${file}`,
    );
  }

  /** Writes `data` to a new file in `dead-letter/`, durably, since the spool lets go of it next. */
  #deadLetter(extension: string, data: Uint8Array): string {
    mkdirSync(this.deadLetterDir, { recursive: true });
    const file = join(
      this.deadLetterDir,
      `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.${extension}`,
    );
    const fd = openSync(file, "w");
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.metrics.writeErrors.inc({ kind: "rejected" });
    return file;
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
