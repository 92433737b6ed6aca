import http from "node:http";

export interface LoadOptions {
  /** The collector's OTLP base URL (127.0.0.1 only). */
  url: URL;
  seconds: number;
  /** Requests in flight at once, each on its own keep-alive connection. */
  concurrency: number;
  spansPerRequest: number;
  nextBody(): Buffer;
  /** Sending stops after this many failed requests in a row (network errors or non-200). */
  maxConsecutiveFailures: number;
  /** Checked before each request; a reason stops sending (e.g. the collector died). */
  stopReason(): string | undefined;
}

/** What the load generator saw; live while it runs, so progress can be printed. */
export interface LoadStats {
  /** `performance.now()` when the first request went out, and when the last answer came back. */
  startedAt: number;
  endedAt: number;
  requests: number;
  spansSent: number;
  /** Spans in requests answered 200. */
  spansAccepted: number;
  /** Answers by HTTP status; network errors count under "error". */
  statuses: Record<string, number>;
  latenciesMs: number[];
  stoppedEarly: string | undefined;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Posts OTLP/protobuf export requests for `seconds`, `concurrency` at a time, and records each
 * request's status and latency. No new request starts after the deadline; the ones in flight finish.
 */
export async function sendLoad(options: LoadOptions, stats: LoadStats = emptyStats()): Promise<LoadStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = { host: "127.0.0.1", port: Number(options.url.port), path: "/v1/traces", agent };
  stats.startedAt = performance.now();
  const deadline = stats.startedAt + options.seconds * 1000;
  let failuresInARow = 0;

  const worker = async () => {
    while (performance.now() < deadline && stats.stoppedEarly === undefined) {
      const reason = options.stopReason();
      if (reason !== undefined) {
        stats.stoppedEarly = reason;
        break;
      }
      const body = options.nextBody();
      const started = performance.now();
      stats.requests++;
      stats.spansSent += options.spansPerRequest;
      let status: string;
      let retryAfterMs = 0;
      try {
        const answer = await post(target, body);
        status = String(answer.status);
        retryAfterMs = answer.retryAfterMs;
      } catch {
        status = "error";
      }
      stats.latenciesMs.push(performance.now() - started);
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      if (status === "200") {
        stats.spansAccepted += options.spansPerRequest;
        failuresInARow = 0;
        continue;
      }
      if (++failuresInARow >= options.maxConsecutiveFailures) {
        stats.stoppedEarly ??= `${failuresInARow} failed requests in a row (last: ${status})`;
      }
      // 429 and 503 are the collector asking for a pause, as an OTLP exporter would honour it.
      if (retryAfterMs > 0)
        await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfterMs, 1_000)));
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    stats.endedAt = performance.now();
    agent.destroy();
  }
  return stats;
}

export function emptyStats(): LoadStats {
  return {
    startedAt: performance.now(),
    endedAt: 0,
    requests: 0,
    spansSent: 0,
    spansAccepted: 0,
    statuses: {},
    latenciesMs: [],
    stoppedEarly: undefined,
  };
}

/** The nearest-rank percentile (`p` from 0 to 100) of `values`, or 0 when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function post(
  target: { host: string; port: number; path: string; agent: http.Agent },
  body: Buffer,
): Promise<{ status: number; retryAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        ...target,
        method: "POST",
        headers: { "content-type": "application/x-protobuf", "content-length": body.length },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        const retryAfter = Number(response.headers["retry-after"] ?? 0);
        response.resume(); // drain the answer so the connection is reused
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : 0 }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    request.on("error", reject);
    request.end(body);
  });
}
