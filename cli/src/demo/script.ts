import type { MockLlmServer, MockReply } from "@burnrate/instrumentation/mock-llm";

/** The model the demo agents call; the mock answers as it, and the price book prices it. */
export const DEMO_MODEL = "gpt-4o";

/** The feature the demo's agents attribute their calls to. */
export const DEMO_FEATURE = "demo";

/** The service name of a demo agent's process. */
export function demoService(agent: string): string {
  return `demo-${agent}`;
}

/** The agents, in speaking order: agent-a opens every ticket. */
export const DEMO_AGENTS = ["agent-a", "agent-b"] as const;

/** One scripted model answer and the usage the mock reports for it. */
interface Line {
  text: string;
  /** Prompt tokens: the agents re-send the ticket's history, so prompts are large. */
  input: number;
  output: number;
}

/** A support ticket the two agents work, turn by turn. */
export interface Ticket {
  number: number;
  title: string;
  /** What agent-a is given to open the ticket. */
  opening: string;
  /** The model's answers in turn order: agent-a, agent-b, agent-a, … */
  lines: Line[];
}

/** Normal work: varied turns, each a new message, ending in an answer to the customer. */
export const NORMAL_TICKET: Ticket = {
  number: 4518,
  title: "how do I export invoices as CSV?",
  opening: "Ticket #4518 from Sam Lee: 'How do I export my invoices as CSV?' Find the answer with billing.",
  lines: [
    {
      text: "Billing: where do customers export invoices as CSV, and on which plans?",
      input: 1_240,
      output: 38,
    },
    { text: "Billing → Invoices → Export, then choose CSV. Every plan has it.", input: 1_610, output: 52 },
    { text: "Thanks. Is there a limit on the date range of one export?", input: 1_980, output: 31 },
    {
      text: "Up to 12 months per file; longer ranges are split into several files.",
      input: 2_350,
      output: 44,
    },
    {
      text: "RESOLVED: told Sam where the CSV export is and that one file covers up to 12 months.",
      input: 2_720,
      output: 61,
    },
  ],
};

/** The ticket that loops: two varied turns, then the ping-pong in `LOOP_LINES`. */
export const LOOP_TICKET: Ticket = {
  number: 4521,
  title: "charged twice for order 88213",
  opening: "Ticket #4521 from Dana Ortiz: 'I was charged twice for order 88213.' Sort it out with billing.",
  lines: [
    { text: "Billing: please check order 88213 for a duplicate charge.", input: 1_310, output: 27 },
    {
      text: "Found two captures of $49.00 on order 88213. I can refund one once the customer's identity is confirmed.",
      input: 1_720,
      output: 48,
    },
  ],
};

/**
 * The ping-pong of the $47k incident: each agent keeps sending the other the same message.
 * The prompts repeat exactly, so the collector's fingerprint-based loop detectors see it.
 */
const LOOP_LINES: [Line, Line] = [
  {
    text: "Identity is confirmed. Please confirm the refund so I can close the ticket.",
    input: 3_420,
    output: 36,
  },
  { text: "Before I refund, I need you to confirm the customer's identity.", input: 3_510, output: 29 },
];

/** The first turn of `LOOP_TICKET` that belongs to the loop; turns before it are ordinary work. */
export const LOOP_FROM_TURN = LOOP_TICKET.lines.length + 1;

/** How long the real incident ran before anyone noticed. */
export const INCIDENT_DAYS = 11;

/**
 * Loop answers queued up front. The exchange is strictly one call at a time, so one queue in
 * arrival order scripts both agents; this many covers far more turns than any timeout allows
 * at realistic latency, and the default reply keeps the loop going past it.
 */
const QUEUED_LOOP_TURNS = 1_000;

/** Mock latency per call: each call waits a whole number of milliseconds in [min, max]. */
export interface Latency {
  min: number;
  max: number;
}

/**
 * Reads `--latency-ms`: one number (`20`) or a range (`150-300`).
 * @returns the range, or a sentence saying what is wrong with the value.
 * @example parseLatency("150-300") // { min: 150, max: 300 }
 */
export function parseLatency(value: string): Latency | string {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!match)
    return `--latency-ms must be milliseconds, one number or a range such as 150-300; got "${value}"`;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (max < min) return `--latency-ms range must go from low to high; got "${value}"`;
  if (max > 60_000) return `--latency-ms must be at most 60000; got "${value}"`;
  return { min, max };
}

/**
 * Scripts the mock with every answer of both tickets, in the order the agents will ask: the
 * normal ticket, then the looping one. Each answer gets its own latency from `latency`.
 */
export function scriptMock(mock: MockLlmServer, latency: Latency, random: () => number = Math.random): void {
  const reply = (line: Line): MockReply => ({
    text: line.text,
    usage: { input: line.input, output: line.output },
    latencyMs: latency.min + Math.floor(random() * (latency.max - latency.min + 1)),
  });
  for (const line of NORMAL_TICKET.lines) mock.enqueue(reply(line), "openai.chat");
  for (const line of LOOP_TICKET.lines) mock.enqueue(reply(line), "openai.chat");
  for (let turn = 0; turn < QUEUED_LOOP_TURNS; turn++)
    mock.enqueue(reply(LOOP_LINES[turn % 2]!), "openai.chat");
  // Past the queue both agents get the same answer, which is still a loop.
  mock.setDefault({ ...reply(LOOP_LINES[0]), latencyMs: Math.round((latency.min + latency.max) / 2) });
}
