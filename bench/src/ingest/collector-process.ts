import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The installed `burnrate` command, run exactly as a user would run it. */
const BURNRATE_BIN = fileURLToPath(new URL("../../../cli/bin/burnrate.js", import.meta.url));

/** How long `burnrate start` may take to open chDB and print its endpoints. */
const START_TIMEOUT_MS = 60_000;

/** `burnrate start` running as a separate process, with its memory watched from outside. */
export class CollectorProcess {
  readonly otlpUrl: URL;
  /**
   * With `ipc: true`, the process itself, to exchange messages with code preloaded into it
   * (`--import` in `nodeArgs`); messages use the advanced (structured clone) serialization.
   */
  readonly channel: ChildProcess | undefined;
  readonly #child: ChildProcess;
  readonly #output: { stdout: string; stderr: string };
  readonly #exited: Promise<number | string>;
  readonly #sampler: NodeJS.Timeout;
  #peakRssKb = 0;
  #rssKb = 0;
  #cpu = { totalSeconds: 0, mainThreadSeconds: 0 };

  private constructor(
    child: ChildProcess,
    output: { stdout: string; stderr: string },
    exited: Promise<number | string>,
    otlpUrl: URL,
    ipc: boolean,
  ) {
    this.#child = child;
    this.channel = ipc ? child : undefined;
    this.#output = output;
    this.#exited = exited;
    this.otlpUrl = otlpUrl;
    // VmHWM is the kernel's own high-water mark, so a spike between samples is not missed;
    // the 100 ms samples of VmRSS are kept as well, for the progress line.
    this.#sampler = setInterval(() => this.#sampleMemory(), 100);
    this.#sampleMemory();
  }

  /**
   * Spawns `node [nodeArgs] cli/bin/burnrate.js start` with its data and spool in `dir`, both
   * servers on free ports, and waits for the banner. Kills the process if it does not come up.
   * `ipc` opens an IPC channel to it (see `channel`).
   */
  static async start(options: {
    dir: string;
    nodeArgs?: string[];
    ipc?: boolean;
  }): Promise<CollectorProcess> {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("BURNRATE_")));
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BURNRATE_BIN, "start"], {
      cwd: options.dir,
      env: {
        ...clean,
        BURNRATE_DATA_DIR: join(options.dir, "data"),
        BURNRATE_SPOOL_DIR: join(options.dir, "spool"),
        BURNRATE_OTLP_PORT: "0",
        BURNRATE_API_PORT: "0",
      },
      stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
      ...(options.ipc ? { serialization: "advanced" as const } : {}),
    });
    // A bench killed mid-run must not leave a collector behind holding a chDB directory.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const output = { stdout: "", stderr: "" };
    child.stdout!.on("data", (d: Buffer) => {
      output.stdout += d.toString();
    });
    child.stderr!.on("data", (d: Buffer) => {
      output.stderr += d.toString();
    });
    const exited = new Promise<number | string>((resolve) => {
      child.on("exit", (code, signal) => {
        process.removeListener("exit", killOnExit);
        resolve(code ?? signal ?? "unknown");
      });
    });
    try {
      const url = await waitForUrl(child, output, "OTLP endpoint");
      if (url.hostname !== "127.0.0.1") {
        throw new Error(`the collector listens on ${url.hostname}; the bench only sends to 127.0.0.1`);
      }
      return new CollectorProcess(child, output, exited, url, options.ipc === true);
    } catch (error) {
      child.kill("SIGKILL");
      await exited;
      throw error;
    }
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The exit code or signal once the process has ended, else undefined. */
  get exitStatus(): number | string | undefined {
    return this.#child.exitCode ?? this.#child.signalCode ?? undefined;
  }

  /** Peak resident memory of the collector so far, in MiB (0 where /proc is missing). */
  get peakRssMb(): number {
    return Math.max(this.#peakRssKb, this.#rssKb) / 1024;
  }

  get rssMb(): number {
    return this.#rssKb / 1024;
  }

  /**
   * CPU seconds the collector has used: all threads, and the main (JavaScript) thread alone; the
   * difference is chDB's and libuv's own threads. Shows whether the event loop is the limit.
   */
  get cpuSeconds(): { totalSeconds: number; mainThreadSeconds: number } {
    return { ...this.#cpu };
  }

  /** Everything the collector printed, for error messages. */
  output(): string {
    return `stdout:\n${this.#output.stdout}\nstderr:\n${this.#output.stderr}`;
  }

  /**
   * Sends SIGTERM and waits for a clean exit (it flushes first). Past `timeoutMs` it kills the
   * process and throws; a non-zero exit also throws, with the collector's output.
   */
  async stop(timeoutMs = 20_000): Promise<void> {
    this.#sampleMemory();
    clearInterval(this.#sampler);
    if (!this.running) throw new Error(`the collector had already exited\n${this.output()}`);
    this.#child.kill("SIGTERM");
    const timeout = new Promise<"timeout">((resolve) => setTimeout(resolve, timeoutMs, "timeout").unref());
    const result = await Promise.race([this.#exited, timeout]);
    if (result === "timeout") {
      this.#child.kill("SIGKILL");
      await this.#exited;
      throw new Error(`the collector did not stop within ${timeoutMs} ms of SIGTERM; killed it`);
    }
    if (result !== 0) throw new Error(`the collector exited with ${result} after SIGTERM\n${this.output()}`);
  }

  /** For error paths: ends the process at once and waits until it is gone. */
  async kill(): Promise<void> {
    clearInterval(this.#sampler);
    if (this.running) this.#child.kill("SIGKILL");
    await this.#exited;
  }

  #sampleMemory(): void {
    let status: string;
    try {
      status = readFileSync(`/proc/${this.#child.pid}/status`, "utf8");
    } catch {
      return; // not Linux, or the process has just exited
    }
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    this.#rssKb = kb("VmRSS");
    this.#peakRssKb = Math.max(this.#peakRssKb, kb("VmHWM"), this.#rssKb);
    const pid = this.#child.pid;
    this.#cpu = {
      totalSeconds: Math.max(this.#cpu.totalSeconds, cpuSecondsOf(`/proc/${pid}/stat`)),
      mainThreadSeconds: Math.max(this.#cpu.mainThreadSeconds, cpuSecondsOf(`/proc/${pid}/task/${pid}/stat`)),
    };
  }
}

async function waitForUrl(
  child: ChildProcess,
  output: { stdout: string; stderr: string },
  label: string,
): Promise<URL> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const match = new RegExp(`${label}\\s+(http://\\S+)`).exec(output.stdout);
    if (match) return new URL(match[1]!);
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      const why = Date.now() > deadline ? `within ${START_TIMEOUT_MS / 1000} s` : "before exiting";
      throw new Error(
        `burnrate start did not print its ${label} ${why}\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Clock ticks per second for /proc times; 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

/** utime + stime from a /proc `stat` file, in seconds (0 once the process is gone). */
function cpuSecondsOf(file: string): number {
  try {
    // The command name (field 2) may hold spaces, so count fields after its closing parenthesis.
    const fields = readFileSync(file, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
