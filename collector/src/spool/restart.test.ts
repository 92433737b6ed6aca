import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { frame } from "./frame.js";
import { Spool } from "./spool.js";

// Each run is a whole collector process: open the spool, append (the receiver), maybe read and
// commit (the writer, while storage is up), close. Nothing here is mocked; the files are real.

const dirOf = () => mkdtempSync(join(tmpdir(), "burnrate-spool-restart-"));
const segmentFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".seg"));
const segmentName = (seq: number) => `${String(seq).padStart(16, "0")}.seg`;

/** One record of 20 bytes fills a 28-byte segment (8-byte header), so each record gets its own. */
const options = (dir: string, setAside: string[] = []) => ({
  dir,
  maxBytes: 1 << 20,
  segmentBytes: 28,
  onSetAside: (message: string) => setAside.push(message),
});
const batch = (name: string) => Buffer.from(name.padEnd(20, "."));

/** A run during an outage: batches are acknowledged into the spool, and none reach storage. */
async function runWithStorageDown(dir: string, batches: string[]): Promise<void> {
  const spool = await Spool.open(options(dir));
  for (const b of batches) await spool.append(batch(b));
  await spool.close();
}

/** A run with storage up: appends, then writes (and commits) everything the spool holds. */
async function runWithStorageUp(dir: string, batches: string[], setAside: string[] = []): Promise<string[]> {
  const spool = await Spool.open(options(dir, setAside));
  for (const b of batches) await spool.append(batch(b));
  const written: string[] = [];
  for (let read = await spool.read(1 << 20); read; read = await spool.read(1 << 20)) {
    written.push(...read.records.map((r) => r.toString().replace(/\.+$/, "")));
    await spool.commit(read);
  }
  await spool.close();
  return written;
}

describe("Spool across restarts", () => {
  // Run 2 spools into fewer segments than run 1 had used, or into more.
  it.each([
    { before: ["a1", "a2", "a3"], during: ["b1", "b2"] },
    { before: ["a1", "a2"], during: ["b1", "b2", "b3", "b4"] },
  ])(
    "keeps what a run spooled during an outage, after a run that had written everything ($during.length after $before.length)",
    async ({ before, during }) => {
      const dir = dirOf();
      const setAside: string[] = [];
      const run1 = await runWithStorageUp(dir, before);
      const afterRun1 = segmentFiles(dir);
      await runWithStorageDown(dir, during);
      // Segment numbers go on from where run 1 stopped, never back to 1.
      const afterRun2 = segmentFiles(dir);
      const run3 = await runWithStorageUp(dir, ["c1"], setAside);
      expect({ run1, afterRun1, afterRun2, run3, setAside, afterRun3: segmentFiles(dir) }).toEqual({
        run1: before,
        afterRun1: [],
        afterRun2: during.map((_, i) => segmentName(before.length + 1 + i)),
        run3: [...during, "c1"],
        setAside: [],
        afterRun3: [],
      });
    },
  );

  it("keeps what a run spooled after a restart that found the checkpoint's segment gone", async () => {
    const dir = dirOf();
    const setAside: string[] = [];
    const first = await Spool.open({ ...options(dir, setAside), segmentBytes: 1 << 16 });
    await first.append(batch("a1"));
    await first.append(batch("a2"));
    const a1 = await first.read(28); // a1 only: the checkpoint is then mid-segment, {1, 28}
    await first.commit(a1!);
    // The next commit deletes segment 1 and then cannot save its checkpoint (as on a failing
    // disk, or a crash between the two): the checkpoint on disk still says {1, 28}.
    const blocker = join(dir, "checkpoint.json.tmp");
    mkdirSync(blocker);
    const a2 = await first.read(1 << 20);
    await expect(first.commit(a2!)).rejects.toThrow(/EISDIR/);
    rmdirSync(blocker);
    await first.close();

    await runWithStorageDown(dir, ["b1", "b2"]);
    const run3 = await runWithStorageUp(dir, [], setAside);
    expect({ a1: a1!.records.length, a2: a2!.records.length, run3, setAside }).toEqual({
      a1: 1,
      a2: 1,
      run3: ["b1", "b2"],
      setAside: [],
    });
  });

  it("reads segments that an earlier version numbered below its checkpoint", async () => {
    // What the version before this fix left after the sequence above: run 1 wrote all it had
    // in segments 1 and 2 (checkpoint {3, 0}), then run 2 restarted numbering at 1 and spooled
    // four batches during an outage. Those were never written to storage.
    const dir = dirOf();
    writeFileSync(join(dir, "checkpoint.json"), JSON.stringify({ segment: 3, offset: 0 }));
    for (const [i, b] of ["b1", "b2", "b3", "b4"].entries())
      writeFileSync(join(dir, segmentName(i + 1)), frame(batch(b)));
    const setAside: string[] = [];
    const upgraded = await runWithStorageUp(dir, ["c1"], setAside);
    const again = await runWithStorageUp(dir, [], setAside);
    expect({ upgraded, again, setAside, segments: segmentFiles(dir) }).toEqual({
      upgraded: ["b1", "b2", "b3", "b4", "c1"],
      again: [],
      setAside: [],
      segments: [],
    });
  });

  it("replays every segment when the checkpoint is missing, so nothing unwritten is skipped", async () => {
    const dir = dirOf();
    const first = await Spool.open(options(dir));
    for (const b of ["a1", "a2", "a3"]) await first.append(batch(b));
    await first.commit((await first.read(28))!); // a1 is written; segment 1 stays until a2 starts
    await first.close();
    rmSync(join(dir, "checkpoint.json"));
    // a1 comes again (storage keeps one copy of a row written twice); a2 and a3 are not lost.
    expect(await runWithStorageUp(dir, [])).toEqual(["a1", "a2", "a3"]);
  });
});
