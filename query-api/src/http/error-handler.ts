import { randomUUID } from "node:crypto";
import { isTransient, StorageQueryError } from "@burnrate/storage";
import type { ErrorRequestHandler, Request } from "express";
import { HttpError } from "./http-error.js";

/** Where the handler reports errors that become a 500; the client never sees their details. */
export interface ErrorLog {
  error(message: string): void;
}

/**
 * Errors from express's own machinery (body-parser, the router) that are the client's fault:
 * http-errors style, a 4xx `status`, `expose` not false, and a `type` when body-parser
 * named the failure.
 */
interface ClientError {
  status: number;
  type?: string;
  expose?: boolean;
}

/** How long a client should wait before retrying while storage is unavailable, in seconds. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The one error handler. An HttpError answers with its status, message, headers and input
 * issues. Storage that cannot be reached is a 503 with `Retry-After`: the request was fine
 * and may succeed later. An error express raised for the request itself (bad JSON, a body
 * too large or not decompressible, a malformed percent-escape in the path) answers with its
 * 4xx. Everything else is logged with a request id and answered 500 with only that id, so
 * no stack trace, SQL text or file path ever reaches a client.
 */
export function errorHandler(log: ErrorLog): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    // Unreachable storage, and a query it refused for a passing reason (too many queries at
    // once, memory, a missing table or grant an operator can restore), are worth retrying: a
    // 503, not a 500. A refusal is logged, for the operator; unreachability /healthz shows.
    const transient = isTransient(error);
    if (transient && error instanceof StorageQueryError) {
      log.error(`burnrate query API: ${req.method} ${req.path} answered 503: ${error.message}`);
    }
    const known = transient ? storageUnavailable() : error;
    if (known instanceof HttpError) {
      res.set(known.headers);
      res.status(known.status).json({
        status: known.status,
        error: known.message,
        ...(known.issues ? { issues: known.issues } : {}),
      });
      return;
    }
    if (isClientError(known)) {
      res.status(known.status).json({ status: known.status, error: clientMessage(known, req) });
      return;
    }
    const id = randomUUID();
    log.error(`burnrate query API: ${req.method} ${req.path} failed (request ${id}): ${describe(error)}`);
    res
      .status(500)
      .json({ status: 500, error: `internal error; the server log has the details (request ${id})` });
  };
}

function storageUnavailable(): HttpError {
  return new HttpError(
    503,
    `storage is unavailable; try again in ${STORAGE_RETRY_AFTER_SECONDS} seconds (GET /healthz says when it is back)`,
    { headers: { "retry-after": String(STORAGE_RETRY_AFTER_SECONDS) } },
  );
}

function isClientError(error: unknown): error is ClientError {
  const e = error as Partial<ClientError> | null;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.status === "number" &&
    Number.isInteger(e.status) &&
    e.status >= 400 &&
    e.status < 500 &&
    e.expose !== false
  );
}

/**
 * Our own words for each failure where we know it: body-parser's and the router's messages
 * quote the input back, or name zlib internals ("incorrect header check").
 */
function clientMessage(error: ClientError, req: Request): string {
  switch (error.type) {
    case "entity.parse.failed":
      return "the request body is not valid JSON";
    case "entity.too.large":
      return "the request body is too large";
    case "encoding.unsupported":
      return `the request body's content-encoding ${req.headers["content-encoding"]} is not supported; send it uncompressed, or as gzip, deflate or br`;
    case undefined:
      break;
    default:
      return "the request body could not be read";
  }
  // The router raises a URIError (status 400, no type) when it cannot decode a path parameter.
  if (error instanceof URIError) {
    return "the request path has malformed percent-encoding; a literal % in a path segment is sent as %25";
  }
  // body-parser passes a zlib failure on as a 400 without a type: the zlib error itself.
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && typeof code === "string" && typeof errno === "number") {
    return `the request body could not be decompressed as ${encoding}`;
  }
  return error instanceof Error && error.expose === true ? error.message : "the request could not be read";
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
