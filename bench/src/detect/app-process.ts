import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AppReply, LoopDelay, StatsCommand, TrialCommand, TrialResult } from "./protocol.js";

const APP_SCRIPT = fileURLToPath(new URL("./looping-app.js", import.meta.url));
/** The repository root, where `--import @burnrate/instrumentation/register` resolves. */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const READY_TIMEOUT_MS = 30_000;

/**
 * The looping app (`looping-app.ts`) as its own instrumented process, seen from the parent.
 * Trials may overlap: each resolves when the app reports that trial's result.
 */
export class AppProcess {
  readonly #child: ChildProcess;
  readonly #stderr: string[] = [];
  readonly #waiting = new Map<number, { resolve: (r: TrialResult) => void; reject: (e: Error) => void }>();
  #stats: ((loopDelay: LoopDelay) => void) | undefined;
  #exit: string | undefined;
  #fatal: Error | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr!.on("data", (chunk: Buffer) => {
      if (this.#stderr.length < 200) this.#stderr.push(chunk.toString());
    });
    child.on("message", (reply: AppReply) => {
      if (reply.type === "trial") {
        this.#waiting.get(reply.trial)?.resolve(reply);
        this.#waiting.delete(reply.trial);
      } else if (reply.type === "stats") {
        this.#stats?.(reply.loopDelay);
        this.#stats = undefined;
      } else if (reply.type === "error") this.#fail(new Error(`the looping app: ${reply.message}`));
    });
    child.on("close", (code, signal) => {
      this.#exit = `exited with ${code ?? signal}`;
      this.#fail(new Error(`the looping app ${this.#exit}\n${this.output()}`));
    });
  }

  /**
   * Forks the app under `--import @burnrate/instrumentation/register`, exporting to
   * `collectorUrl` with the default export delay (no BURNRATE_EXPORT_DELAY_MS), its local loop
   * guard off, and waits until it is ready.
   */
  static async start(options: { collectorUrl: string; openaiBaseUrl: string }): Promise<AppProcess> {
    // Inherited OTEL_* or BURNRATE_* settings would change batching, sampling or the guard.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("OTEL_") && !k.startsWith("BURNRATE_")),
    );
    const child = fork(APP_SCRIPT, [options.openaiBaseUrl], {
      cwd: ROOT,
      env: {
        ...env,
        OTEL_SERVICE_NAME: "bench-looping-agent",
        OTEL_EXPORTER_OTLP_ENDPOINT: options.collectorUrl,
        // The local guard would stop the loop on its own; here the collector must.
        BURNRATE_LOOP_IDENTICAL_CALLS: "0",
        BURNRATE_LOOP_CYCLE_REPEATS: "0",
      },
      execArgv: ["--import", "@burnrate/instrumentation/register"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    const app = new AppProcess(child);
    // A bench that dies mid-run must not leave the app behind.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("close", () => process.removeListener("exit", killOnExit));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the looping app was not ready within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      child.on("message", (reply: AppReply) => {
        if (reply.type === "ready") {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("close", () => {
        clearTimeout(timer);
        reject(new Error(`the looping app exited before it was ready\n${app.output()}`));
      });
    });
    try {
      await ready;
      return app;
    } catch (error) {
      app.kill();
      throw error;
    }
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Runs one trial and resolves with what the app saw; rejects if the app dies. */
  trial(trial: number, maxCalls: number): Promise<TrialResult> {
    if (this.#fatal) return Promise.reject(this.#fatal);
    return new Promise((resolve, reject) => {
      this.#waiting.set(trial, { resolve, reject });
      const command: TrialCommand = { type: "trial", trial, maxCalls };
      this.#child.send(command);
    });
  }

  /** The app's event-loop delay since the last call (or its start). */
  loopDelay(): Promise<LoopDelay> {
    if (this.#fatal) return Promise.reject(this.#fatal);
    return new Promise((resolve) => {
      this.#stats = resolve;
      this.#child.send({ type: "stats" } satisfies StatsCommand);
    });
  }

  /** Ends the process at once (SIGKILL) and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.#exit !== undefined) return;
    const closed = new Promise((resolve) => this.#child.once("close", resolve));
    this.#child.kill("SIGKILL");
    await closed;
  }

  /** What the app wrote to stderr, for error messages. */
  output(): string {
    return this.#stderr.join("").trim();
  }

  #fail(error: Error): void {
    this.#fatal ??= error;
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
  }
}
