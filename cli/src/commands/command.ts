import type { Output } from "../output.js";

/** One `burnrate` subcommand. */
export interface Command {
  name: string;
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Runs the command and resolves with its exit code. */
  run(args: string[], out: Output): Promise<number>;
}

/** Options every command takes. */
export const COMMON_OPTIONS = `Options:
  -c, --config <file>   YAML config file (default: ./burnrate.yaml if present, or $BURNRATE_CONFIG)
      --debug           print stack traces on errors
  -h, --help            show this help`;
