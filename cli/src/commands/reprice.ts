import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadPriceOverrides } from "@burnrate/collector";
import { createPriceBook } from "@burnrate/core";
import {
  appliedVersions,
  type ClickHouse,
  openClickHouse,
  type RepriceReport,
  reprice,
  type StorageQueryError,
} from "@burnrate/storage";
import { z } from "zod";
import { loadConfig } from "../config.js";
import { describeStorage } from "../describe.js";
import type { Output } from "../output.js";
import { assertDataDirFree } from "../preflight.js";
import { COMMON_OPTIONS, type Command } from "./command.js";

/**
 * The migrations a reprice needs: `llm_calls` and the cost rollup (3), `rollup_repairs` (6),
 * and the counts it reads and writes back: one-hour cache writes (7), audio tokens and web
 * searches (8).
 */
const NEEDED_MIGRATIONS = [3, 6, 7, 8];
/** How often progress is printed when stderr is not a terminal. */
const PLAIN_PROGRESS_EVERY_MS = 5_000;

/**
 * `burnrate reprice`: recomputes stored costs after a price change (a new genai-prices version
 * or an edited overrides file) and rebuilds the cost rollup for the minutes it touched.
 *
 * Calls the collector writes into those minutes while a reprice runs may be counted wrongly in
 * the rollup (the rebuild and the view's sums race), so ranges should end a few minutes before
 * now. In embedded mode the data directory opens in one process only: stop `burnrate start` first.
 */
export const repriceCommand: Command = {
  name: "reprice",
  summary: "recompute stored costs for a time range after a price change",
  help: `Usage: burnrate reprice --from <time> --to <time> [options]

Prices the LLM calls that started in [--from, --to) again with the current price data (the
bundled genai-prices version and collector.pricing.overridesFile), rewrites the calls whose
cost changed and rebuilds the per-minute cost rollup for the minutes they fall in.
Provider-reported costs are kept as they are. Times are UTC.

  --from <time>      start of the range, inclusive: an ISO date or date-time, e.g.
                     2026-11-01, 2026-11-01T09:30 or 2026-11-01T09:30:00Z
  --to <time>        end of the range, exclusive; must be after --from
  --model <name>     only calls whose request or response model is <name>
  --project <id>     only calls of this project
  --dry-run          compute and report, but write nothing

Calls the collector writes into the repriced minutes while this runs may be counted wrongly
in the rollup, so end the range a few minutes before now. Embedded chDB lets one process
open the data directory at a time: stop \`burnrate start\` first (a ClickHouse server has no
such limit).

${COMMON_OPTIONS}`,
  async run(args, out) {
    const { values } = parseArgs({
      args,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        model: { type: "string" },
        project: { type: "string" },
        "dry-run": { type: "boolean" },
        config: { type: "string", short: "c" },
        debug: { type: "boolean" },
      },
    });
    const range = parseRange(values);
    if (typeof range === "string") {
      out.error(`burnrate reprice: ${range}`);
      return 2;
    }
    const { config } = loadConfig({ file: values.config, warn: out.error });
    const overridesFile = config.collector.pricing.overridesFile;
    const book = createPriceBook(overridesFile ? { overrides: loadPriceOverrides(overridesFile) } : {});
    assertDataDirFree(config.storage, "reprice");
    const db = await openClickHouse(config.storage);
    try {
      await assertSchema(db);
      const prices = `${book.version}${overridesFile ? ` and overrides from ${resolve(overridesFile)}` : ""}`;
      out.error(`reprice: ${describeStorage(db)}; prices ${prices}`);
      const progress = new ProgressPrinter(out);
      const report = await reprice(db, book, {
        ...range,
        ...(values.model === undefined ? {} : { model: values.model }),
        ...(values.project === undefined ? {} : { project: values.project }),
        dryRun: values["dry-run"] === true,
        onProgress: (p) => progress.update(p),
      });
      progress.finish();
      out.info(summary(report, range, values["dry-run"] === true));
      return 0;
    } finally {
      await db.close();
    }
  },
};

/** An ISO date or date-time, read as UTC when it names no zone. */
const utcTime = z
  .union([z.iso.date(), z.iso.datetime({ local: true })])
  .transform(
    (text) => new Date(text.length === 10 ? `${text}T00:00:00Z` : text.endsWith("Z") ? text : `${text}Z`),
  );

const optionalName = (option: string) => z.string().min(1, `${option} must not be empty`).optional();

