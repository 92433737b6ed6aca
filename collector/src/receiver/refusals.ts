import { HttpError } from "./http-error.js";

/**
 * Why the receiver refuses a batch it has read, when that is not the client's fault. Each
 * refusal is an HttpError; the receiver answers it with a google.rpc.Status body.
 */

/** The spool cannot take the batch now: 503, which OTLP exporters retry after `retryAfterSeconds`. */
export function spoolFull(retryAfterSeconds: number): HttpError {
  return new HttpError(503, "the collector's spool is full because storage is not keeping up; retry later", {
    "retry-after": String(retryAfterSeconds),
  });
}

/**
 * The spool could not take the batch for another reason (a disk error, the collector
 * closing). The batch is not the client's fault and nothing of it was kept, so the answer is
 * 503, which OTLP exporters retry, rather than a 500 they would drop the batch on.
 */
export function spoolFailed(message: string): HttpError {
  return new HttpError(503, `the collector could not spool the batch (${message}); retry later`, {
    "retry-after": "1",
  });
}

/**
 * Some spans of the batch were dropped as copies of spans another request was spooling, and
 * that request's append failed: they are on disk nowhere. 503, so the exporter sends the
 * batch again and they are taken then; its other spans, already spooled, are dropped as
 * duplicates on that retry.
 */
export function copyNotSpooled(): HttpError {
  return new HttpError(
    503,
    "some spans of this request arrived in another export request too, which could not spool them; retry later",
    { "retry-after": "1" },
  );
}

/**
 * An unexpected error (a defect). The cause is logged and not sent: it is the collector's,
 * not the client's. What the pipeline remembered of the batch has been undone, so a resend
 * is taken afresh; 500 tells the exporter that resending this batch will not help.
 */
export function internalError(): HttpError {
  return new HttpError(
    500,
    "the collector failed to process the batch (an internal error, logged); nothing of it was kept",
  );
}
