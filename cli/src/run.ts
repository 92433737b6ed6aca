import { readFileSync } from "node:fs";
import type { Command } from "./commands/command.js";
import { demoCommand } from "./commands/demo.js";
import { migrateCommand } from "./commands/migrate.js";
import { repriceCommand } from "./commands/reprice.js";
import { startCommand } from "./commands/start.js";
import { consoleOutput, type Output } from "./output.js";

const COMMANDS: Command[] = [startCommand, migrateCommand, repriceCommand, demoCommand];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: burnrate <command> [options]

Cost tracing and runaway-loop circuit breakers for LLM agents.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join("\n")}

Run \`burnrate <command> --help\` for a command's options.`;
}

/**
 * Runs the CLI and resolves with the exit code. Errors print as one line naming the
 * problem; `--debug` adds the stack trace.
 */
export async function run(argv: string[], out: Output = consoleOutput): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    out.info(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-v") {
    out.info(version());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    out.error(`burnrate: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    out.info(command.help);
    return 0;
  }
  try {
    return await command.run(args, out);
  } catch (error) {
    const err = error as Error;
    if (isUsageError(err)) {
      out.error(`burnrate ${name}: ${err.message}\nRun \`burnrate ${name} --help\` for usage.`);
      return 2;
    }
    out.error(`burnrate: ${err.message}`);
    if (args.includes("--debug")) out.error(err.stack ?? String(err));
    return 1;
  }
}

function isUsageError(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS") ?? false;
}