const rangeSchema = z.object({
  from: utcTime.optional(),
  to: utcTime.optional(),
  model: optionalName("--model"),
  project: optionalName("--project"),
});

/** The validated range, or a one-line message naming the bad option. */
function parseRange(values: Record<string, unknown>): { from: Date; to: Date } | string {
  for (const option of ["from", "to"] as const) {
    if (values[option] === undefined) return `--${option} is required, e.g. --${option} 2026-11-01`;
  }
  const result = rangeSchema.safeParse(values);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const option = `--${String(issue.path[0])}`;
    if (option === "--from" || option === "--to") {
      return `${option} must be an ISO date or date-time in UTC, e.g. 2026-11-01 or 2026-11-01T09:30:00Z; got ${JSON.stringify(values[issue.path[0] as string])}`;
    }
    return issue.message;
  }
  const { from, to } = result.data as { from: Date; to: Date };
  if (to.getTime() <= from.getTime()) {
    return `--to (${isoText(to)}) must be after --from (${isoText(from)})`;
  }
  return { from, to };
}

async function assertSchema(db: ClickHouse): Promise<void> {
  // Only a missing migrations table (UNKNOWN_TABLE) means "never migrated"; a connection or
  // permission error is reported as itself.
  const versions = await appliedVersions(db).catch((error: unknown) => {
    if ((error as StorageQueryError).clickhouseCode === 60) return [] as number[];
    throw error;
  });
  if (versions.length === 0) {
    throw new Error(`${describeStorage(db)} holds no Burnrate calls yet; run \`burnrate migrate\` first`);
  }
  if (!NEEDED_MIGRATIONS.every((v) => versions.includes(v))) {
    throw new Error(
      `${describeStorage(db)} needs newer migrations for reprice; run \`burnrate migrate\` first`,
    );
  }
}

/** Prints a bar on a terminal, and a plain line every few seconds (and at the end) elsewhere. */
class ProgressPrinter {
  readonly #started = Date.now();
  readonly #tty = process.stderr.isTTY === true;
  #lastPrinted = Date.now();
  #lastPrintedStep = "";
  #pending: string | undefined;

  constructor(private readonly out: Output) {}

  update(p: { phase: "calls" | "rollup"; done: number; total: number; changed: number }): void {
    const total = Math.max(p.total, p.done);
    const share = total === 0 ? 1 : p.done / total;
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(1);
    const line =
      p.phase === "calls"
        ? `${p.done}/${total} calls (${Math.floor(share * 100)}%), ${p.changed} changed, ${seconds} s`
        : `rebuilding the rollup: ${p.done}/${total} hour windows (${Math.floor(share * 100)}%), ${seconds} s`;
    if (this.#tty) {
      const width = 24;
      const filled = Math.round(share * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${line}\u001b[K`);
      this.#pending = line;
      return;
    }
    // A phase's last line is always printed, so a log shows where each phase ended; the
    // last page can be reported twice (a full page, then an empty one), but prints once.
    const step = `${p.phase} ${p.done}`;
    const due = p.done >= total || Date.now() - this.#lastPrinted >= PLAIN_PROGRESS_EVERY_MS;
    if (due && step !== this.#lastPrintedStep) {
      this.out.error(`reprice: ${line}`);
      this.#lastPrinted = Date.now();
      this.#lastPrintedStep = step;
    }
  }

  finish(): void {
    if (this.#tty && this.#pending !== undefined) process.stderr.write("\n");
  }
}

function summary(report: RepriceReport, range: { from: Date; to: Date }, dryRun: boolean): string {
  const line =
    `repriced ${report.calls} calls from ${isoText(range.from)} to ${isoText(range.to)}: ` +
    `${report.changed} changed, cost before $${dollars(report.costBefore)}, after $${dollars(report.costAfter)} ` +
    `(unpriced before ${report.unpricedBefore}, after ${report.unpricedAfter})`;
  if (dryRun) return `${line}; dry run, nothing written`;
  return report.rollupRepaired > 0
    ? `${line}; first rebuilt ${report.rollupRepaired} rollup minutes an earlier reprice left double-counted`
    : line;
}

function isoText(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}

/** An exact decimal without trailing zeros past the cents: "0.004500000000" → "0.0045". */
function dollars(amount: string): string {
  const [whole, fraction = ""] = amount.split(".");
  return `${whole}.${fraction.replace(/0+$/, "").padEnd(2, "0")}`;
}
