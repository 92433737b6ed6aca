import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { MODEL, MODES, type Mode, REPLY_USAGE } from "./calls.js";
import type { Reply } from "./protocol.js";

/** What one configuration's exporter received for one mode. */
export interface SpanTally {
  /** Spans exported. */
  spans: number;
  /** Spans naming the request model and OpenAI as the provider (`gen_ai.provider.name` or `gen_ai.system`). */
  described: number;
  /** Spans with the mock's input and output token counts. */
  withUsage: number;
  /** One span as exported, so a failed check shows what the instrumentation did write. */
  sample?: { name: string; attributes: Record<string, unknown> };
}

export type SpanTallies = Record<Mode, SpanTally>;

const ATTR_REQUEST_MODEL = "gen_ai.request.model";
const ATTR_PROVIDER_NAME = "gen_ai.provider.name";
/** The pre-1.37 semantic-convention name the OTel contrib instrumentation still writes. */
const ATTR_SYSTEM = "gen_ai.system";
const ATTR_INPUT_TOKENS = "gen_ai.usage.input_tokens";
const ATTR_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";

/**
 * A span exporter that keeps nothing but counts: holding tens of thousands of spans (as
 * `InMemorySpanExporter` does) would grow the heap through the run and slow later rounds.
 * The child sets `mode` before each batch of calls and flushes after it, so every span is
 * counted under the mode of the call that made it.
 */
export class CountingSpanExporter implements SpanExporter {
  mode: Mode = "non_streaming";
  readonly tallies: SpanTallies = {
    non_streaming: { spans: 0, described: 0, withUsage: 0 },
    streaming: { spans: 0, described: 0, withUsage: 0 },
  };

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const tally = this.tallies[this.mode];
    for (const span of spans) {
      const a = span.attributes;
      tally.spans++;
      const provider = a[ATTR_PROVIDER_NAME] ?? a[ATTR_SYSTEM];
      if (a[ATTR_REQUEST_MODEL] === MODEL && provider === "openai") tally.described++;
      if (a[ATTR_INPUT_TOKENS] === REPLY_USAGE.input && a[ATTR_OUTPUT_TOKENS] === REPLY_USAGE.output)
        tally.withUsage++;
      tally.sample ??= { name: span.name, attributes: { ...a } };
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}

type Finished = Extract<Reply, { type: "finished" }>;

/** One configuration's children as one: spans and calls added up, the first sample kept. */
export function mergeFinished(replies: Finished[]): Finished {
  const tallies = {} as SpanTallies;
  const calls = {} as Record<Mode, number>;
  for (const mode of MODES) {
    const t = replies.map((r) => r.tallies[mode]);
    const sample = t.find((x) => x.sample)?.sample;
    tallies[mode] = {
      spans: t.reduce((sum, x) => sum + x.spans, 0),
      described: t.reduce((sum, x) => sum + x.described, 0),
      withUsage: t.reduce((sum, x) => sum + x.withUsage, 0),
      ...(sample ? { sample } : {}),
    };
    calls[mode] = replies.reduce((sum, r) => sum + r.calls[mode], 0);
  }
  return { type: "finished", tallies, calls };
}
