/**
 * `npm run bench -- query`: query API latency over 1M and 10M stored LLM calls. Each size
 * runs in its own process (chDB opens one data directory per process); datasets are kept
 * under bench/.data/ and reused by later runs. Targets at 10M: the cost of one trace p50
 * < 20 ms, and a 30-day cost by feature per day p50 < 300 ms.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Latency } from "./query/latency.js";
import { positiveInt, printTable, round, UsageError, writeResults } from "./report.js";

export const USAGE = `Usage: npm run bench -- query [options]

Generates LLM calls (8 per trace, 6 models, 40 features, 10k users, over --days days), inserts
them through the storage seam into embedded chDB under bench/.data/query-<size>/ (kept and
reused by later runs), then times, through the query API over HTTP on 127.0.0.1:
  GET /v1/traces/:id                               the cost of one trace
  GET /v1/costs?groupBy=feature,day (30 days)      cost grouped by feature per day
  GET /v1/traces?sort=cost (one day)               a trace search
Writes bench/results/query.json.

Options:
  --sizes LIST       dataset sizes, comma-separated (default 1m,10m; k and m suffixes)
  --days N           days the data spans (default 60)
  --iterations N     timed GET /v1/traces/:id requests per size (default 400; others a quarter)
  -h, --help         show this text`;

const DATA_DIR = fileURLToPath(new URL("../.data/", import.meta.url));
const SIZE_RUN = fileURLToPath(new URL("./query/size-run.js", import.meta.url));
const TARGETS = { costPerTraceP50Ms: 20, groupbyP50Ms: 300 };

interface SizeFigures {
  calls: number;
  days: number;
  insertSeconds: number | null;
  reused: boolean;
  settleSeconds: number;
  llmCallsParts: number;
  rollupRows: number;
  costPerTrace: Latency;
  groupby: Latency;
  search: Latency;
  searchFeature: Latency;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      sizes: { type: "string" },
      days: { type: "string" },
      iterations: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sizes = (values.sizes ?? "1m,10m").split(",").map(parseSize);
  const days = positiveInt("days", values.days, 60);
  const iterations = positiveInt("iterations", values.iterations, 400);
  const results: Record<string, unknown> = {};
  const rows: (string | number)[][] = [];
  for (const { label, calls } of sizes) {
    process.stderr.write(`query: ${label} (${calls.toLocaleString("en-US")} calls)\n`);
    const f = await runSize(`${DATA_DIR}query-${label}`, calls, days, iterations);
    Object.assign(results, {
      [`cost_per_trace_p50_ms_${label}`]: round(f.costPerTrace.p50, 2),
      [`cost_per_trace_p99_ms_${label}`]: round(f.costPerTrace.p99, 2),
      [`groupby_30d_p50_ms_${label}`]: round(f.groupby.p50, 1),
      [`groupby_30d_p99_ms_${label}`]: round(f.groupby.p99, 1),
      [`trace_search_p50_ms_${label}`]: round(f.search.p50, 1),
      [`trace_search_p99_ms_${label}`]: round(f.search.p99, 1),
      [`trace_search_feature_p50_ms_${label}`]: round(f.searchFeature.p50, 1),
      [`trace_search_feature_p99_ms_${label}`]: round(f.searchFeature.p99, 1),
      [`insert_seconds_${label}`]: f.insertSeconds === null ? null : round(f.insertSeconds, 1),
      [`dataset_reused_${label}`]: f.reused,
      [`load_average_${label}`]: loadAverage(),
      [`llm_calls_parts_${label}`]: f.llmCallsParts,
      [`rollup_rows_${label}`]: f.rollupRows,
    });
    rows.push(
      [`cost of one trace (${label})`, f.costPerTrace.p50, f.costPerTrace.p99, f.costPerTrace.samples],
      [`30-day cost by feature/day (${label})`, f.groupby.p50, f.groupby.p99, f.groupby.samples],
      [`trace search, 1 day by cost (${label})`, f.search.p50, f.search.p99, f.search.samples],
      [
        `trace search, 1 day, 1 feature (${label})`,
        f.searchFeature.p50,
        f.searchFeature.p99,
        f.searchFeature.samples,
      ],
    );
  }
  printTable(["query", "p50 ms", "p99 ms", "samples"], rows);
  const at10m = results.cost_per_trace_p50_ms_10m as number | undefined;
  const group10m = results.groupby_30d_p50_ms_10m as number | undefined;
  const meets =
    at10m !== undefined && group10m !== undefined
      ? at10m < TARGETS.costPerTraceP50Ms && group10m < TARGETS.groupbyP50Ms
      : null;
  const file = writeResults("query", {
    ...results,
    target_cost_per_trace_p50_ms_10m: TARGETS.costPerTraceP50Ms,
    target_groupby_30d_p50_ms_10m: TARGETS.groupbyP50Ms,
    meets_targets: meets,
    config: {
      sizes: sizes.map((s) => s.label),
      days,
      iterations,
      transport: "HTTP/1.1 keep-alive on 127.0.0.1",
      storage: "embedded chDB",
    },
  });
  console.log(`\nwrote ${file}`);
  return 0;
}

/** The machine's 1-minute load average after a size's timings; above the core count, figures run high. */
function loadAverage(): number | null {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return null;
  }
}

function parseSize(text: string): { label: string; calls: number } {
  const match = /^(\d+)([km]?)$/i.exec(text.trim());
  if (!match) throw new UsageError(`--sizes takes counts such as 1m or 250k, got ${JSON.stringify(text)}`);
  const unit = match[2]!.toLowerCase();
  const calls = Number(match[1]) * (unit === "m" ? 1_000_000 : unit === "k" ? 1_000 : 1);
  return { label: `${match[1]}${unit}`, calls };
}

function runSize(dir: string, calls: number, days: number, iterations: number): Promise<SizeFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIZE_RUN, dir, String(calls), String(days), String(iterations)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    // A bench killed mid-run must not leave a child holding the chDB directory.
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) => {
      process.removeListener("exit", kill);
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`the ${calls}-call run exited with ${code}`));
      else resolve(JSON.parse(last) as SizeFigures);
    });
  });
}
