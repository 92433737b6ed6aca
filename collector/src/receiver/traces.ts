import type { IncomingMessage, ServerResponse } from "node:http";
import type { CollectorMetrics } from "../metrics.js";
import {
  decodeJsonTraces,
  decodeProtobufTraces,
  encodeExportResponse,
  OtlpDecodeError,
} from "../otlp/index.js";
import type { Pipeline } from "../pipeline/pipeline.js";
import type { Spool } from "../spool/spool.js";
import { SpoolFullError } from "../spool/spool.js";
import { encodeRecord } from "../writer/rows.js";
import type { Logger } from "../writer/writer.js";
import type { Authenticate } from "./auth.js";
import { readBody } from "./body.js";
import { HttpError } from "./http-error.js";
import { type Format, sendStatus } from "./respond.js";

export interface TracesReceiverOptions {
  maxBodyBytes: number;
  maxAttributesPerSpan: number;
  maxConcurrentRequests: number;
  /** Seconds a client is told to wait when the spool is full. */
  spoolFullRetryAfterSeconds: number;
}

/**
 * POST /v1/traces, as the OTLP/HTTP specification describes: protobuf or JSON in, the same
 * format out. A batch is answered 200 only once it is fsync'd into the spool, so nothing
 * acknowledged can be lost; when the spool is full the answer is 503 with Retry-After and
 * the exporter keeps the batch.
 */
export function createTracesReceiver(
  options: TracesReceiverOptions,
  deps: {
    authenticate: Authenticate;
    pipeline: Pipeline;
    spool: Spool;
    metrics: CollectorMetrics;
    version: () => bigint;
    log: Pick<Logger, "error">;
  },
) {
  let inFlight = 0;
  // A failing disk fails every request alike: its error is logged when it first appears.
  let lastSpoolError: string | undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const format = formatOf(req.headers["content-type"]);
    if (!format) {
      return sendStatus(
        res,
        "json",
        415,
        "unsupported Content-Type; send application/x-protobuf or application/json",
      );
    }
    if (inFlight >= options.maxConcurrentRequests) {
      return sendStatus(res, format, 429, "too many export requests in flight; retry shortly", {
        "retry-after": "1",
      });
    }
    inFlight++;
    try {
      const projectId = deps.authenticate(req, ["ingest"]);
      const body = await readBody(req, options.maxBodyBytes);
      if (deps.spool.wouldOverflow(body.length)) throw spoolFull(options);
      const decodeOptions = { maxAttributesPerSpan: options.maxAttributesPerSpan };
      const decoded =
        format === "protobuf"
          ? decodeProtobufTraces(body, decodeOptions)
          : decodeJsonTraces(body.toString("utf8"), decodeOptions);
      deps.metrics.spansReceived.inc(decoded.spans.length + decoded.rejectedSpans);
      deps.metrics.spansRejected.inc(decoded.rejectedSpans);
      const batch = deps.pipeline.process({ projectId, spans: decoded.spans, calls: [] });
      if (batch.spans.length > 0) {
        try {
          await deps.spool.append(encodeRecord(batch, deps.version()));
        } catch (error) {
          deps.pipeline.rollback(batch);
          if (error instanceof SpoolFullError) throw spoolFull(options);
          const message = (error as Error).message;
          if (message !== lastSpoolError) deps.log.error(`burnrate: could not spool a batch: ${message}`);
          lastSpoolError = message;
          throw spoolFailed(message);
        }
        lastSpoolError = undefined;
        // Only now, with the batch safe on disk: a refused batch is retried by the exporter
        // and must not be counted by detection twice. The batch is accepted whatever happens here.
        try {
          deps.pipeline.accept(batch);
        } catch (error) {
          deps.log.error(`burnrate: detection failed on an accepted batch: ${(error as Error).stack}`);
        }
      }
      deps.metrics.spansAccepted.inc(decoded.spans.length);
      deps.metrics.spoolBytes.set(deps.spool.bytes);
      const partial =
        decoded.rejectedSpans > 0
          ? { rejectedSpans: decoded.rejectedSpans, errorMessage: decoded.rejectionMessages.join("; ") }
          : undefined;
      deps.metrics.requests.inc({ status: "200" });
      send(res, format, 200, encodeExportResponse(format, partial));
    } catch (error) {
      const known =
        error instanceof HttpError
          ? error
          : error instanceof OtlpDecodeError
            ? new HttpError(400, error.message)
            : undefined;
      if (!known) {
        // The exporter hung up before its body arrived: nothing was accepted, and there is no
        // one left to answer. Not a collector error, so it is only counted.
        if (req.destroyed && (error as NodeJS.ErrnoException).code === "ECONNRESET") {
          deps.metrics.requests.inc({ status: "aborted" });
          return;
        }
        throw error;
      }
      deps.metrics.requests.inc({ status: String(known.status) });
      // The rest of an oversized body is not worth reading; close the connection instead.
      if (known.status === 413) res.setHeader("connection", "close");
      sendStatus(res, format, known.status, known.message, known.headers);
      if (known.status === 413) req.destroy();
    } finally {
      inFlight--;
    }
  };
}

/**
 * The spool could not take the batch for another reason (a disk error, the collector
 * closing). The batch is not the client's fault and nothing of it was kept, so the answer is
 * 503, which OTLP exporters retry, rather than a 500 they would drop the batch on.
 */
function spoolFailed(message: string): HttpError {
  return new HttpError(503, `the collector could not spool the batch (${message}); retry later`, {
    "retry-after": "1",
  });
}

function spoolFull(options: TracesReceiverOptions): HttpError {
  return new HttpError(503, "the collector's spool is full because storage is not keeping up; retry later", {
    "retry-after": String(options.spoolFullRetryAfterSeconds),
  });
}

function formatOf(contentType: string | undefined): Format | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  return undefined;
}

function send(res: ServerResponse, format: Format, status: number, body: Uint8Array | string): void {
  res.writeHead(status, {
    "content-type": format === "protobuf" ? "application/x-protobuf" : "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
