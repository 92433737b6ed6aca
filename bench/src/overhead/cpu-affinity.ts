import { execFileSync } from "node:child_process";

/**
 * Where the run's processes may run: the mock LLM server (in the parent) on the first CPU this
 * process may use, the timed children on the others. The mock stands in for a model that
 * answers from another machine; on the children's CPUs it would take turns with them, so its
 * own work would land in their timings, and work a child does while its request is in flight
 * would wait for the server instead of overlapping it.
 */
export interface CpuSplit {
  /** The parent's CPU (the mock server's), as a taskset list. */
  server: string;
  /** The children's CPUs, as a taskset list such as "1" or "1,2,3". */
  children: string;
}

/**
 * The split of the CPUs this process may use, or why there is none (fewer than 2, or no
 * `taskset`), in which case the run shares them all between the server and the children.
 */
export function cpuSplit(): CpuSplit | { unavailable: string } {
  let cpus: number[];
  try {
    cpus = allowedCpus(process.pid);
  } catch {
    return { unavailable: "the `taskset` command (util-linux) is not installed" };
  }
  if (cpus.length < 2) return { unavailable: `this process may use ${cpus.length} CPU` };
  return { server: String(cpus[0]), children: cpus.slice(1).join(",") };
}

/** The CPUs process `pid` may run on, as taskset reports them. */
export function allowedCpus(pid: number): number[] {
  const out = execFileSync("taskset", ["--cpu-list", "--pid", String(pid)], { encoding: "utf8" });
  return cpusOfList(out.slice(out.lastIndexOf(":") + 1));
}

/** The CPUs of a list such as "0-2,4" (0, 1, 2 and 4), the form taskset and /proc use. */
export function cpusOfList(list: string): number[] {
  return list
    .trim()
    .split(",")
    .flatMap((range) => {
      const [first, last = first] = range.split("-").map(Number) as [number, number?];
      return Array.from({ length: last! - first + 1 }, (_, i) => first + i);
    });
}

/** Binds every thread of process `pid` to `cpus`; threads it starts later inherit the binding. */
export function pin(pid: number, cpus: string): void {
  execFileSync("taskset", ["--all-tasks", "--cpu-list", "--pid", cpus, String(pid)], { stdio: "ignore" });
}
