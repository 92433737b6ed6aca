// `npm start`: builds what is missing or stale (tsc -b is incremental), then runs
// `burnrate start` in this same process, so Ctrl-C and SIGTERM reach it directly.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;
if (existsSync(tsc)) {
  const build = spawnSync(process.execPath, [tsc, "-b"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) {
    console.error("burnrate: the build failed (see above); fix it or run `npm run build` for details");
    process.exit(1);
  }
} else if (!existsSync(`${root}cli/dist/main.js`)) {
  console.error("burnrate: cli/dist is missing and TypeScript is not installed; run `npm ci` first");
  process.exit(1);
}

const { run } = await import("../cli/dist/run.js");
process.exit(await run(["start", ...process.argv.slice(2)]));
