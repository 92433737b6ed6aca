import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** OTEL_SERVICE_NAME, else the name in the app's nearest package.json, else "unknown_service:node". */
export function serviceName(): string {
  if (process.env.OTEL_SERVICE_NAME) return process.env.OTEL_SERVICE_NAME;
  let dir = process.argv[1] ? dirname(process.argv[1]) : process.cwd();
  for (let i = 0; i < 20; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      try {
        const name = (JSON.parse(readFileSync(file, "utf8")) as { name?: string }).name;
        if (name) return name;
      } catch {
        // An unreadable package.json names nothing.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return "unknown_service:node";
}
