import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Spool, SpoolFullError, type Spool as SpoolType } from "./spool.js";

const dirOf = () => mkdtempSync(join(tmpdir(), "burnrate-spool-"));
const text = (records: Buffer[] | undefined) => (records ?? []).map((r) => r.toString());

async function drain(spool: SpoolType, maxBytes = 1 << 20): Promise<string[]> {
  const out: string[] = [];
  for (let read = await spool.read(maxBytes); read; read = await spool.read(maxBytes)) {
    out.push(...text(read.records));
    await spool.commit(read);
  }
  return out;
}

describe("Spool", () => {
  it("returns appended records in order and frees segments once committed", async () => {
    const dir = dirOf();
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
    await Promise.all(
      ["a", "b", "c", "d", "e", "f", "g", "h"].map((r) => spool.append(Buffer.from(r.repeat(20)))),
    );
    expect(spool.unreadBytes).toBe(8 * 28);
    expect(readdirSync(dir).filter((f) => f.endsWith(".seg")).length).toBeGreaterThan(1);
    expect(await drain(spool, 60)).toEqual(["a", "b", "c", "d", "e", "f", "g", "h"].map((r) => r.repeat(20)));
    expect(spool.unreadBytes).toBe(0);
    expect(spool.bytes).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith(".seg"))).toEqual([]);
    await spool.append(Buffer.from("after"));
    expect(await drain(spool)).toEqual(["after"]);
    await spool.close();
  });

  it("replays what was left unread after a restart, before anything new", async () => {
    const dir = dirOf();
    const first = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    for (const r of ["one", "two", "three"]) await first.append(Buffer.from(r));
    const read = await first.read(25); // "one" (8 + 3 bytes) and "two" (8 + 3); "three" would pass 25
    expect(text(read?.records)).toEqual(["one", "two"]);
    await first.commit(read!);
    await first.close();

    const second = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    await second.append(Buffer.from("four"));
    expect(await drain(second)).toEqual(["three", "four"]);
    await second.close();
  });

  it("sets aside a record torn by a crash mid-write and keeps the whole ones", async () => {
    const dir = dirOf();
    const first = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    await first.append(Buffer.from("whole"));
    await first.close();
    const segment = readdirSync(dir).find((f) => f.endsWith(".seg"))!;
    appendFileSync(join(dir, segment), Buffer.from([50, 0, 0, 0, 1, 2, 3, 4, 104, 105])); // header says 50 bytes, 2 follow

    const second = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    expect(await drain(second)).toEqual(["whole"]);
    // The torn bytes were never acknowledged; they are set aside, not deleted.
    const torn = readFileSync(join(dir, "dead-letter", `${"1".padStart(16, "0")}-13.damaged`));
    expect([...torn]).toEqual([50, 0, 0, 0, 1, 2, 3, 4, 104, 105]);
    await second.close();
  });

  it("sets aside a damaged record, at a restart or while running, and reads the records after it", async () => {
    for (const restart of [true, false]) {
      const dir = dirOf();
      const told: string[] = [];
      const options = {
        dir,
        maxBytes: 1 << 20,
        segmentBytes: 1 << 16,
        onSetAside: (m: string) => told.push(m),
      };
      const spool = await Spool.open(options);
      for (const r of ["alpha", "bravo", "charlie"]) await spool.append(Buffer.from(r));
      const segment = join(dir, readdirSync(dir).find((f) => f.endsWith(".seg"))!);
      const data = readFileSync(segment);
      const bravoAt = 8 + 5; // after alpha's header and payload
      data[bravoAt + 8 + 2] ^= 0xff; // one byte of bravo's payload
      writeFileSync(segment, data);
      let reader = spool;
      if (restart) {
        await spool.close();
        reader = await Spool.open(options);
      }
      expect(await drain(reader)).toEqual(["alpha", "charlie"]);
      const setAside = join(dir, "dead-letter", `${"1".padStart(16, "0")}-${bravoAt}.damaged`);
      expect({ bytes: readFileSync(setAside).equals(data.subarray(bravoAt, bravoAt + 13)), told }).toEqual({
        bytes: true,
        told: [`burnrate: set aside 13 bytes of a damaged record from the spool in ${setAside}`],
      });
      await reader.close();
    }
  });

  it("sets aside the rest of a segment when a damaged length leaves no record boundary to trust", async () => {
    const dir = dirOf();
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    for (const r of ["alpha", "bravo", "charlie"]) await spool.append(Buffer.from(r));
    const segment = join(dir, readdirSync(dir).find((f) => f.endsWith(".seg"))!);
    const data = readFileSync(segment);
    data[13] = 2; // bravo's length, 5, now 2: what follows it is not a record
    writeFileSync(segment, data);
    expect(await drain(spool)).toEqual(["alpha"]);
    const kept = readFileSync(join(dir, "dead-letter", `${"1".padStart(16, "0")}-13.damaged`));
    expect(kept.equals(data.subarray(13))).toBe(true); // bravo and charlie, kept for an operator
    await spool.close();
  });

  it("keeps the records made durable before a failed write, and refuses only the ones it could not keep", async () => {
    const dir = dirOf();
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
    await spool.append(Buffer.from("first"));
    const [segment] = readdirSync(dir).filter((f) => f.endsWith(".seg"));
    // The next segment cannot be created: a directory stands where its file would go.
    const next = `${String(Number(segment!.slice(0, -4)) + 1).padStart(16, "0")}.seg`;
    mkdirSync(join(dir, next));
    // While "busy" is written, "kept" and "lost" queue up and are written as one batch: "kept"
    // fills the first segment, which is then made durable and sealed, and "lost" needs the next.
    const outcomes = await Promise.allSettled([
      spool.append(Buffer.from("busy")),
      spool.append(Buffer.from("kept".repeat(4))),
      spool.append(Buffer.from("lost".repeat(10))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect(spool.bytes).toBe(8 + 5 + 8 + 4 + 8 + 16);
    rmdirSync(join(dir, next));
    await spool.append(Buffer.from("later"));
    expect(await drain(spool)).toEqual(["first", "busy", "kept".repeat(4), "later"]);
    expect(spool.bytes).toBe(0);
    await spool.close();
  });

  it("refuses appends past its size bound, and takes them again once drained", async () => {
    const spool = await Spool.open({ dir: dirOf(), maxBytes: 100, segmentBytes: 1000 });
    await spool.append(Buffer.alloc(80));
    await expect(spool.append(Buffer.alloc(20))).rejects.toThrow(SpoolFullError);
    expect(spool.wouldOverflow(20)).toBe(true);
    expect(await drain(spool)).toHaveLength(1);
    await spool.append(Buffer.alloc(80));
    expect(spool.bytes).toBe(88);
    await spool.close();
  });

  it("reads a record larger than the read budget whole", async () => {
    const spool = await Spool.open({ dir: dirOf(), maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    await spool.append(Buffer.from("x".repeat(500)));
    const read = await spool.read(10);
    expect(text(read?.records)).toEqual(["x".repeat(500)]);
    await spool.close();
  });

  it("wakes a waiting reader when data arrives", async () => {
    const spool = await Spool.open({ dir: dirOf(), maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    const woke = spool.waitForData().then(() => spool.unreadBytes);
    await spool.append(Buffer.from("hello"));
    expect(await woke).toBe(13);
    await spool.close();
  });
});

describe("Spool reads", () => {
  it("stop before a record that would pass the budget, within a segment or at the next one", async () => {
    const dir = dirOf();
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
    // 38 bytes each with the header; a segment holds one, the next append starts another.
    for (const r of ["a", "b", "c"]) await spool.append(Buffer.from(r.repeat(30)));
    const first = await spool.read(40);
    expect({ ...first, records: text(first?.records) }).toEqual({
      records: ["a".repeat(30)],
      bytes: 38,
      end: { segment: 2, offset: 0 }, // the start of the record left for the next read
    });
    await spool.commit(first!);
    // A budget smaller than one record still reads that record, alone.
    const second = await spool.read(10);
    expect(text(second?.records)).toEqual(["b".repeat(30)]);
    await spool.commit(second!);
    expect(await drain(spool, 80)).toEqual(["c".repeat(30)]);
    await spool.close();
  });
});
