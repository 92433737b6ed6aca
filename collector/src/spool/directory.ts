import { mkdirSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/**
 * Makes the names in `dir` durable: the files created, renamed or deleted in it. An fsync of
 * a file keeps its bytes through a power loss, not the directory entry that names it, so a
 * new segment or a renamed checkpoint could otherwise vanish though its bytes were synced.
 */
export async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory to fsync it; NTFS journals names itself.
  if (process.platform === "win32") return;
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (error) {
    // Some filesystems (CIFS/SMB, some FUSE mounts, VirtualBox shared folders) refuse to fsync a
    // directory. There the names are as durable as the filesystem makes them, and refusing
    // every append for it would lose more than it protects.
    if (!UNSYNCABLE.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    await handle.close();
  }
}

/** The errors of a filesystem that cannot fsync a directory at all, as opposed to a failing disk. */
const UNSYNCABLE = new Set(["EINVAL", "ENOTSUP", "EOPNOTSUPP", "EISDIR", "EBADF"]);

/** Creates `dir` and its missing parents, and makes each new directory's name durable. */
export async function makeDirectory(dir: string): Promise<void> {
  const path = resolve(dir);
  const first = mkdirSync(path, { recursive: true });
  if (first === undefined) return;
  for (let created = path; created !== dirname(created); created = dirname(created)) {
    await syncDirectory(dirname(created));
    if (created === first) break;
  }
}
