import type { Attributes, Span } from "@burnrate/core";
import type { SerialisedCall } from "@burnrate/storage";
import type { Batch } from "../pipeline/batch.js";
import { callRow } from "./call-row.js";
import { wellFormedJson } from "./column-values.js";
import { sharedColumns, spanHead } from "./span-row.js";

/**
 * A batch as the spool stores it: its `spans` and `llm_calls` rows, serialised once, here,
 * so that replaying a spooled batch costs no further conversion.
 *
 * Version 2, written since a resource is stored once per record:
 *
 *     u32 0xFFFFFFFF | u32 2 | u32 bytes of `shared` | u32 bytes of `spans` | shared | spans | calls
 *
 * - `shared`: a line per resource and scope, the text that ends each of their spans' rows
 *   (`sharedColumns`). A 100 KB resource attribute on 5,000 spans made a 500 MB record when
 *   every row carried it; here it is written once, and copied into each row only as the
 *   writer builds an insert, a bounded piece at a time.
 * - `spans`: a line per span, `<number of its shared line>\t<spanHead>`.
 * - `calls`: a line per call, its key ahead of the JSON, so that the writer can check for
 *   calls already stored without parsing the JSON back: `<project>\t<trace>\t<span>\t<row>`.
 *
 * Version 1 was `u32 bytes of spans | spans as JSONEachRow | calls`. Its first word, the
 * spans' length, is never 0xFFFFFFFF (a record is shorter than 4 GiB), which is how the two
 * are told apart: a spool written before an upgrade is still read after it.
 * All integers are little-endian.
 */
export function encodeRecord(batch: Batch, version: bigint): Buffer {
  try {
    return encode(batch, version);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new RecordTooLargeError(
      `the ${batch.spans.length} spans of this batch make rows larger than one spool record can hold ` +
        `(${error.message}); send fewer spans per request`,
      { cause: error },
    );
  }
}

/**
 * A batch whose rows pass what one spool record (a JS string, then a buffer) can hold:
 * sending it again cannot succeed, only sending it in smaller batches.
 */
export class RecordTooLargeError extends Error {
  override name = "RecordTooLargeError";
}

function encode(batch: Batch, version: bigint): Buffer {
  const sharedLines = new Map<Attributes, Map<Span["scope"], number>>();
  let shared = "";
  let sharedCount = 0;
  let spans = "";
  for (const span of batch.spans) {
    // Spans share their resource and scope objects (the decoders make one of each), so
    // looking them up by identity finds every span of a resource at no cost per value.
    let byScope = sharedLines.get(span.resource);
    if (byScope === undefined) {
      byScope = new Map();
      sharedLines.set(span.resource, byScope);
    }
    let line = byScope.get(span.scope);
    if (line === undefined) {
      line = sharedCount++;
      byScope.set(span.scope, line);
      shared += `${sharedColumns(span.resource, span.scope)}\n`;
    }
    spans += `${line}\t${spanHead(batch.projectId, span)}\n`;
  }
  let calls = "";
  for (const call of batch.calls) {
    calls += `${call.projectId}\t${call.traceId}\t${call.spanId}\t${JSON.stringify(callRow(call, version))}\n`;
  }
  const sections = [shared, spans, calls].map((text) => Buffer.from(wellFormedJson(text)));
  const header = Buffer.allocUnsafe(16);
  header.writeUInt32LE(VERSION_MARK, 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(sections[0]!.length, 8);
  header.writeUInt32LE(sections[1]!.length, 12);
  return Buffer.concat([header, ...sections]);
}

const VERSION_MARK = 0xffffffff;

/** One `spans` row of a record: the JSONEachRow line `head` + `tail`, kept in two parts to share `tail`. */
export interface SpanLine {
  head: Buffer;
  tail: Buffer;
}

export interface DecodedRecord {
  spans: SpanLine[];
  calls: SerialisedCall[];
}

/** Reads a record of either version; throws on one this collector cannot read. */
export function decodeRecord(record: Buffer): DecodedRecord {
  if (record.length < 4 || record.readUInt32LE(0) !== VERSION_MARK) return decodeVersion1(record);
  const version = record.length >= 16 ? record.readUInt32LE(4) : 0;
  if (version !== 2) {
    throw new Error(
      `a spool record of version ${version}, which this collector cannot read (it reads 1 and 2)`,
    );
  }
  const sharedEnd = 16 + record.readUInt32LE(8);
  const spansEnd = sharedEnd + record.readUInt32LE(12);
  if (spansEnd > record.length) throw new Error("a damaged spool record (its sections pass its end)");
  const tails: Buffer[] = [];
  eachLine(record, 16, sharedEnd, (from, to) => tails.push(record.subarray(from, to + 1)));
  const spans: SpanLine[] = [];
  eachLine(record, sharedEnd, spansEnd, (from, to) => {
    let line = 0;
    let at = from;
    while (at < to && record[at] !== TAB) line = line * 10 + record[at++]! - DIGIT_0;
    const tail = tails[line];
    if (tail === undefined || at >= to)
      throw new Error("a damaged spool record (a span without its resource)");
    spans.push({ head: record.subarray(at + 1, to), tail });
  });
  return { spans, calls: decodeCalls(record.subarray(spansEnd)) };
}

function decodeVersion1(record: Buffer): DecodedRecord {
  const spansEnd = 4 + record.readUInt32LE(0);
  const spans: SpanLine[] = [];
  eachLine(record, 4, spansEnd, (from, to) =>
    spans.push({ head: record.subarray(from, to + 1), tail: EMPTY }),
  );
  return { spans, calls: decodeCalls(record.subarray(spansEnd)) };
}

function decodeCalls(section: Buffer): SerialisedCall[] {
  const calls: SerialisedCall[] = [];
  for (const line of section.toString("utf8").split("\n")) {
    if (!line) continue;
    const a = line.indexOf("\t");
    const b = line.indexOf("\t", a + 1);
    const c = line.indexOf("\t", b + 1);
    calls.push({
      project_id: line.slice(0, a),
      trace_id: line.slice(a + 1, b),
      span_id: line.slice(b + 1, c),
      json: line.slice(c + 1),
    });
  }
  return calls;
}

/** Calls `visit(start, newline)` for each line of `data[start, end)`; every line ends with "\n". */
function eachLine(data: Buffer, start: number, end: number, visit: (from: number, to: number) => void): void {
  for (let from = start; from < end; ) {
    const to = data.indexOf(NEWLINE, from);
    if (to === -1 || to >= end) throw new Error("a damaged spool record (a line without its end)");
    visit(from, to);
    from = to + 1;
  }
}

const TAB = 9;
const NEWLINE = 10;
const DIGIT_0 = 48;
const EMPTY = Buffer.alloc(0);

/** The bytes of a `spans` row once its two parts are joined. */
export function spanLineBytes(line: SpanLine): number {
  return line.head.length + line.tail.length;
}

/** `spans` rows as one JSONEachRow payload. */
export function spansPayload(lines: readonly SpanLine[]): Buffer {
  const parts: Buffer[] = [];
  let bytes = 0;
  for (const line of lines) {
    parts.push(line.head, line.tail);
    bytes += line.head.length + line.tail.length;
  }
  return Buffer.concat(parts, bytes);
}
