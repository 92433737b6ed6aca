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
];
