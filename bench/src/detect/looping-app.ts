/**
 * The app of the detect benchmark's kill trials, run as an instrumented process:
 * `node --import @burnrate/instrumentation/register looping-app.js <mock openai base URL>`,
 * exporting to the collector named by OTEL_EXPORTER_OTLP_ENDPOINT and listening to its
 * decision stream through the real kill switch. Each trial (a message from the parent) is an
 * agent run in a fresh trace and session that sends the same prompt again and again until a
 * call is refused with BurnrateStopError. The app's local guard is off (BURNRATE_LOOP_* = 0),
 * so only the collector can stop it. Several trials may run at once.
 */
import { agentSpan, BurnrateStopError, onKill, withAttribution } from "@burnrate/instrumentation";
import { trace } from "@opentelemetry/api";
import OpenAI from "openai";
import { takeLoopDelay, watchLoopDelay } from "./loop-delay.js";
import {
  type AppReply,
  CALL_HEADER,
  type KillSeen,
  type StatsCommand,
  TRIAL_HEADER,
  type TrialCommand,
  type TrialResult,
} from "./protocol.js";

interface Watch {
  kills: KillSeen[];
}

const byTrace = new Map<string, Watch>();
const bySession = new Map<string, Watch>();

// First thing in the handler: the kill list took the decision in just before handlers run.
onKill((decision) => {
  const at = process.hrtime.bigint();
  const traceId = decision.scope.trace_id;
  const sessionId = decision.scope.session_id;
  const watch = (traceId && byTrace.get(traceId)) || (sessionId && bySession.get(sessionId));
  if (!watch) return;
  const repeats = (decision.evidence as { repeats?: unknown }).repeats;
  watch.kills.push({
    at,
    decisionId: decision.decision_id,
    detector: decision.detector,
    scope: traceId ? "trace" : "session",
    repeats: typeof repeats === "number" ? repeats : undefined,
  });
});

const send = (reply: AppReply) =>
  new Promise<void>((resolve, reject) =>
    process.send!(reply, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );

async function runTrial(client: OpenAI, command: TrialCommand): Promise<TrialResult> {
  const sessionId = `bench-session-${process.pid}-${command.trial}`;
  const result: TrialResult = {
    type: "trial",
    trial: command.trial,
    traceId: "",
    sessionId,
    calls: [],
    stoppedAtCall: undefined,
    kills: [],
    error: undefined,
  };
  const watch: Watch = { kills: result.kills };
  bySession.set(sessionId, watch);
  try {
    await withAttribution(
      { session: sessionId, feature: "bench-detect", user: `user-${command.trial % 50}` },
      () =>
        agentSpan("looping-agent", async () => {
          result.traceId = trace.getActiveSpan()?.spanContext().traceId ?? "";
          byTrace.set(result.traceId, watch);
          for (let call = 1; call <= command.maxCalls; call++) {
            const startedAt = process.hrtime.bigint();
            try {
              await client.chat.completions.create(
                {
                  model: "gpt-4o-mini",
                  messages: [
                    { role: "system", content: "You are a support agent. Look the order up." },
                    { role: "user", content: `Where is order ${1000 + command.trial}?` },
                  ],
                },
                { headers: { [TRIAL_HEADER]: String(command.trial), [CALL_HEADER]: String(call) } },
              );
            } catch (error) {
              if (!(error instanceof BurnrateStopError)) throw error;
              result.stoppedAtCall = call;
              return;
            }
            result.calls.push({ call, startedAt, endedAt: process.hrtime.bigint() });
          }
        }),
    );
  } catch (error) {
    result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } finally {
    byTrace.delete(result.traceId);
    bySession.delete(sessionId);
  }
  return result;
}

async function main(): Promise<void> {
  const [baseURL] = process.argv.slice(2);
  if (!process.send || !baseURL) throw new Error("looping-app.js is started by `npm run bench -- detect`");
  const client = new OpenAI({ apiKey: "bench", baseURL, maxRetries: 0 });
  // An orphaned app (the bench was killed) must not keep calling.
  process.on("disconnect", () => process.exit(1));
  const loopDelay = watchLoopDelay();
  process.on("message", (command: TrialCommand | StatsCommand) => {
    if (command?.type === "stats") return void send({ type: "stats", loopDelay: takeLoopDelay(loopDelay) });
    if (command?.type !== "trial") return;
    runTrial(client, command).then(send, (error: unknown) => send({ type: "error", message: String(error) }));
  });
  await send({ type: "ready", pid: process.pid });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
