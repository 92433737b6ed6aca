import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { cpuSplit, pin } from "./cpu-affinity.js";

/** The CPU list each thread of `pid` may run on, from /proc. */
function allowedCpus(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((task) => {
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, "utf8");
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)![1]!;
  });
}

describe("keeping the mock server and the timed children on CPUs of their own", () => {
  it("binds every thread of a running node process, and the threads it starts later", async () => {
    // The child starts a worker thread only once it is told to, after it has been pinned.
    const child = spawn(
      process.execPath,
      [
        "-e",
        `process.stdin.once("data", () => { new (require("node:worker_threads").Worker)("setInterval(() => {}, 1000)", { eval: true }).on("online", () => console.log("online")); });`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = allowedCpus(child.pid!);
      pin(child.pid!, "0");
      const pinned = allowedCpus(child.pid!);
      child.stdin!.write("go\n");
      await new Promise((resolve) => child.stdout!.once("data", resolve));
      const withWorker = allowedCpus(child.pid!);
      expect({
        threadsBefore: before.length > 1,
        pinned: [...new Set(pinned)],
        moreThreads: withWorker.length > pinned.length,
        withWorker: [...new Set(withWorker)],
      }).toEqual({ threadsBefore: true, pinned: ["0"], moreThreads: true, withWorker: ["0"] });
    } finally {
      child.kill();
    }
  });

  it("puts the server on the first CPU and the children on the others", () => {
    const cpus = availableParallelism();
    const expected =
      cpus < 2
        ? { unavailable: `this machine offers ${cpus} CPU` }
        : { server: "0", children: cpus === 2 ? "1" : `1-${cpus - 1}` };
    expect(cpuSplit()).toEqual(expected);
  });
});
