import { randomUUID } from "node:crypto";
import type { ErrorRequestHandler } from "express";
import { HttpError } from "./http-error.js";

/** Where the handler reports errors that become a 500; the client never sees their details. */
export interface ErrorLog {
  error(message: string): void;
}

/** Errors express's own body parser raises: they carry a client status and a `type`. */
interface ParserError {
  status: number;
  type: string;
  expose?: boolean;
}

/**
 * The one error handler. An HttpError answers with its status, message, headers and input
 * issues. A body-parser failure (bad JSON, too large) answers with its 4xx. Everything else
 * is logged with a request id and answered 500 with only that id, so no stack trace, SQL
 * text or file path ever reaches a client.
 */
export function errorHandler(log: ErrorLog): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof HttpError) {
      res.set(error.headers);
      res.status(error.status).json({
        status: error.status,
        error: error.message,
        ...(error.issues ? { issues: error.issues } : {}),
      });
      return;
    }
    if (isParserError(error)) {
      const message =
        error.type === "entity.parse.failed"
          ? "the request body is not valid JSON"
          : error.type === "entity.too.large"
            ? "the request body is too large"
            : "the request body could not be read";
      res.status(error.status).json({ status: error.status, error: message });
      return;
    }
    const id = randomUUID();
    log.error(`burnrate query API: ${req.method} ${req.path} failed (request ${id}): ${describe(error)}`);
    res
      .status(500)
      .json({ status: 500, error: `internal error; the server log has the details (request ${id})` });
  };
}

function isParserError(error: unknown): error is ParserError {
  const e = error as Partial<ParserError> | null;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.type === "string" &&
    typeof e.status === "number" &&
    e.status >= 400 &&
    e.status < 500
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
