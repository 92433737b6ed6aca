import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DEMO_FEATURE, demoService } from "./script.js";

/** The agent program, shipped in the package beside `dist/`, so an installed `burnrate` finds it. */
const AGENT_SCRIPT = fileURLToPath(new URL("../../demo-app/agent.mjs", import.meta.url));
/** An agent loads the OTel SDK before it listens; a few seconds is plenty even on a slow disk. */
const LISTEN_TIMEOUT_MS = 15_000;
/** After SIGTERM an agent flushes its spans (at most 1 s) and exits; then it is killed outright. */
const EXIT_GRACE_MS = 2_000;

/** One JSON line an agent printed: `listening`, `turn`, `resolved`, `kill`, `stopped` or `error`. */
export interface AgentEvent {
  agent: string;
  event: string;
  [field: string]: unknown;
}

/** Where the agents send spans and model calls, and who they are. */
export interface DemoAgentsOptions {
  names: readonly string[];
  otlpUrl: string;
  openaiBaseUrl: string;
  model: string;
  /** An ingest key, when the collector requires one. */
  apiKey: string | undefined;
  onEvent(event: AgentEvent): void;
  /** An agent ended before `stop()`: its exit code or signal, and the last thing it printed on stderr. */
  onExit(name: string, how: string, stderrTail: string): void;
}

interface Agent {
  name: string;
  child: ChildProcess;
  url: string;
  stderr: string;
}

/**
 * The demo's two agent processes, each `node --import @burnrate/instrumentation/register`,
 * instrumented like any app. Their local loop guard is off, so the collector decides.
 */
export class DemoAgents {
  readonly #agents: Agent[];
  #stopping = false;

  private constructor(agents: Agent[]) {
    this.#agents = agents;
  }

  /** Spawns every agent and resolves once all of them listen; on failure none is left running. */
  static async start(options: DemoAgentsOptions, signal: AbortSignal): Promise<DemoAgents> {
    // Resolved here, not by the child, so the hook loads whatever directory the demo is run from.
    const register = import.meta.resolve("@burnrate/instrumentation/register");
    const agents: Agent[] = [];
    const group = new DemoAgents(agents);
    const listening = options.names.map((name) => {
      const child = spawn(process.execPath, ["--import", register, AGENT_SCRIPT], {
        env: agentEnv(name, options),
        // stdin stays open only so the agent notices when the demo is gone, even after SIGKILL.
        stdio: ["pipe", "pipe", "pipe"],
      });
      const agent: Agent = { name, child, url: "", stderr: "" };
      agents.push(agent);
      return new Promise<void>((resolve, reject) => {
        readLines(child, (line) => {
          const event = parseEvent(line);
          if (!event) return;
          if (event.event === "listening") {
            agent.url = `http://127.0.0.1:${event.port}`;
            resolve();
          }
          options.onEvent(event);
        });
        child.stderr!.on("data", (d: Buffer) => {
          agent.stderr = (agent.stderr + d.toString()).slice(-4_000);
        });
        child.on("exit", (code, signal) => {
          const how = signal ?? `code ${code}`;
          reject(new Error(`${name} exited with ${how} before it listened${tail(agent.stderr)}`));
          if (!group.#stopping) options.onExit(name, how, lastLine(agent.stderr));
        });
      });
    });
    try {
      await withTimeout(
        Promise.all(listening),
        LISTEN_TIMEOUT_MS,
        "the demo agents did not start listening",
        signal,
      );
      await group.#introduce();
      return group;
    } catch (error) {
      await group.stop();
      throw error;
    }
  }

  /** The HTTP address of the named agent. */
  url(name: string): string {
    const agent = this.#agents.find((a) => a.name === name);
    if (!agent) throw new Error(`no demo agent named ${name}`);
    return agent.url;
  }

  /** Ends every agent (SIGTERM, then SIGKILL after a grace period) and waits until each has exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#agents.map((agent) => stopChild(agent.child)));
  }

  /** Tells each agent who its peer is: the one after it, round the table. */
  async #introduce(): Promise<void> {
    await Promise.all(
      this.#agents.map((agent, i) => {
        const peer = this.#agents[(i + 1) % this.#agents.length]!;
        return postJson(`${agent.url}/peer`, { name: peer.name, url: peer.url });
      }),
    );
  }
}

/** POSTs JSON and fails unless the agent accepted it. */
export async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  await res.body?.cancel();
  if (res.status >= 300) throw new Error(`${url} answered HTTP ${res.status}`);
}

function agentEnv(name: string, options: DemoAgentsOptions): NodeJS.ProcessEnv {
  // The user's own BURNRATE_* and OTEL_* settings (caps, another endpoint) would change what
  // the demo shows, so the agents get only the ones set here.
  const inherited = Object.entries(process.env).filter(([k]) => !/^(BURNRATE|OTEL)_/.test(k));
  return {
    ...Object.fromEntries(inherited),
    DEMO_AGENT_NAME: name,
    DEMO_MODEL: options.model,
    DEMO_OPENAI_URL: options.openaiBaseUrl,
    DEMO_FEATURE,
    OTEL_SERVICE_NAME: demoService(name),
    OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpUrl,
    ...(options.apiKey
      ? {
          BURNRATE_API_KEY: options.apiKey,
          OTEL_EXPORTER_OTLP_HEADERS: `x-burnrate-api-key=${options.apiKey}`,
        }
      : {}),
    // Export soon after each call, so the collector sees the loop while it is young.
    BURNRATE_EXPORT_DELAY_MS: "5",
    // The app's own guard would stop this loop by itself; the demo is about the collector.
    BURNRATE_LOOP_IDENTICAL_CALLS: "0",
    BURNRATE_LOOP_CYCLE_REPEATS: "0",
  };
}

function readLines(child: ChildProcess, onLine: (line: string) => void): void {
  let buffer = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffer += d.toString();
    for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
      onLine(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
}

function parseEvent(line: string): AgentEvent | undefined {
  try {
    const value = JSON.parse(line) as AgentEvent;
    return typeof value?.event === "string" ? value : undefined;
  } catch {
    return undefined; // something the SDK printed, not one of ours
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), EXIT_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** `work`, unless `ms` pass or `signal` aborts first (then it rejects with the signal's reason). */
function withTimeout<T>(work: Promise<T>, ms: number, what: string, signal: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const cut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, cut]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort!);
  });
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .at(-1) ?? ""
  );
}

function tail(stderr: string): string {
  const line = lastLine(stderr);
  return line ? `: ${line}` : "";
}
