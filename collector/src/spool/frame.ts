import { crc32 } from "node:zlib";

/**
 * A spool record on disk: an 8-byte header (payload length and CRC-32 of the payload,
 * both little-endian u32) and the payload. The CRC lets a restart tell a record that was
 * fully written from one torn by a crash mid-write.
 */
export const HEADER_BYTES = 8;

export function frame(payload: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

export interface ParsedFrames {
  payloads: Buffer[];
  /** Bytes consumed by the whole frames found; fewer than the data's when a frame is torn or fails its CRC. */
  consumed: number;
}

/** Reads whole, valid frames from the start of `data`, stopping at the first bad one. */
export function parseFrames(data: Buffer): ParsedFrames {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const end = offset + HEADER_BYTES + length;
    if (end > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== data.readUInt32LE(offset + 4)) return { payloads, consumed: offset };
    payloads.push(payload);
    offset = end;
  }
  return { payloads, consumed: offset };
}
