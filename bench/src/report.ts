import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

/** `bench/results/`: one committed JSON file per benchmark, so a diff shows a regression. */
export const RESULTS_DIR: string = fileURLToPath(new URL("../results/", import.meta.url));

/** Where CPU profiles go; git ignores it, because profiles are large and machine-specific. */
export const PROFILES_DIR: string = `${RESULTS_DIR}profiles/`;

export type Cell = string | number;

/**
 * Prints rows under a header with aligned columns: the first column left-aligned (labels),
 * the rest right-aligned (figures). Numbers are grouped by thousands.
 * @example printTable(["metric", "value"], [["spans/s", 51234]]);
 */
export function printTable(header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const text = [header, ...rows].map((row) => row.map((cell) => formatCell(cell)));
  const widths = header.map((_, i) => Math.max(...text.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  console.log(line(text[0]!));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of text.slice(1)) console.log(line(row));
}

function formatCell(cell: Cell): string {
  if (typeof cell === "string") return cell;
  return cell.toLocaleString("en-US", { maximumFractionDigits: Number.isInteger(cell) ? 0 : 1 });
}

/** Rounds for a results file: enough digits to compare runs, not float noise. */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** What the figures were measured on; throughput means little without it. */
export function machine() {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model ?? "unknown",
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * CPU seconds the whole machine has spent busy (all cores, every process) since boot, from
 * /proc/stat; 0 where there is none. Comparing it with a benchmark's own processes shows whether
 * something else was competing for the cores during a run.
 */
export function machineBusySeconds(): number {
  try {
    const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
    // 100 ticks per second on every mainstream Linux build; idle and iowait are not busy.
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
  } catch {
    return 0;
  }
}

/**
 * Writes `<dir>/<name>.json` (pretty, with `machine` and `timestamp` added) through a
 * temporary file, so an interrupted run never leaves half a result behind.
 */
export function writeResults(name: string, results: Record<string, unknown>, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${name}.json`;
  const document = { benchmark: name, ...results, machine: machine(), timestamp: new Date().toISOString() };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(document, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * Prints a progress line on stderr every `intervalMs` until stopped, so a long run shows it
 * is alive. `render` gets the seconds elapsed since the start.
 */
export function startProgress(render: (elapsedSeconds: number) => string, intervalMs = 1_000): () => void {
  const started = performance.now();
  const timer = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    process.stderr.write(`[${elapsed.toFixed(1).padStart(5)} s] ${render(elapsed)}\n`);
  }, intervalMs);
  return () => clearInterval(timer);
}

/** A command-line mistake; the dispatcher prints it with the benchmark's usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Reads a positive whole-number option, naming the option when it is not one. */
export function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`--${name} must be a positive whole number, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}
