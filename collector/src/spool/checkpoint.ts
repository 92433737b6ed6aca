import { readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { join } from "node:path";
import { syncDirectory } from "./directory.js";

/** Where the reader is: a segment's sequence number and a byte offset in it. */
export interface Position {
  segment: number;
  offset: number;
}

const CHECKPOINT = "checkpoint.json";

/**
 * Where reading resumes after a restart, from the saved checkpoint and the segment numbers on
 * disk (ascending). It never skips a segment that may hold records not yet in storage: at
 * worst it replays some that are, and storage keeps one copy of a row written twice.
 *
 * - No checkpoint (never saved, or unreadable): everything left is replayed.
 * - A segment numbered below the checkpoint: the spool deletes those, durably, before it saves
 *   the checkpoint, so this one was written after it, by a version that numbered segments
 *   from 1 again once they were all gone. Its records never reached storage, and the
 *   checkpoint says nothing about them: everything is replayed, from the first.
 * - The checkpoint's segment is gone (read to its end, or deleted by a commit that could not
 *   save its checkpoint): reading resumes at the next one. With none left, new segments are
 *   numbered from the checkpoint's (past it, when it points inside it), so numbers never go
 *   back, and a saved offset is never applied to a segment it was not taken in.
 */
export function resumePosition(saved: Position | undefined, segments: number[]): Position {
  const first = segments[0];
  if (!saved) return { segment: first ?? 1, offset: 0 };
  if (first !== undefined && first < saved.segment) return { segment: first, offset: 0 };
  if (first === saved.segment) return saved;
  return { segment: first ?? saved.segment + (saved.offset > 0 ? 1 : 0), offset: 0 };
}

export function readCheckpoint(dir: string): Position | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, CHECKPOINT), "utf8")) as Position;
    return Number.isInteger(parsed.segment) && Number.isInteger(parsed.offset) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Saves the position atomically: a crash leaves the old checkpoint or the new one, never a mix. */
export async function writeCheckpoint(dir: string, position: Position): Promise<void> {
  const tmp = join(dir, `${CHECKPOINT}.tmp`);
  const handle = await open(tmp, "w");
  try {
    await handle.writeFile(JSON.stringify(position));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, CHECKPOINT));
  await syncDirectory(dir);
}
