import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { EngineFigures } from "./engine-child.js";

const CHILD_SCRIPT = fileURLToPath(new URL("./engine-child.js", import.meta.url));

/**
 * Runs part (a) in a child started with `--expose-gc` (so the heap can be measured after a
 * full GC, which this process's own heap would blur) and resolves with its figures. The child
 * is killed if it does not answer within `timeoutMs`, and whenever this returns or throws.
 */
export async function runEngineChild(options: {
  traces: number;
  events: number;
  timeoutMs: number;
}): Promise<EngineFigures> {
  const child = fork(CHILD_SCRIPT, [String(options.traces), String(options.events)], {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "pipe", "ipc"],
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString();
  });
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  try {
    return await new Promise<EngineFigures>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`the detection engine child did not finish within ${options.timeoutMs / 1000} s`)),
        options.timeoutMs,
      );
      child.on("message", (figures: EngineFigures) => {
        if (figures?.type === "engine") resolve(figures);
      });
      child.once("close", (code, signal) =>
        reject(new Error(`the detection engine child exited with ${code ?? signal}\n${stderr.trim()}`)),
      );
    });
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await closed;
    process.removeListener("exit", killOnExit);
  }
}
