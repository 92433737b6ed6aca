import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import {
  type ApiKey,
  createPriceBook,
  type Decision,
  type DetectionConfigInput,
  DetectionEngine,
  type PriceBook,
} from "@burnrate/core";
import type { ClickHouse } from "@burnrate/storage";
import type { CollectorConfig } from "./config.js";
import { DecisionHub } from "./decisions/hub.js";
import { IncidentWriter } from "./decisions/incidents.js";
import { restoreDecisions } from "./decisions/restore.js";
import { createDecisionStream } from "./decisions/stream.js";
import { WebhookDispatcher } from "./decisions/webhooks.js";
import { BudgetSync } from "./detection/budget-sync.js";
import { createMetrics } from "./metrics.js";
import { createPipeline } from "./pipeline/pipeline.js";
import type { ProcessorContext } from "./pipeline/processor.js";
import { loadPriceOverrides } from "./price-overrides.js";
import { dedupeProcessor } from "./processors/dedupe.js";
import { detectProcessor } from "./processors/detect.js";
import { normaliseProcessor } from "./processors/normalise.js";
import { priceProcessor } from "./processors/price.js";
import { createAuthenticator } from "./receiver/auth.js";
import { sendJson } from "./receiver/respond.js";
import { createTracesReceiver } from "./receiver/traces.js";
import { Spool } from "./spool/spool.js";
import { type Logger, Writer } from "./writer/writer.js";

export interface CollectorOptions {
  db: ClickHouse;
  config: CollectorConfig;
  keys?: readonly ApiKey[];
  log?: Logger;
}

/** The collector: an HTTP request listener plus what must be flushed when it stops. */
export interface Collector {
  handle(req: IncomingMessage, res: ServerResponse): void;
  readonly priceBook: PriceBook;
  /** Where decisions are published: SSE subscribers, webhooks and the incidents table. */
  readonly decisions: DecisionHub;
  /** Bytes waiting in the spool for storage. */
  spoolBytes(): number;
  /** Flushes everything accepted into storage (within the drain timeout) and stops. */
  close(): Promise<void>;
}

const stderrLog: Logger = {
  info: (m) => process.stderr.write(`${m}\n`),
  warn: (m) => process.stderr.write(`${m}\n`),
  error: (m) => process.stderr.write(`${m}\n`),
};

/**
 * Creates the collector: receiver → normalise → dedupe → price → spool → detect, and spool → writer.
 * Any spool left by an earlier process is replayed before new data, because the writer
 * reads the spool in order. Listening is the caller's job.
 */
export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const { db, config } = options;
  const log = options.log ?? stderrLog;
  const metrics = createMetrics();
  const overrides = config.pricing.overridesFile
    ? loadPriceOverrides(config.pricing.overridesFile)
    : undefined;
  const priceBook = createPriceBook(overrides ? { overrides } : {});
  const context: ProcessorContext = { metrics };
  const hub = new DecisionHub();
  await restoreDecisions(db, hub, log);
  // A run's kill lasts as long as its decision: a run that loops on after that is killed again.
  const engine = new DetectionEngine({
    killRenewSeconds: config.detection.ttlSeconds.kill,
    ...config.detection.detectors,
  } as DetectionConfigInput);
  const publish = (decision: Decision) => {
    hub.publish(decision);
    metrics.decisions.inc({ detector: decision.detector, action: decision.action });
  };
  const budgets = new BudgetSync(db, engine, log, config.detection.budgetPollSeconds, {
    publish,
    ttlSeconds: config.detection.ttlSeconds,
  });
  await budgets
    .start()
    .catch((error: Error) =>
      log.warn(`burnrate: budgets not loaded yet (${error.message}); retrying while storage is unreachable`),
    );
  const pipeline = createPipeline(
    [
      { name: normaliseProcessor.name, process: normaliseProcessor.create({}, context) },
      { name: dedupeProcessor.name, process: dedupeProcessor.create(config.dedupe, context) },
      { name: priceProcessor.name, process: priceProcessor.create({ priceBook }, context) },
      {
        name: detectProcessor.name,
        process: detectProcessor.create(
          { engine, publish: (decision) => hub.publish(decision), ttlSeconds: config.detection.ttlSeconds },
          context,
        ),
      },
    ],
    metrics,
  );
  const spool = await Spool.open({
    dir: config.spool.dir,
    maxBytes: config.spool.maxBytes,
    segmentBytes: Math.min(config.spool.segmentBytes, Math.max(1, Math.floor(config.spool.maxBytes / 8))),
    onSetAside: (message) => log.error(message),
  });
  if (spool.unreadBytes > 0) log.info(`burnrate: replaying ${spool.unreadBytes} bytes left in the spool`);
  metrics.spoolBytes.set(spool.bytes);
  const writer = new Writer(db, spool, config.writer, metrics, log, join(config.spool.dir, "dead-letter"));
  writer.start();

  // Row versions order rewrites of the same span; a reprice writes a higher one.
  let lastVersion = 0n;
  const version = () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    lastVersion = now > lastVersion ? now : lastVersion + 1n;
    return lastVersion;
  };
  const authenticate = createAuthenticator(options.keys ?? []);
  const traces = createTracesReceiver(
    { ...config.receiver, spoolFullRetryAfterSeconds: 5 },
    { authenticate, pipeline, spool, metrics, version, log },
  );
  const incidents = new IncidentWriter(db, log);
  const webhooks = new WebhookDispatcher(config.decisions.webhooks, { log, metrics });
  hub.onPublish((decision) => incidents.add(decision));
  hub.onPublish((decision) => webhooks.publish(decision));
  const decisionStream = createDecisionStream(config.decisions, { hub, authenticate });

  return {
    priceBook,
    decisions: hub,
    spoolBytes: () => spool.bytes,
    handle(req, res) {
      const path = (req.url ?? "/").split("?")[0];
      const route = `${req.method} ${path}`;
      const done = (promise: Promise<void>) =>
        promise.catch((error: Error) => {
          log.error(`burnrate: unexpected error on ${route}: ${error.stack ?? error.message}`);
          if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
          else res.destroy();
        });
      if (route === "POST /v1/traces") return void done(traces(req, res));
      if (route === "GET /v1/decisions/stream") return decisionStream(req, res);
      if (route === "GET /metrics") {
        return void done(
          metrics.registry.metrics().then((text) => {
            res.writeHead(200, { "content-type": metrics.registry.contentType });
            res.end(text);
          }),
        );
      }
      if (route === "GET /healthz") {
        return void done(
          db.ping().then(
            () => sendJson(res, 200, { status: "ok" }),
            (error: Error) => sendJson(res, 503, { status: "unavailable", error: error.message }),
          ),
        );
      }
      sendJson(res, 404, { error: `no route for ${route}` });
    },
    async close() {
      hub.endStreams();
      await budgets.stop();
      await writer.close(config.writer.drainTimeoutMs);
      await spool.close();
      await incidents.flush();
      await webhooks.drain(1_000);
      await webhooks.close();
    },
  };
}
