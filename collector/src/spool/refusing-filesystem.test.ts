import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { syncDirectory } from "./directory.js";
import { Spool } from "./spool.js";

/**
 * Filesystems that refuse what the spool asks of them, made here by wrapping the real
 * `node:fs/promises`: a directory fsync that fails with the given code, a segment delete that
 * fails with the given code. Everything else is the real filesystem.
 */
const refuse = vi.hoisted(() => ({ directorySync: "", segmentDelete: "" }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const refusal = (code: string, what: string) =>
    Object.assign(new Error(`${code}: the filesystem refused to ${what}`), { code });
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      if (refuse.directorySync && statSync(args[0]).isDirectory()) {
        handle.sync = async () => {
          throw refusal(refuse.directorySync, "fsync a directory");
        };
      }
      return handle;
    },
    rm: async (...args: Parameters<typeof real.rm>) => {
      if (refuse.segmentDelete && String(args[0]).endsWith(".seg")) {
        throw refusal(refuse.segmentDelete, "delete a file");
      }
      return real.rm(...args);
    },
  };
});

afterEach(() => {
  refuse.directorySync = "";
  refuse.segmentDelete = "";
});

const dirOf = () => mkdtempSync(join(tmpdir(), "burnrate-spool-refusing-"));
const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".seg"));

async function drain(spool: Spool): Promise<string[]> {
  const out: string[] = [];
  for (let read = await spool.read(1 << 20); read; read = await spool.read(1 << 20)) {
    out.push(...read.records.map((r) => r.toString()));
    await spool.commit(read);
  }
  return out;
}

describe("Spool on a filesystem that refuses", () => {
  it("to fsync a directory (CIFS, some FUSE mounts): appends, commits and restarts still work", async () => {
    for (const code of ["EINVAL", "ENOTSUP"]) {
      refuse.directorySync = code;
      const dir = join(dirOf(), "spool"); // created by the spool, which syncs its parent
      const first = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
      for (const r of ["a", "b", "c", "d"]) await first.append(Buffer.from(r.repeat(30)));
      const read = await first.read(40); // the first record (38 bytes) only
      await first.commit(read!);
      await first.close();

      const second = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
      await second.append(Buffer.from("e"));
      expect(await drain(second)).toEqual([..."bcd"].map((r) => r.repeat(30)).concat("e"));
      expect(second.bytes).toBe(0);
      await second.close();
    }
  });

  it("to fsync a directory because the disk failed: the error reaches the caller", async () => {
    refuse.directorySync = "EIO";
    const dir = dirOf();
    await expect(syncDirectory(dir)).rejects.toMatchObject({ code: "EIO" });
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 64 });
    // The first append creates a segment, whose name must be made durable.
    await expect(spool.append(Buffer.from("a"))).rejects.toMatchObject({ code: "EIO" });
    await spool.close();
  });

  it("to delete a written segment: it is reported, later checkpoints go on, and the next start replays it", async () => {
    refuse.segmentDelete = "EBUSY";
    const dir = dirOf();
    const told: string[] = [];
    const options = { dir, maxBytes: 1 << 20, segmentBytes: 64, onSetAside: (m: string) => told.push(m) };
    const first = await Spool.open(options);
    for (const r of ["a", "b", "c"]) await first.append(Buffer.from(r.repeat(60)));
    expect(segments(dir)).toHaveLength(3);
    expect(await drain(first)).toEqual(["a", "b", "c"].map((r) => r.repeat(60)));
    // Each segment was read to its end (each record filled one) and could not be deleted.
    expect(told).toEqual(
      segments(dir).map(
        (name) =>
          `burnrate: could not delete the written segment ${join(dir, name)} (EBUSY: the filesystem refused to delete a file); delete it by hand, or the next start replays it`,
      ),
    );
    // Checkpoints did not stop at the first refused delete: later records flow and are committed.
    await first.append(Buffer.from("d"));
    expect(await drain(first)).toEqual(["d"]);
    expect(first.unreadBytes).toBe(0);
    await first.close();

    // The records of the segments left behind are in storage already; replaying them is safe
    // (storage keeps one copy of a row written twice), and none is lost.
    refuse.segmentDelete = "";
    const second = await Spool.open(options);
    await second.append(Buffer.from("e"));
    expect(await drain(second)).toEqual(["a".repeat(60), "b".repeat(60), "c".repeat(60), "d", "e"]);
    await second.close();
  });
});
