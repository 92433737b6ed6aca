/** A benchmark `npm run bench -- <name> [options]` can run. */
export interface Benchmark {
  name: string;
  summary: string;
  /** Loaded only when chosen, so listing does not pay for every benchmark's imports. */
  load(): Promise<{ run(args: string[]): Promise<number>; USAGE?: string }>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  {
    name: "ingest",
    summary: "OTLP/HTTP protobuf → `burnrate start` → chDB: spans/s, request latency, collector memory",
    load: () => import("./ingest.js"),
  },
  {
    name: "overhead",
    summary:
      "µs each openai call gains from Burnrate's instrumentation vs the OTel contrib and traceloop ones (mock LLM)",
    load: () => import("./overhead.js"),
  },
  {
    name: "query",
    summary:
      "query API over 1M and 10M stored calls: cost of a trace, 30-day group-by, trace search (p50/p99)",
    load: () => import("./query.js"),
  },
  {
    name: "detect",
    summary:
      "detection events/s and bytes per run (100k runs); kill latency collector → app kill list (p50/p99); calls slipping through",
    load: () => import("./detect.js"),
  },
];
