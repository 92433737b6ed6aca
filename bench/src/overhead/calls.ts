import type { MockReply } from "@burnrate/instrumentation/mock-llm";
import type { CallPhases } from "./call-phases.js";

/** The two ways a chat completion is called; each is measured on its own. */
export const MODES = ["non_streaming", "streaming"] as const;
export type Mode = (typeof MODES)[number];

export const MODEL = "gpt-4o-mini";
const REPLY_TEXT = "The capital of France is Paris.";
/** Token counts the mock reports; a span carrying them proves the instrumentation read the response. */
export const REPLY_USAGE = { input: 42, output: 8 } as const;

/** What the mock answers every call with: small text, fixed usage, no latency. */
export const MOCK_REPLY: MockReply = { text: REPLY_TEXT, usage: { ...REPLY_USAGE }, chunks: 4 };

const MESSAGES = [
  { role: "system", content: "You are a concise assistant." },
  { role: "user", content: "What is the capital of France?" },
];

/** The part of an openai client the benchmark calls; typed here so no openai version's types are needed. */
export interface ChatClient {
  chat: { completions: { create(body: Record<string, unknown>): Promise<unknown> } };
}

interface Completion {
  choices?: { message?: { content?: string | null } }[];
}
interface Chunk {
  choices?: { delta?: { content?: string | null } }[];
}

/** One chat completion, read to the end as an app would; returns the assistant's text. */
export async function callOnce(client: ChatClient, mode: Mode): Promise<string> {
  if (mode === "non_streaming") {
    const completion = (await client.chat.completions.create({
      model: MODEL,
      messages: MESSAGES,
    })) as Completion;
    return completion.choices?.[0]?.message?.content ?? "";
  }
  const stream = (await client.chat.completions.create({
    model: MODEL,
    messages: MESSAGES,
    stream: true,
    stream_options: { include_usage: true },
  })) as AsyncIterable<Chunk>;
  let text = "";
  for await (const chunk of stream) text += chunk.choices?.[0]?.delta?.content ?? "";
  return text;
}

/**
 * Makes `calls` sequential calls and returns the wall and CPU milliseconds they took (CPU of
 * this process, all its threads). CPU time is what an instrumentation adds in the app's
 * process, and other processes on the machine disturb it far less than wall time. The first
 * call's text is checked, so a mock or an instrumentation that mangles replies fails the run
 * instead of timing errors. With `phases`, each timed call's phases are recorded as well.
 */
export async function timeCalls(
  client: ChatClient,
  mode: Mode,
  calls: number,
  phases?: CallPhases,
): Promise<{ ms: number; cpuMs: number }> {
  const first = await callOnce(client, mode);
  if (first !== REPLY_TEXT) {
    throw new Error(
      `a ${mode} call returned ${JSON.stringify(first)}, expected ${JSON.stringify(REPLY_TEXT)}`,
    );
  }
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  if (phases) {
    for (let i = 0; i < calls; i++) {
      const callStarted = performance.now();
      await callOnce(client, mode);
      phases.record(mode, callStarted, performance.now());
    }
  } else {
    for (let i = 0; i < calls; i++) await callOnce(client, mode);
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}
