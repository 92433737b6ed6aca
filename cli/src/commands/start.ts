import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createCollector } from "@burnrate/collector";
import { createQueryApi } from "@burnrate/query-api";
import { openStorage, withOutageSwitch } from "@burnrate/storage";
import { type Config, loadConfig } from "../config.js";
import { describeStorage } from "../describe.js";
import { type Listening, listen } from "../listen.js";
import type { Output } from "../output.js";
import { assertDataDirFree, assertSpoolWritable } from "../preflight.js";
import { COMMON_OPTIONS, type Command } from "./command.js";

/**
 * How long a clean shutdown may take beyond the writer's drain (collector.writer.drainTimeoutMs)
 * before the process gives up and exits non-zero: closing the servers, the incidents and the
 * webhooks' last second. What is not written by then stays in the spool for the next start.
 */
const SHUTDOWN_MARGIN_MS = 1_500;

/** The longest a clean shutdown of `startAll`'s stack may take with this configuration. */
export function shutdownDeadlineMs(config: Config): number {
  return config.collector.writer.drainTimeoutMs + SHUTDOWN_MARGIN_MS;
}

export const startCommand: Command = {
  name: "start",
  summary: "run the collector (OTLP in) and the query API in one process",
  help: `Usage: burnrate start [options]

Opens the store (embedded chDB in ./.burnrate/data by default, or the ClickHouse server at
BURNRATE_CLICKHOUSE_URL), applies migrations, then serves:
  OTLP/HTTP receiver      http://127.0.0.1:4318   (BURNRATE_OTLP_PORT)
  query API               http://127.0.0.1:4320   (BURNRATE_API_PORT)
Ctrl-C or SIGTERM stops it after flushing everything accepted.

${COMMON_OPTIONS}`,
  async run(args, out) {
    const { values } = parseArgs({
      args,
      options: { config: { type: "string", short: "c" }, debug: { type: "boolean" } },
    });
    const { config, file } = loadConfig({ file: values.config, warn: out.error });
    const running = await startAll(config, out, "start");
    out.info("");
    out.info("Burnrate is running");
    out.info(`  OTLP endpoint   ${running.otlp.url}   (point OTEL_EXPORTER_OTLP_ENDPOINT here)`);
    out.info(`  Query API       ${running.api.url}`);
    out.info(`  API docs        ${running.api.url}/openapi.json`);
    out.info(`  Storage         ${describeStorage(running.db)}`);
    out.info(`  Spool           ${resolve(config.collector.spool.dir)}`);
    if (file) out.info(`  Config          ${file}`);
    out.info("Press Ctrl-C to stop.");
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        out.info(`\nburnrate: ${signal} received, flushing and stopping…`);
        const deadlineMs = shutdownDeadlineMs(config);
        const deadline = setTimeout(() => {
          out.error(
            `burnrate: shutdown took longer than ${deadlineMs} ms; exiting anyway (what was accepted and not written stays in the spool)`,
          );
          resolve(1);
        }, deadlineMs);
        deadline.unref();
        running.stop().then(
          () => {
            clearTimeout(deadline);
            out.info("burnrate: stopped cleanly");
            resolve(0);
          },
          (error: Error) => {
            clearTimeout(deadline);
            out.error(`burnrate: error while stopping: ${error.message}`);
            resolve(1);
          },
        );
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
};

/** The collector and query API serving in this process, as `burnrate start` runs them. */
export interface Running {
  db: Awaited<ReturnType<typeof openStorage>>;
  otlp: Listening;
  api: Listening;
  stop(): Promise<void>;
}

/**
 * Opens the store (applying migrations), then serves the collector and the query API on the
 * configured host and ports. Shared with `burnrate demo`, which starts the same stack when
 * none is running; `command` is the one an error tells the user to run again. `stop()` stops
 * taking spans, flushes what was accepted, then closes storage.
 */
export async function startAll(
  config: ReturnType<typeof loadConfig>["config"],
  out: Output,
  command: "start" | "demo",
): Promise<Running> {
  // Both checked before the store opens, so neither leaves a half-started stack to undo.
  assertSpoolWritable(config.collector.spool);
  assertDataDirFree(config.storage, command);
  out.info(
    config.storage.clickhouse.url
      ? `burnrate: connecting to ClickHouse and applying migrations…`
      : `burnrate: opening embedded chDB and applying migrations…`,
  );
  const opened = await openStorage(config.storage, (line) => out.error(line));
  // Fault tests only: lets a test take storage away from this running process.
  const outageFile = process.env.BURNRATE_TEST_STORAGE_OUTAGE_FILE;
  const db = outageFile ? withOutageSwitch(opened, outageFile) : opened;
  let collector: Awaited<ReturnType<typeof createCollector>>;
  try {
    collector = await createCollector({ db, config: config.collector, keys: config.auth.keys });
  } catch (error) {
    await db.close();
    throw error;
  }
  // The API prices quotes and what-ifs with the collector's book, overrides included.
  const api = createQueryApi({ db, keys: config.auth.keys, priceBook: collector.priceBook });
  let otlp: Listening | undefined;
  try {
    otlp = await listen(
      (req, res) => collector.handle(req, res),
      config.server.host,
      config.server.otlpPort,
      "OTLP receiver",
    );
    const apiServer = await listen(api, config.server.host, config.server.apiPort, "query API");
    return {
      db,
      otlp,
      api: apiServer,
      async stop() {
        // Stop taking spans first, then flush what was accepted, then close storage. Open
        // decision streams would hold the OTLP server's close() forever: they end first.
        collector.decisions.endStreams();
        await Promise.all([otlp!.close(), apiServer.close()]);
        await collector.close();
        await db.close();
      },
    };
  } catch (error) {
    await otlp?.close();
    await collector.close();
    await db.close();
    throw error;
  }
}
