import { readdirSync, readFileSync } from "node:fs";
import { type FileHandle, open, rm, truncate } from "node:fs/promises";
import { join } from "node:path";
import { type Position, readCheckpoint, resumePosition, writeCheckpoint } from "./checkpoint.js";
import { endsIncomplete, readRange, setAside, validFrameAt } from "./damage.js";
import { makeDirectory, syncDirectory } from "./directory.js";
import { frame, HEADER_BYTES, parseFrames } from "./frame.js";

export type { Position } from "./checkpoint.js";

export interface SpoolOptions {
  dir: string;
  /** Most bytes the spool may hold on disk; appends beyond it fail with SpoolFullError. */
  maxBytes: number;
  /** A segment file is closed and a new one started past this size. */
  segmentBytes: number;
  /** Told when damaged bytes are set aside in `dead-letter/` (a torn tail, or a damaged record). */
  onSetAside?: (message: string) => void;
}

export interface SpoolRead {
  records: Buffer[];
  bytes: number;
  end: Position;
}

/** The spool has no room; the receiver answers 503 with Retry-After and drops nothing. */
/** A record larger than the whole spool: retrying cannot help, only a smaller batch can. */
export class RecordLargerThanSpoolError extends Error {
  override name = "RecordLargerThanSpoolError";
}

export class SpoolFullError extends Error {
  override name = "SpoolFullError";
}

interface Segment {
  seq: number;
  /** Bytes written and fsync'd. Readers never look past this. */
  size: number;
}

interface Pending {
  data: Buffer;
  resolve(): void;
  reject(error: Error): void;
}

const segmentName = (seq: number) => `${String(seq).padStart(16, "0")}.seg`;

/**
 * A bounded on-disk FIFO of records, in numbered segment files. Every accepted batch is
 * appended here and fsync'd before the receiver answers 200, so a crash at any moment loses
 * nothing that was acknowledged; the writer reads records in order, writes them to storage,
 * then commits its position. Appends that arrive while an fsync runs share the next one
 * (group commit), which keeps the fsync rate low under load.
 */
export class Spool {
  #segments: Segment[] = [];
  #active: FileHandle | undefined;
  #reader: Position;
  #bytes = 0;
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(
    private readonly options: SpoolOptions,
    segments: Segment[],
    reader: Position,
  ) {
    this.#segments = segments;
    this.#reader = reader;
    this.#bytes = segments.reduce((sum, s) => sum + s.size, 0);
  }

  /**
   * Opens the spool directory, recovering what a previous process left: it trims a torn
   * record at the end of the last segment and resumes reading at the saved checkpoint, so
   * leftover records are replayed before anything new. It deletes no segment: only a commit,
   * which knows what storage holds, does.
   */
  static async open(options: SpoolOptions): Promise<Spool> {
    await makeDirectory(options.dir);
    const seqs = readdirSync(options.dir)
      .filter((f) => /^\d{16}\.seg$/.test(f))
      .map((f) => Number(f.slice(0, 16)))
      .sort((a, b) => a - b);
    const segments: Segment[] = [];
    for (const [i, seq] of seqs.entries()) {
      const path = join(options.dir, segmentName(seq));
      const data = readFileSync(path);
      const { consumed } = parseFrames(data);
      // A crash mid-append leaves an incomplete record at the end of the last segment: it was
      // never acknowledged, and is set aside. Damage anywhere else stays in place for `read`,
      // which sets aside only the damaged record, so the records after it are not lost.
      const tornTail = i === seqs.length - 1 && consumed < data.length && endsIncomplete(data, consumed);
      if (tornTail) {
        setAside(options, segmentName(seq), consumed, data.subarray(consumed), "a record torn by a crash");
        // Cut in place: rewriting the file would empty it first, and a crash then would take
        // the whole records too.
        await truncate(path, consumed);
      }
      segments.push({ seq, size: tornTail ? consumed : data.length });
    }
    const reader = resumePosition(readCheckpoint(options.dir), seqs);
    return new Spool(options, segments, reader);
  }

