import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BURNRATE_BIN = fileURLToPath(new URL("../../cli/bin/burnrate.js", import.meta.url));

export interface BurnrateProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/**
 * Spawns `burnrate <args>` as a real child process in its own process group, so a test can
 * signal the whole group as a terminal's Ctrl-C would. Variables in `env` are added to a
 * copy of this process's environment with every BURNRATE_* variable removed.
 */
export function spawnBurnrate(args: string[], env: Record<string, string>, cwd?: string): BurnrateProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("BURNRATE_")));
  const child = spawn(process.execPath, [BURNRATE_BIN, ...args], {
    env: { ...clean, ...env },
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until stdout contains `text`, or fails with what the process printed. */
export async function waitForOutput(p: BurnrateProcess, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.stdout().includes(text)) {
    if (p.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`burnrate did not print "${text}"\nstdout:\n${p.stdout()}\nstderr:\n${p.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The URL printed after `label` in burnrate start's banner. */
export function printedUrl(p: BurnrateProcess, label: string): string {
  const match = new RegExp(`${label}\\s+(http://\\S+)`).exec(p.stdout());
  if (!match) throw new Error(`no ${label} URL in:\n${p.stdout()}`);
  return match[1]!;
}

/** True while any process of the group led by `pid` is alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
