/**
 * One configuration of the overhead benchmark, in its own process so no other
 * configuration's patches are loaded: `node child.js <configuration> <openai base URL>`.
 * Started by `overhead.ts` with an IPC channel; it makes calls when told and answers with
 * the time they took (see `protocol.ts`).
 */
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { CallPhases } from "./call-phases.js";
import { type ChatClient, type Mode, timeCalls } from "./calls.js";
import {
  CONFIGURATIONS,
  type Configuration,
  createInstrumentation,
  loadOpenAIv6,
  patchOpenAI,
} from "./configurations.js";
import type { Command, Reply } from "./protocol.js";
import { CountingSpanExporter } from "./span-tally.js";

const send = (reply: Reply) =>
  new Promise<void>((resolve, reject) =>
    process.send!(reply, undefined, {}, (e) => (e ? reject(e) : resolve())),
  );

async function main(): Promise<void> {
  const [config, baseURL, flag] = process.argv.slice(2) as [Configuration, string, string | undefined];
  if (!process.send)
    throw new Error("overhead/child.js is started by `npm run bench -- overhead`, not directly");
  if (!CONFIGURATIONS.includes(config) || !baseURL) {
    throw new Error(`usage: child.js <${CONFIGURATIONS.join("|")}> <openai base URL>`);
  }
  // The same pipeline in every child; in `bare` nothing ever starts a span.
  const exporter = new CountingSpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  provider.register();
  const hook = await createInstrumentation(config);
  if (hook) registerInstrumentations({ instrumentations: [hook as never] });
  const openai = loadOpenAIv6();
  const supportedVersions = hook ? patchOpenAI(hook, openai) : [];
  const client = new openai.exports.OpenAI({ apiKey: "bench", baseURL, maxRetries: 0 }) as ChatClient;
  const calls: Record<Mode, number> = { non_streaming: 0, streaming: 0 };
  const phases = flag === "--phases" ? new CallPhases() : undefined;

  const handle = async (command: Command): Promise<void> => {
    if (command.type === "run") {
      exporter.mode = command.mode;
      const recorder = command.record ? phases : undefined;
      const { ms, cpuMs } = await timeCalls(client, command.mode, command.calls, recorder);
      calls[command.mode] += command.calls + 1; // timeCalls makes one checked call first
      // Outside the timing: spans still queued are counted under the mode that made them.
      await provider.forceFlush();
      const cpu = process.cpuUsage();
      await send({ type: "ran", ms, cpuMs, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
      return;
    }
    await provider.forceFlush();
    await send({
      type: "finished",
      tallies: exporter.tallies,
      calls,
      ...(phases ? { phases: { samples: phases.samples, skipped: phases.skipped } } : {}),
    });
    process.exit(0); // exits normally, so `--cpu-prof` writes its profile
  };
  // An orphaned child (the bench was killed) must not keep calling a mock that is gone.
  process.on("disconnect", () => process.exit(1));
  // Commands arrive one at a time: the parent waits for each reply before sending the next.
  process.on("message", (command: Command) => {
    handle(command).catch(fail);
  });
  await send({
    type: "ready",
    config,
    openai: { path: openai.path, version: openai.version },
    instrumentation: hook
      ? { name: hook.instrumentationName, version: hook.instrumentationVersion, supportedVersions }
      : null,
  });
}

function fail(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (!process.send) {
    console.error(message);
    process.exit(1);
  }
  process.send({ type: "error", message } satisfies Reply, undefined, {}, () => process.exit(1));
}

main().catch(fail);