  /** Bytes on disk, read or not. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes appended (durably) that the reader has not committed yet. */
  get unreadBytes(): number {
    let total = 0;
    for (const s of this.#segments) {
      if (s.seq > this.#reader.segment) total += s.size;
      else if (s.seq === this.#reader.segment) total += s.size - this.#reader.offset;
    }
    return total;
  }

  /** The most bytes the spool holds: a record larger than this never fits. */
  get capacity(): number {
    return this.options.maxBytes;
  }

  /** True when a record of this payload size would not fit. */
  wouldOverflow(payloadBytes: number): boolean {
    return this.#bytes + payloadBytes + HEADER_BYTES > this.options.maxBytes;
  }

  /** Appends a record; resolves once it is on disk (fsync'd). Throws SpoolFullError when full. */
  append(payload: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the spool is closed"));
    const data = frame(payload);
    if (data.length > this.options.maxBytes) {
      return Promise.reject(
        new RecordLargerThanSpoolError(
          `a batch of ${data.length} bytes can never fit the ${this.options.maxBytes}-byte spool; send fewer spans per request, or raise collector.spool.maxBytes`,
        ),
      );
    }
    if (this.#bytes + data.length > this.options.maxBytes) {
      return Promise.reject(
        new SpoolFullError(
          `spool is full (${this.#bytes} of ${this.options.maxBytes} bytes in ${this.options.dir}); storage is not keeping up or is down`,
        ),
      );
    }
    this.#bytes += data.length; // reserved now, so concurrent appends cannot overcommit
    return new Promise((resolve, reject) => {
      this.#pending.push({ data, resolve, reject });
      this.#flushing ??= this.#flushLoop();
    });
  }

  /** Resolves when unread data arrives (immediately if some is waiting). */
  waitForData(): Promise<void> {
    if (this.unreadBytes > 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Reads the next unread records, up to `maxBytes`, or the next record alone when it is
   * larger than that, so a read always holds at least one record. A
   * damaged record (one that fails its CRC) is set aside in `dead-letter/` and read past, so
   * it neither stops the writer nor takes the records after it; the read then covers its
   * bytes too, and may hold no records at all.
   */
  async read(maxBytes: number): Promise<SpoolRead | undefined> {
    const records: Buffer[] = [];
    let bytes = 0;
    let pos = { ...this.#reader };
    for (let index = 0; index < this.#segments.length; ) {
      const segment = this.#segments[index]!;
      if (segment.seq < pos.segment) {
        index++;
        continue;
      }
      if (segment.seq > pos.segment) pos = { segment: segment.seq, offset: 0 };
      const available = segment.size - pos.offset;
      if (available <= 0) {
        index++;
        continue;
      }
      const path = join(this.options.dir, segmentName(segment.seq));
      const want = Math.min(available, Math.max(maxBytes - bytes, HEADER_BYTES));
      const data = await readRange(path, pos.offset, want);
      let parsed = parseFrames(data);
      if (parsed.payloads.length === 0) {
        // The next record is larger than the budget (read exactly that one), or it is damaged.
        const whole =
          data.length >= HEADER_BYTES ? HEADER_BYTES + data.readUInt32LE(0) : Number.POSITIVE_INFINITY;
        // A record that only overflows what is left of the budget waits for the next read; a
        // record larger than the whole budget is read alone, so reading always moves on.
        if (bytes > 0 && whole <= available) break;
        if (whole <= available) parsed = parseFrames(await readRange(path, pos.offset, whole));
        if (parsed.payloads.length === 0) {
          const skipped = await this.#setAsideDamaged(path, segment, pos.offset, whole);
          bytes += skipped;
          pos = { segment: segment.seq, offset: pos.offset + skipped };
          if (bytes >= maxBytes) break;
          continue;
        }
      }
      records.push(...parsed.payloads);
      bytes += parsed.consumed;
      pos = { segment: segment.seq, offset: pos.offset + parsed.consumed };
      if (bytes >= maxBytes || pos.offset < segment.size) break;
    }
    return bytes === 0 ? undefined : { records, bytes, end: pos };
  }

  /**
   * Sets aside the damaged record at `offset` and returns how many bytes it took. Its length
   * is trusted when the next record starts right after it (only its payload was damaged);
   * otherwise the record boundaries after it cannot be trusted, and the rest of the segment
   * is set aside.
   */
  async #setAsideDamaged(path: string, segment: Segment, offset: number, whole: number): Promise<number> {
    const end = offset + whole;
    const lengthTrusted =
      end === segment.size || (end < segment.size && (await validFrameAt(path, end, segment.size)));
    const length = lengthTrusted ? whole : segment.size - offset;
    setAside(
      this.options,
      segmentName(segment.seq),
      offset,
      await readRange(path, offset, length),
      "a damaged record",
    );
    return length;
  }

  /** Marks everything up to `read.end` as written to storage and frees finished segments. */
  async commit(read: SpoolRead): Promise<void> {
    this.#reader = read.end;
    const active = this.#segments.at(-1);
    const caughtUp =
      active !== undefined &&
      active.seq === read.end.segment &&
      read.end.offset === active.size &&
      this.#unflushed === 0 &&
      this.#pending.length === 0 &&
      this.#flushing === undefined;
    if (caughtUp) {
      // Everything is read: seal the active segment (synchronously, so a concurrent append
      // starts a new one) and move the reader past it, so it can be deleted.
      const handle = this.#active;
      this.#active = undefined;
      this.#reader = { segment: active.seq + 1, offset: 0 };
      await handle?.close();
    }
    await this.#dropSegmentsBefore(this.#reader.segment);
    // The deletions are made durable before the checkpoint that passes them, so a segment
    // below the checkpoint is never one that was written to storage (see resumePosition).
    if (this.#deletesUnsynced) {
      await syncDirectory(this.options.dir);
      this.#deletesUnsynced = false;
    }
    await writeCheckpoint(this.options.dir, this.#reader);
  }

  /** Flushes pending appends and closes the files. Unread records stay for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
    const handle = this.#active;
    this.#active = undefined;
    await handle?.close();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async #flushLoop(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      // Items before this index are durable: a segment sealed mid-batch was fsync'd and
      // published with them in it, and the reader will deliver them whatever happens next.
      // (Should closing the sealed file fail, they count as refused: a re-send, never a loss.)
      let durable = 0;
      try {
        for (const [i, item] of batch.entries()) {
          if (this.#isFullFor(item.data.length)) {
            await this.#seal();
            durable = i;
          }
          const handle = this.#active ?? (await this.#openSegment());
          const at = this.#segments.at(-1)!.size + this.#unflushed;
          await handle.write(item.data, 0, item.data.length, at);
          this.#unflushed += item.data.length;
        }
        // Segments sealed while writing this batch were fsync'd as they were sealed.
        await this.#active?.datasync();
        this.#publish();
        durable = batch.length;
      } catch (error) {
        // What is not durable is refused (its sender retries), and will be written over.
        this.#unflushed = 0;
        for (const item of batch.slice(durable)) {
          this.#bytes -= item.data.length;
          item.reject(error as Error);
        }
      }
      for (const item of batch.slice(0, durable)) item.resolve();
      for (const wake of this.#waiters.splice(0)) wake();
    }
    // Cleared in the same synchronous step that saw the queue empty, so an append that
    // lands right after always starts a new loop.
    this.#flushing = undefined;
  }

  /** True when `length` more bytes would overflow the active segment; an empty one takes any record. */
  #isFullFor(length: number): boolean {
    const last = this.#segments.at(-1);
    if (!this.#active || !last) return false;
    const used = last.size + this.#unflushed;
    return used > 0 && used + length > this.options.segmentBytes;
  }

  /** Makes what is in the full active segment durable and visible, then closes it. */
  async #seal(): Promise<void> {
    await this.#active!.datasync();
    this.#publish();
    const sealed = this.#active!;
    this.#active = undefined;
    await sealed.close();
  }

  /**
   * Starts the next segment and makes it the active one. Numbers only go up, from the
   * reader's segment at least, so a saved checkpoint never points into a newer segment.
   */
  async #openSegment(): Promise<FileHandle> {
    const seq = Math.max((this.#segments.at(-1)?.seq ?? 0) + 1, this.#reader.segment);
    const handle = await open(join(this.options.dir, segmentName(seq)), "w");
    // Its name is made durable before any record in it is acknowledged: a datasync of the
    // file covers its bytes only. Once per segment, not per append.
    await syncDirectory(this.options.dir).catch(async (error: Error) => {
      await handle.close();
      throw error;
    });
    this.#active = handle;
    this.#segments.push({ seq, size: 0 });
    return handle;
  }

  /** Makes fsync'd bytes of the active segment visible to the reader. */
  #publish(): void {
    const last = this.#segments.at(-1);
    if (last) last.size += this.#unflushed;
    this.#unflushed = 0;
  }

  /** Bytes written to the active segment but not yet fsync'd and published. */
  #unflushed = 0;

  /** True when segment files were deleted since the directory was last synced. */
  #deletesUnsynced = false;

  /**
   * Deletes the segments below `seq`. A segment whose file cannot be deleted is reported and
   * left on disk; the next start replays it, since it lies below the checkpoint.
   */
  async #dropSegmentsBefore(seq: number): Promise<void> {
    while (this.#segments.length > 0 && this.#segments[0]!.seq < seq) {
      const gone = this.#segments.shift()!;
      this.#bytes -= gone.size;
      const path = join(this.options.dir, segmentName(gone.seq));
      try {
        await rm(path, { force: true });
        this.#deletesUnsynced = true;
      } catch (error) {
        // Its records are in storage. Left behind, it only makes the next start replay from it
        // (storage keeps one copy of a row written twice); stopping here would stop every later
        // checkpoint and fill the spool with data already stored.
        this.options.onSetAside?.(
          `burnrate: could not delete the written segment ${path} (${(error as Error).message}); delete it by hand, or the next start replays it`,
        );
      }
    }
  }
}
