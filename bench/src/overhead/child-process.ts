import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Mode } from "./calls.js";
import type { Configuration } from "./configurations.js";
import type { Command, Reply } from "./protocol.js";

const CHILD_SCRIPT = fileURLToPath(new URL("./child.js", import.meta.url));
/** Loading the SDK and an instrumentation takes a second or two; a hung child must not hang the bench. */
const READY_TIMEOUT_MS = 60_000;

type ReadyReply = Extract<Reply, { type: "ready" }>;
type FinishedReply = Extract<Reply, { type: "finished" }>;

/**
 * One configuration's child process, seen from the parent. It is driven one command at a
 * time: each method sends a command and resolves with the child's reply.
 */
export class ConfigurationProcess {
  readonly #child: ChildProcess;
  readonly #stderr: string[] = [];
  #waiting: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;
  #exit: string | undefined;

  private constructor(
    readonly config: Configuration,
    child: ChildProcess,
  ) {
    this.#child = child;
    child.stderr!.on("data", (chunk: Buffer) => this.#stderr.push(chunk.toString()));
    child.on("message", (reply: Reply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (reply.type === "error") waiting?.reject(new Error(`${config} child: ${reply.message}`));
      else waiting?.resolve(reply);
    });
    // "close" rather than "exit": it comes after the IPC channel has delivered everything.
    child.on("close", (code, signal) => {
      this.#exit = `exited with ${code ?? signal}`;
      this.#waiting?.reject(new Error(`the ${config} child ${this.#exit}\n${this.output()}`));
      this.#waiting = undefined;
    });
  }

  /**
   * Forks `child.js` for `config` with `nodeArgs` (e.g. `--cpu-prof`) and waits until it is
   * ready. With `phases`, the child records the phases of each timed call (see call-phases.ts).
   */
  static async start(
    config: Configuration,
    openaiBaseUrl: string,
    nodeArgs: string[] = [],
    phases = false,
  ): Promise<{ process: ConfigurationProcess; ready: ReadyReply }> {
    // OTEL_* and BURNRATE_* settings would change sampling, batching, content capture or the
    // guard in some children and not others, so none are passed on.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("OTEL_") && !k.startsWith("BURNRATE_")),
    );
    const child = fork(CHILD_SCRIPT, [config, openaiBaseUrl, ...(phases ? ["--phases"] : [])], {
      env,
      execArgv: nodeArgs,
      stdio: ["ignore", "inherit", "pipe", "ipc"],
    });
    const handle = new ConfigurationProcess(config, child);
    const timer = setTimeout(() => child.kill("SIGKILL"), READY_TIMEOUT_MS);
    try {
      const ready = await handle.#next();
      if (ready.type !== "ready") throw new Error(`the ${config} child sent ${ready.type} before ready`);
      return { process: handle, ready };
    } catch (error) {
      handle.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /**
   * Makes `calls` sequential calls in `mode`; resolves with their wall and CPU time, and the
   * child's CPU so far. `record` marks a timed batch, whose phases a `--phases` child keeps.
   */
  async run(
    mode: Mode,
    calls: number,
    record = false,
  ): Promise<{ ms: number; cpuMs: number; cpuSeconds: number }> {
    const reply = await this.#send({ type: "run", mode, calls, record });
    if (reply.type !== "ran") throw new Error(`the ${this.config} child answered run with ${reply.type}`);
    return reply;
  }

  /** Asks for the span tallies; the child exits after answering. */
  async finish(): Promise<FinishedReply> {
    const closed = new Promise((resolve) => this.#child.once("close", resolve));
    const reply = await this.#send({ type: "finish" });
    if (reply.type !== "finished")
      throw new Error(`the ${this.config} child answered finish with ${reply.type}`);
    await closed;
    return reply;
  }

  kill(): void {
    if (this.#exit === undefined) this.#child.kill("SIGKILL");
  }

  /** What the child wrote to stderr, for error messages. */
  output(): string {
    return this.#stderr.join("").trim();
  }

  #send(command: Command): Promise<Reply> {
    const reply = this.#next();
    if (this.#exit === undefined) this.#child.send(command);
    return reply;
  }

  #next(): Promise<Reply> {
    if (this.#exit !== undefined) return Promise.reject(new Error(`the ${this.config} child ${this.#exit}`));
    if (this.#waiting) throw new Error(`the ${this.config} child already has a command in flight`);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }
}
