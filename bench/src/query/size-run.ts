/**
 * One dataset size of `npm run bench -- query`, run in its own process because chDB opens
 * one data directory per process. Generates (or reuses) the dataset, serves the query API
 * over it on 127.0.0.1, times three requests, and prints one JSON line of figures on stdout.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createQueryApi } from "@burnrate/query-api";
import { CALLS_PER_TRACE, traceIdOf } from "./calls-generator.js";
import { openDataset, settleMerges } from "./dataset.js";
import { measure } from "./latency.js";

const [dir, callsText, daysText, iterationsText] = process.argv.slice(2);
const calls = Number(callsText);
const days = Number(daysText);
const iterations = Number(iterationsText);
const DAY_MS = 86_400_000;

const dataset = await openDataset(dir!, calls, days);
const { db, shape } = dataset;
process.stderr.write("query: waiting for background merges to settle…\n");
const settleSeconds = await settleMerges(db);
// The dataset lives in project "bench", read with a key scoped to it as a deployment would;
// responses are not schema-checked, as in production.
const key = "bench-read-key-000000001";
const app = createQueryApi({
  db,
  validateResponses: false,
  keys: [{ key, project: shape.project, role: "read" }],
});
const server = createServer(app);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function get(path: string): Promise<void> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${body.slice(0, 300)}`);
}

const traces = Math.ceil(shape.calls / CALLS_PER_TRACE);
const iso = (ms: number) => new Date(ms).toISOString();
const end = shape.endMs;
// A deterministic spread of traces over the whole dataset.
const traceOf = (i: number) =>
  traceIdOf(Math.floor((((i * 2_654_435_761) % 4_294_967_296) / 4_294_967_296) * traces));

process.stderr.write(`query: timing GET /v1/traces/:id (${iterations} traces)…\n`);
// Each trace is read once, so a fresh process meets its first few hundred reads before V8
// has optimised the handler's path and chDB's caches hold every part's marks; measured from
// a fresh start, p50 of the first 200 reads was ~3 ms above the next 400. The 200 warm-up
// reads (of traces not measured) give the figure of a server that has been up a while.
const costPerTrace = await measure((i) => get(`/v1/traces/${traceOf(i)}`), iterations, 200);
const groupbyRuns = Math.max(20, Math.floor(iterations / 4));
process.stderr.write(`query: timing 30-day cost by feature per day (${groupbyRuns} runs)…\n`);
const groupby = await measure(
  () => get(`/v1/costs?groupBy=feature,day&from=${iso(end - 30 * DAY_MS)}&to=${iso(end)}`),
  groupbyRuns,
);
process.stderr.write(`query: timing trace search over one day, by cost (${groupbyRuns} runs)…\n`);
const search = await measure(
  (i) =>
    get(
      `/v1/traces?sort=cost&limit=50&from=${iso(end - ((i % 7) + 2) * DAY_MS)}&to=${iso(end - ((i % 7) + 1) * DAY_MS)}`,
    ),
  groupbyRuns,
);
process.stderr.write(
  `query: timing trace search over one day for one feature, by time (${groupbyRuns} runs)…\n`,
);
const searchFeature = await measure(
  (i) =>
    get(
      `/v1/traces?feature=feature-${String(i % 40).padStart(2, "0")}&limit=50&from=${iso(end - 2 * DAY_MS)}&to=${iso(end - DAY_MS)}`,
    ),
  groupbyRuns,
);
const [parts] = await db.query<{ parts: number; rollup_rows: number }>({
  query: `SELECT
      (SELECT count() FROM system.parts WHERE active AND table = 'llm_calls') AS parts,
      (SELECT count() FROM llm_cost_minutely) AS rollup_rows`,
  params: {},
});
await new Promise<void>((resolve) => server.close(() => resolve()));
await db.close();
process.stdout.write(
  `${JSON.stringify({
    calls: shape.calls,
    days: shape.days,
    insertSeconds: dataset.insertSeconds ?? null,
    reused: dataset.reused,
    settleSeconds,
    llmCallsParts: Number(parts?.parts ?? 0),
    rollupRows: Number(parts?.rollup_rows ?? 0),
    costPerTrace,
    groupby,
    search,
    searchFeature,
  })}\n`,
);
