import { shutdownDeadlineMs, startAll } from "../commands/start.js";
import type { Config } from "../config.js";
import type { Output } from "../output.js";

/** Longest the probe of a running collector waits: a local server answers in milliseconds. */
const PROBE_TIMEOUT_MS = 1_500;

/** The collector and query API the demo talks to. */
export interface DemoStack {
  otlpUrl: string;
  apiUrl: string;
  /** True when the demo started them in this process (and so stops them at the end). */
  startedHere: boolean;
  /** Stops what the demo started; a stack that was already running is left alone. */
  stop(): Promise<void>;
}

/**
 * Uses the Burnrate that answers `/healthz` on the configured OTLP port, or starts the
 * collector and query API in this process exactly as `burnrate start` does. Port 0 means
 * "any free port", so nothing can already be running there and the stack is always started.
 * @throws Error naming the address when something else holds the port, or the running
 *   collector's store is down.
 */
export async function connectOrStartStack(config: Config, out: Output): Promise<DemoStack> {
  const { host, otlpPort, apiPort } = config.server;
  if (otlpPort !== 0) {
    const base = (port: number) => `http://${reachable(host)}:${port}`;
    const otlpUrl = base(otlpPort);
    const health = await probe(`${otlpUrl}/healthz`);
    if (health === "ok") {
      out.info(`burnrate demo: using the Burnrate already running at ${otlpUrl}`);
      return { otlpUrl, apiUrl: base(apiPort), startedHere: false, stop: async () => {} };
    }
    if (health !== "absent") {
      throw new Error(
        `${otlpUrl}/healthz answered ${health}, so it is not a working Burnrate; stop what holds port ${otlpPort} or set BURNRATE_OTLP_PORT`,
      );
    }
    out.info(`burnrate demo: no Burnrate answers at ${otlpUrl}; starting one in this process`);
  } else {
    out.info("burnrate demo: starting the collector and query API in this process");
  }
  const running = await startAll(config, out, "demo");
  return {
    otlpUrl: running.otlp.url,
    apiUrl: running.api.url,
    startedHere: true,
    stop: () => withDeadline(running.stop(), shutdownDeadlineMs(config)),
  };
}

/** `ok`, `absent` (nothing listens), or a short description of the unexpected answer. */
async function probe(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  } catch (error) {
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === "ECONNREFUSED") return "absent";
    return `nothing within ${PROBE_TIMEOUT_MS} ms (${code ?? (error as Error).name})`;
  }
  const body = await res.text().catch(() => "");
  if (res.status === 200 && /"status"\s*:\s*"ok"/.test(body)) return "ok";
  return `HTTP ${res.status}${body ? ` ${body.slice(0, 120)}` : ""}`;
}

/** The address to connect to: a wildcard listen address is reached over loopback. */
function reachable(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "[::]") return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Resolves when `work` does, or after `ms` at the latest, so a stuck shutdown never hangs the demo. */
function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shutdown took longer than ${ms} ms`)), ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
