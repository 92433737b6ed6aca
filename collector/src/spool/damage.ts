/**
 * Reading a segment's bytes, and finding and keeping the damaged ones: a record torn by a crash
 * at the end of the last segment, or one whose checksum fails.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { HEADER_BYTES, parseFrames } from "./frame.js";
import type { SpoolOptions } from "./spool.js";

/** True when the data from `at` is an incomplete record: a header or a payload cut short by the end. */
export function endsIncomplete(data: Buffer, at: number): boolean {
  return at + HEADER_BYTES > data.length || at + HEADER_BYTES + data.readUInt32LE(at) >= data.length;
}

/** True when a whole record with a good CRC starts at `at` and ends by `limit`. */
export async function validFrameAt(path: string, at: number, limit: number): Promise<boolean> {
  if (at + HEADER_BYTES > limit) return false;
  const header = await readRange(path, at, HEADER_BYTES);
  const whole = HEADER_BYTES + header.readUInt32LE(0);
  if (at + whole > limit) return false;
  return parseFrames(await readRange(path, at, whole)).payloads.length === 1;
}

/**
 * Keeps damaged spool bytes in `dead-letter/`, named by segment and offset, where an operator
 * can look at them; nothing the spool took is deleted without a trace.
 */
export function setAside(
  options: Pick<SpoolOptions, "dir" | "onSetAside">,
  segment: string,
  offset: number,
  bytes: Buffer,
  what: string,
): void {
  const dir = join(options.dir, "dead-letter");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${segment.replace(".seg", "")}-${offset}.damaged`);
  writeFileSync(file, bytes);
  options.onSetAside?.(`burnrate: set aside ${bytes.length} bytes of ${what} from the spool in ${file}`);
}

/** Up to `length` bytes of the file at `path` from `offset`. */
export async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
