import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ClickHouse, loadMigrations, migrate, openEmbedded } from "@burnrate/storage";
import { type DatasetShape, generateCalls } from "./calls-generator.js";

/** Rows per INSERT: large JSONEachRow batches, as a busy collector would write. */
const BATCH_ROWS = 250_000;
/** Written last; a directory without it holds a dataset cut short and is rebuilt. */
const MARKER = "dataset.json";

/** An opened dataset: the store, the shape it was generated with, and how long generation took. */
export interface Dataset {
  db: ClickHouse;
  shape: DatasetShape;
  /** Seconds generation and inserts took, in this run or in the earlier one that made the data. */
  insertSeconds?: number;
  /** True when an earlier run's data was reused. */
  reused: boolean;
}

/** The schema the data was written with: a changed migration (say, a table's settings) means new data. */
function schemaOf(): string {
  return loadMigrations()
    .map((m) => `${m.version}:${m.checksum}`)
    .join(",");
}

/**
 * Opens the dataset in `dir`, generating it first unless an earlier complete run left one of
 * the same size and schema. Generation inserts through the storage seam (`insertJsonEachRow` on
 * `llm_calls`), so the materialized view fills `llm_cost_minutely` as it does in production.
 */
export async function openDataset(dir: string, calls: number, days: number): Promise<Dataset> {
  const marker = join(dir, MARKER);
  if (existsSync(marker)) {
    const { insertSeconds, schema, ...shape } = JSON.parse(readFileSync(marker, "utf8")) as DatasetShape & {
      insertSeconds?: number;
      schema?: string;
    };
    if (shape.calls === calls && shape.days === days && schema === schemaOf()) {
      process.stderr.write(`query: reusing ${calls.toLocaleString("en-US")} calls in ${dir}\n`);
      return { db: await openEmbedded(join(dir, "data")), shape, insertSeconds, reused: true };
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = await openEmbedded(join(dir, "data"));
  await migrate(db);
  const today = new Date();
  const shape: DatasetShape = {
    calls,
    days,
    endMs: Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()),
    project: "bench",
  };
  const started = performance.now();
  // chDB inserts on libuv's pool, so the next batch is generated while this one is written.
  let next = generateCalls(shape, 0, Math.min(calls, BATCH_ROWS));
  for (let from = 0; from < calls; from += BATCH_ROWS) {
    const to = Math.min(calls, from + BATCH_ROWS);
    const writing = db.insertJsonEachRow("llm_calls", next);
    if (to < calls) next = generateCalls(shape, to, Math.min(calls, to + BATCH_ROWS));
    await writing;
    const seconds = (performance.now() - started) / 1000;
    const rate = Math.round(to / seconds);
    process.stderr.write(
      `query: inserted ${to.toLocaleString("en-US")} / ${calls.toLocaleString("en-US")} calls ` +
        `(${rate.toLocaleString("en-US")}/s, ${seconds.toFixed(0)} s)\n`,
    );
  }
  const insertSeconds = (performance.now() - started) / 1000;
  writeFileSync(marker, `${JSON.stringify({ ...shape, insertSeconds, schema: schemaOf() })}\n`);
  return { db, shape, insertSeconds, reused: false };
}

/** Waits (up to `timeoutMs`) for background merges to finish, so runs compare like with like. */
export async function settleMerges(db: ClickHouse, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const [row] = await db.query<{ n: number }>({
      query: "SELECT count() AS n FROM system.merges",
      params: {},
    });
    if (Number(row?.n ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return (performance.now() - started) / 1000;
}
