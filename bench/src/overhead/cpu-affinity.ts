import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

/**
 * Where the run's processes may run: the mock LLM server (in the parent) on the first CPU, the
 * timed children on the others. The mock stands in for a model that answers from another
 * machine; on the children's CPUs it would take turns with them, so its own work would land in
 * their timings, and work a child does while its request is in flight would wait for the server
 * instead of overlapping it.
 */
export interface CpuSplit {
  /** The parent's CPUs (the mock server's), as a taskset list. */
  server: string;
  /** The children's CPUs, as a taskset list such as "1" or "1-3". */
  children: string;
}

/**
 * The split for this machine, or why there is none (fewer than 2 CPUs, or no `taskset`), in
 * which case the run shares every CPU between the server and the children.
 */
export function cpuSplit(): CpuSplit | { unavailable: string } {
  const cpus = availableParallelism();
  if (cpus < 2) return { unavailable: `this machine offers ${cpus} CPU` };
  try {
    execFileSync("taskset", ["--version"], { stdio: "ignore" });
  } catch {
    return { unavailable: "the `taskset` command (util-linux) is not installed" };
  }
  return { server: "0", children: cpus === 2 ? "1" : `1-${cpus - 1}` };
}

/** Binds every thread of process `pid` to `cpus`; threads it starts later inherit the binding. */
export function pin(pid: number, cpus: string): void {
  execFileSync("taskset", ["--all-tasks", "--cpu-list", "--pid", cpus, String(pid)], { stdio: "ignore" });
}
