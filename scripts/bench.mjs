// `npm run bench -- <name> [options]`: builds what is missing or stale (tsc -b is incremental,
// and the benchmarks run the built CLI), then runs benchmark <name> from bench/dist.
// With no name it lists the benchmarks; `npm run bench -- <name> --help` shows a benchmark's options.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;
if (!existsSync(tsc)) {
  console.error("bench: TypeScript is not installed; run `npm ci` first");
  process.exit(1);
}
const build = spawnSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  console.error("bench: the build failed (see above); fix it or run `npm run build` for details");
  process.exit(1);
}

const { BENCHMARKS } = await import("../bench/dist/benchmarks.js");
const { UsageError } = await import("../bench/dist/report.js");
const [name, ...args] = process.argv.slice(2);
const list = () => BENCHMARKS.map((b) => `  ${b.name.padEnd(12)} ${b.summary}`).join("\n");

if (name === undefined || name === "--help" || name === "-h") {
  console.log(`Usage: npm run bench -- <name> [options]\n\nBenchmarks:\n${list()}`);
  console.log("\nResults go to bench/results/<name>.json; `npm run bench -- <name> --help` shows options.");
  process.exit(0);
}
const benchmark = BENCHMARKS.find((b) => b.name === name);
if (!benchmark) {
  console.error(`bench: there is no benchmark named "${name}". Available:\n${list()}`);
  process.exit(2);
}
const module = await benchmark.load();
try {
  process.exit(await module.run(args));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`bench ${name}: ${error.message}\n\n${module.USAGE ?? ""}`.trimEnd());
    process.exit(2);
  }
  console.error(`bench ${name}: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  process.exit(1);
}
