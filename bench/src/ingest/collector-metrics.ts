import http from "node:http";

/**
 * Reads the collector's Prometheus text from `GET /metrics`: each labelled series under its full
 * name (`burnrate_otlp_requests_total{status="200"}`) and each metric's sum under its bare name.
 * @example (await scrapeMetrics(url)).get("burnrate_spans_written_total")
 */
export async function scrapeMetrics(url: URL): Promise<Map<string, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    const request = http.get(
      { host: "127.0.0.1", port: Number(url.port), path: "/metrics", timeout: 5_000 },
      (response) => {
        let data = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          data += chunk;
        });
        response.on("end", () =>
          response.statusCode === 200
            ? resolve(data)
            : reject(new Error(`GET /metrics answered ${response.statusCode}`)),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error("GET /metrics timed out")));
    request.on("error", reject);
  });
  const metrics = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?)\s+(\S+)$/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (match[1] !== match[2]) metrics.set(match[1]!, value);
    metrics.set(match[2]!, (metrics.get(match[2]!) ?? 0) + value);
  }
  return metrics;
}
