import type { IncomingMessage, ServerResponse } from "node:http";
import type { CollectorMetrics } from "../metrics.js";
import {
  type DecodedTraces,
  decodeJsonTraces,
  decodeProtobufTraces,
  encodeExportResponse,
  OtlpDecodeError,
} from "../otlp/index.js";
import { MAX_REJECTION_MESSAGES } from "../otlp/validate.js";
import type { Batch } from "../pipeline/batch.js";
import type { Pipeline } from "../pipeline/pipeline.js";
import type { Spool } from "../spool/spool.js";
import { RecordLargerThanSpoolError, SpoolFullError } from "../spool/spool.js";
import { encodeRecord, RecordTooLargeError } from "../writer/rows.js";
import type { Logger } from "../writer/writer.js";
import type { Authenticate } from "./auth.js";
import { readBody } from "./body.js";
import { HttpError } from "./http-error.js";
import { copyNotSpooled, internalError, spoolFailed, spoolFull } from "./refusals.js";
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
 * the exporter keeps the batch. Every refusal undoes what the pipeline remembered of the
 * batch, so the exporter's retry is processed afresh rather than taken for a duplicate.
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
  // A failing disk fails every request alike, and a defect every span alike: each distinct
  // message is logged when it first appears.
  let lastSpoolError: string | undefined;
  let lastDefect: string | undefined;

  /** Spools the batch and runs the stages' `accept`; on any failure, rolls it back and throws. */
  async function spoolBatch(batch: Batch): Promise<void> {
    if (batch.spans.length > 0) {
      let record: Buffer;
      try {
        record = encodeRecord(batch, deps.version());
      } catch (error) {
        deps.pipeline.rollback(batch);
        // Too large to spool, however often it is sent: 413, which OTLP exporters do not retry.
        if (error instanceof RecordTooLargeError) throw new HttpError(413, error.message);
        throw error; // a defect, not the spool's doing: answered 500
      }
      try {
        await deps.spool.append(record);
      } catch (error) {
        deps.pipeline.rollback(batch);
        if (error instanceof RecordLargerThanSpoolError) throw new HttpError(413, error.message);
        if (error instanceof SpoolFullError) throw spoolFull(options.spoolFullRetryAfterSeconds);
        const message = (error as Error).message;
        if (message !== lastSpoolError) deps.log.error(`burnrate: could not spool a batch: ${message}`);
        lastSpoolError = message;
        throw spoolFailed(message);
      }
      lastSpoolError = undefined;
    }
    // Only now, with the batch safe on disk: a refused batch is retried by the exporter
    // and must not be counted by detection twice. The batch is accepted whatever happens here.
    try {
      deps.pipeline.accept(batch);
    } catch (error) {
      deps.log.error(`burnrate: detection failed on an accepted batch: ${(error as Error).stack}`);
    }
  }

  /** Logs the first of a batch's defect rejections, with its stack, unless it was the last one logged. */
  function logDefects(batch: Batch): void {
    const first = batch.rejected[0];
    if (!first || first.reason === lastDefect) return;
    lastDefect = first.reason;
    const detail = first.error instanceof Error ? first.error.stack : String(first.error);
    deps.log.error(`burnrate: rejected ${batch.rejected.length} span(s) it could not process: ${detail}`);
  }

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
      // Shed load early while the spool is full; a body larger than the whole spool goes on, for
      // the append to refuse with 413 if its record can never fit, instead of a 503 for ever.
      if (body.length <= deps.spool.capacity && deps.spool.wouldOverflow(body.length))
        throw spoolFull(options.spoolFullRetryAfterSeconds);
      const decodeOptions = { maxAttributesPerSpan: options.maxAttributesPerSpan };
      const decoded =
        format === "protobuf"
          ? decodeProtobufTraces(body, decodeOptions)
          : decodeJsonTraces(body.toString("utf8"), decodeOptions);
      deps.metrics.spansReceived.inc(decoded.spans.length + decoded.rejectedSpans);
      deps.metrics.spansRejected.inc(decoded.rejectedSpans);
      const batch = deps.pipeline.process({ projectId, spans: decoded.spans });
      deps.metrics.spansRejected.inc(batch.rejected.length);
      logDefects(batch);
      await spoolBatch(batch);
      // Copies of spans another request is spooling were dropped here; this answer covers them.
      for (const other of batch.awaiting) if (!(await other.wait())) throw copyNotSpooled();
      deps.metrics.spansAccepted.inc(decoded.spans.length - batch.rejected.length);
      deps.metrics.spoolBytes.set(deps.spool.bytes);
      deps.metrics.requests.inc({ status: "200" });
      send(res, format, 200, encodeExportResponse(format, partialSuccess(decoded, batch)));
    } catch (error) {
      let known =
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
        deps.log.error(`burnrate: could not process an export request: ${(error as Error).stack ?? error}`);
        known = internalError();
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

/** The spans the decoder and the pipeline rejected, as OTLP partial success; undefined when none. */
function partialSuccess(decoded: DecodedTraces, batch: Batch) {
  const rejectedSpans = decoded.rejectedSpans + batch.rejected.length;
  if (rejectedSpans === 0) return undefined;
  const messages = decoded.rejectionMessages.slice(0, MAX_REJECTION_MESSAGES);
  for (const { span, reason } of batch.rejected) {
    if (messages.length >= MAX_REJECTION_MESSAGES) break;
    messages.push(`span ${span.traceId}/${span.spanId} ${reason}`);
  }
  return { rejectedSpans, errorMessage: messages.join("; ") };
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
