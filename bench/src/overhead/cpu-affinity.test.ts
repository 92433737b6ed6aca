import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allowedCpus, cpuSplit, cpusOfList, pin } from "./cpu-affinity.js";

/** The CPU list each thread of `pid` may run on, read from /proc rather than through taskset. */
function threadCpus(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((task) => {
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, "utf8");
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)![1]!;
  });
}

describe("keeping the mock server and the timed children on CPUs of their own", () => {
  it("binds every thread of a running node process, and the threads it starts later", async () => {
    // The child says when it is up, and starts a worker thread only when told to, after it is pinned.
    const child = spawn(
      process.execPath,
      [
        "-e",
        `console.log("up"); process.stdin.once("data", () => new (require("node:worker_threads").Worker)("setInterval(() => {}, 1000)", { eval: true }).on("online", () => console.log("online")));`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    try {
      await once(child.stdout!, "data");
      const before = threadCpus(child.pid!);
      const cpu = String(allowedCpus(process.pid)[0]);
      pin(child.pid!, cpu);
      const pinned = threadCpus(child.pid!);
      child.stdin!.write("go\n");
      await once(child.stdout!, "data");
      const withWorker = threadCpus(child.pid!);
      expect({
        threadsBefore: before.length > 1,
        pinned: [...new Set(pinned)],
        moreThreads: withWorker.length > pinned.length,
        withWorker: [...new Set(withWorker)],
      }).toEqual({ threadsBefore: true, pinned: [cpu], moreThreads: true, withWorker: [cpu] });
    } finally {
      child.kill();
    }
  });

  it("reads CPU lists as taskset and /proc write them", () => {
    expect([cpusOfList("0"), cpusOfList("0-2,4\n"), cpusOfList("1,3-4,7")]).toEqual([
      [0],
      [0, 1, 2, 4],
      [1, 3, 4, 7],
    ]);
    const [proc] = threadCpus(process.pid);
    expect(allowedCpus(process.pid)).toEqual(cpusOfList(proc!));
  });

  it("puts the server on the first CPU this process may use and the children on the others", () => {
    const mine = cpusOfList(threadCpus(process.pid)[0]!);
    expect(cpuSplit()).toEqual(
      mine.length < 2
        ? { unavailable: "this process may use 1 CPU" }
        : { server: String(mine[0]), children: mine.slice(1).join(",") },
    );
  });
});
