import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "./config.js";

// Checks on the local directories a command is about to open, run first so that a problem is
// one line naming the setting to change, not chDB's native output or a bare errno.

/**
 * Refuses when another process holds the embedded data directory. chDB takes a lock on
 * `<dataDir>/status` and writes the owner's PID into it; opening a locked directory prints
 * native output on stderr before failing, so the lock is checked here first. A stale file from
 * a killed process is ignored: its lock died with the process. `command` is the one to run again.
 */
export function assertDataDirFree(storage: Config["storage"], command: string): void {
  if (storage.clickhouse.url) return;
  const dir = resolve(storage.dataDir);
  const statusFile = join(dir, "status");
  let status: string;
  try {
    status = readFileSync(statusFile, "utf8");
  } catch {
    return;
  }
  const pid = Number(/^PID: (\d+)$/m.exec(status)?.[1]);
  if (!pid || pid === process.pid) return;
  if (!(isLocked(statusFile) ?? alive(pid))) return;
  throw new Error(
    `the data directory ${dir} is in use by process ${pid} (probably \`burnrate start\`); embedded chDB opens it in one process at a time, so stop that process and run burnrate ${command} again`,
  );
}

/** Fails early, naming the setting, when the spool directory cannot be created or written. */
export function assertSpoolWritable(spool: Config["collector"]["spool"]): void {
  const dir = resolve(spool.dir);
  // The spool reads only `<16 digits>.seg` files, so the probe can never be taken for a segment.
  const probe = join(dir, `.burnrate-write-probe-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    throw new Error(
      `cannot write the spool directory ${dir} (${(error as NodeJS.ErrnoException).code}); set BURNRATE_SPOOL_DIR or collector.spool.dir to a writable directory`,
    );
  }
}

/**
 * Whether Linux lists a lock on the file in /proc/locks; undefined where it cannot tell (no
 * /proc). Asked before the PID, because a PID left by a crash may since belong to another
 * process, and refusing to start for that would leave the user stuck on a lock nobody holds.
 */
function isLocked(file: string): boolean | undefined {
  let locks: string;
  let inode: number;
  try {
    locks = readFileSync("/proc/locks", "utf8");
    inode = statSync(file).ino;
  } catch {
    return undefined;
  }
  // Lines look like `1: FLOCK  ADVISORY  WRITE 16140 fe:00:4663905 0 EOF`.
  return locks.split("\n").some((line) => line.split(/\s+/)[5]?.endsWith(`:${inode}`));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
