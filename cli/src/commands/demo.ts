import { parseArgs } from "node:util";
import type { ApiKey } from "@burnrate/core";
import { startMockLlmServer } from "@burnrate/instrumentation/mock-llm";
import { type Config, loadConfig } from "../config.js";
import { DemoAgents } from "../demo/agents.js";
import { DemoCosts } from "../demo/costs.js";
import { printSummary } from "../demo/report.js";
import { DEMO_AGENTS, DEMO_MODEL, type Latency, parseLatency, scriptMock } from "../demo/script.js";
import { DemoFailure, DemoSession } from "../demo/session.js";
import { connectOrStartStack } from "../demo/stack.js";
import type { Output } from "../output.js";
import { COMMON_OPTIONS, type Command } from "./command.js";

const DEFAULT_LATENCY = "150-300";
const DEFAULT_TIMEOUT_S = 60;
/** Exit code after Ctrl-C, as a shell reports a process ended by SIGINT. */
const INTERRUPTED = 130;

/** Why the demo's wait ended early: the deadline passed, or the user interrupted it. */
class DemoStop extends Error {
  constructor(readonly kind: "timeout" | NodeJS.Signals) {
    super(kind);
  }
}

/**
 * `burnrate demo`: two instrumented agents against a mock model fall into a ping-pong loop,
 * and the collector kills it. Everything runs locally; it starts the stack if none runs.
 */
export const demoCommand: Command = {
  name: "demo",
  summary: "watch the collector catch and kill a runaway two-agent loop (local, mock model)",
  help: `Usage: burnrate demo [options]

Two instrumented agents, separate processes (services demo-agent-a and demo-agent-b), work
support tickets against a local mock of the OpenAI API: first a normal ticket, then one on
which they fall into the ping-pong of the $47k incident (two agents sending each other the
same messages for 11 days). The collector detects the loop and kills the trace; the agents'
next call throws RunawayLoopError. The demo prints each turn with its running cost, the
decision, an estimate of what the loop would have cost, and where to find the incident.

It uses the Burnrate answering on the configured OTLP port (BURNRATE_OTLP_PORT, default
4318). If none answers, it starts the collector and query API in this process, as
\`burnrate start\` does, and stops them at the end. No API key or network access is needed.
Exits 0 once the loop is killed, 1 if it is not killed in time.

  --latency-ms <ms>   the mock model's latency per call: one number, or a range such as
                      150-300 (default ${DEFAULT_LATENCY})
  --timeout-s <s>     give up if the loop has not been killed after this long (default ${DEFAULT_TIMEOUT_S})

${COMMON_OPTIONS}`,
  async run(args, out) {
    const { values } = parseArgs({
      args,
      options: {
        "latency-ms": { type: "string", default: DEFAULT_LATENCY },
        "timeout-s": { type: "string", default: String(DEFAULT_TIMEOUT_S) },
        config: { type: "string", short: "c" },
        debug: { type: "boolean" },
      },
    });
    const latency = parseLatency(values["latency-ms"]);
    const timeoutS = Number(values["timeout-s"]);
    const problem =
      typeof latency === "string"
        ? latency
        : !(timeoutS > 0 && timeoutS <= 3_600)
          ? `--timeout-s must be a number of seconds from 1 to 3600; got "${values["timeout-s"]}"`
          : undefined;
    if (problem) {
      out.error(`burnrate demo: ${problem}\nRun \`burnrate demo --help\` for usage.`);
      return 2;
    }
    const { config } = loadConfig({ file: values.config, warn: out.error });
    return runDemo(config, latency as Latency, timeoutS, out);
  },
};

async function runDemo(config: Config, latency: Latency, timeoutS: number, out: Output): Promise<number> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stop.abort(new DemoStop(signal));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // Undone in reverse: agents first (they flush their spans), then the mock, then the collector.
  const cleanup: (() => Promise<void>)[] = [];
  try {
    const stack = await connectOrStartStack(config, out);
    cleanup.push(() => stack.stop());
    stop.signal.throwIfAborted();
    const mock = await startMockLlmServer();
    cleanup.push(() => mock.close());
    scriptMock(mock, latency);
    out.info(`  Collector   ${stack.otlpUrl}`);
    out.info(`  Query API   ${stack.apiUrl}`);
    out.info(`  Mock model  ${mock.openaiBaseUrl}   (${DEMO_MODEL}, ${describe(latency)} per call)`);

    const costs = new DemoCosts();
    const session = new DemoSession(out, costs);
    const agents = await DemoAgents.start(
      {
        names: DEMO_AGENTS,
        otlpUrl: stack.otlpUrl,
        openaiBaseUrl: mock.openaiBaseUrl,
        model: DEMO_MODEL,
        apiKey: ingestKey(config.auth.keys),
        onEvent: session.handle,
        onExit: session.agentExited,
      },
      stop.signal,
    );
    cleanup.push(() => agents.stop());
    stop.signal.throwIfAborted();

    const deadline = setTimeout(() => stop.abort(new DemoStop("timeout")), timeoutS * 1000);
    deadline.unref();
    try {
      const outcome = await session.play(agents, stop.signal);
      printSummary(out, { outcome, costs, stack, config });
      return 0;
    } catch (error) {
      if (error instanceof DemoStop && error.kind === "timeout") {
        out.error(`burnrate demo: the loop was not killed within ${timeoutS} s: ${session.progress()}`);
        out.error(
          "  check the collector's loop detection (collector.detection in the config) or try a larger --timeout-s",
        );
        return 1;
      }
      throw error;
    } finally {
      clearTimeout(deadline);
    }
  } catch (error) {
    // Checked on the signal, not the error: whatever failed after Ctrl-C failed because of it.
    const reason: unknown = stop.signal.reason;
    if (reason instanceof DemoStop && reason.kind !== "timeout") {
      out.error(`\nburnrate demo: ${reason.kind} received; stopping the agents and cleaning up`);
      return INTERRUPTED;
    }
    if (error instanceof DemoFailure) {
      out.error(`burnrate demo: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    for (const undo of cleanup.reverse()) {
      await undo().catch((error: Error) => out.error(`burnrate demo: while cleaning up: ${error.message}`));
    }
  }
}

/** The key the agents present when the collector requires one: an ingest key, else an admin key. */
function ingestKey(keys: readonly ApiKey[]): string | undefined {
  return (keys.find((k) => k.role === "ingest") ?? keys.find((k) => k.role === "admin"))?.key;
}

function describe(latency: Latency): string {
  return latency.min === latency.max ? `${latency.min} ms` : `${latency.min}–${latency.max} ms`;
}
