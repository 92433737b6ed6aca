import { resolve } from "node:path";
import type { Config } from "../config.js";
import type { Output } from "../output.js";
import { type DemoCosts, formatDollars } from "./costs.js";
import { INCIDENT_DAYS } from "./script.js";
import type { LoopOutcome } from "./session.js";
import type { DemoStack } from "./stack.js";

/**
 * Prints what the kill saved and where to look at it. The saving is the loop's own burn rate
 * carried on for as long as the real incident ran, and it says so: it is an extrapolation.
 */
export function printSummary(
  out: Output,
  {
    outcome,
    costs,
    stack,
    config,
  }: { outcome: LoopOutcome; costs: DemoCosts; stack: DemoStack; config: Config },
): void {
  const loop = costs.loop();
  out.info("");
  if (loop) {
    out.info(
      `The collector stopped the loop after ${loop.turns} ping-pong turns (${formatDollars(loop.cost)}); ` +
        `both tickets cost ${formatDollars(costs.total)} in all.`,
    );
    out.info(
      `  Burn rate   ${formatDollars(loop.perMinute)} a minute while the agents ping-ponged ` +
        `(${loop.turns} calls in ${(loop.elapsedMs / 1000).toFixed(1)} s)`,
    );
    out.info(
      `  Cost saved  at this rate the loop would have cost ${formatDollars(loop.over(INCIDENT_DAYS))} over ` +
        `${INCIDENT_DAYS} days, as long as the $47k incident ran (an extrapolation from this run, not a measurement)`,
    );
  }
  const id = outcome.kill.id;
  out.info("");
  out.info("Where to look");
  out.info(`  Incident    ${stack.apiUrl}/v1/incidents/${id}`);
  if (outcome.traceId) out.info(`  Trace       ${stack.apiUrl}/v1/traces/${outcome.traceId}`);
  out.info(`  API docs    ${stack.apiUrl}/openapi.json`);
  if (config.auth.keys.length > 0)
    out.info("              (the API wants a read key: Authorization: Bearer <key>)");
  out.info(
    `  SQL         SELECT created_at, detector, action, reason FROM incidents FINAL WHERE id = '${id}'`,
  );
  out.info(`              ${whereToRunSql(config, stack.startedHere)}`);
  if (stack.startedHere) {
    out.info("");
    out.info("The demo's collector and query API stop now; run `burnrate start` to look around afterwards.");
  }
}

function whereToRunSql(config: Config, startedHere: boolean): string {
  const server = config.storage.clickhouse.url;
  if (server) return `(clickhouse client against ${server}, database ${config.storage.clickhouse.database})`;
  // A collector that was already running may use another data directory than this config says.
  const dir = startedHere ? resolve(config.storage.dataDir) : "the data directory `burnrate start` printed";
  return `(ClickHouse, or chDB on ${dir}, once no burnrate process holds it open)`;
}
