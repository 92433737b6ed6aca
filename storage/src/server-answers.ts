import type { Readable } from "node:stream";
import { StorageError, StorageQueryError, StorageUnavailableError } from "./errors.js";

// How the server driver reads ClickHouse's answers, and which failures are ClickHouse's refusals.

/**
 * A ClickHouse exception as its text starts: `Code: 241. DB::Exception: …`, or for exceptions
 * from outside ClickHouse's own code `Poco::Exception. Code: 1000, e.code() = 0, …`. Only at the
 * start of a line, where ClickHouse writes it; a JSON row always starts with `{`.
 */
const EXCEPTION = /^(?:[\w: ]{1,40}\. )?Code: (\d+)[.,] /m;

/** The ClickHouse exception in a text, if there is one: its code and its message. */
export function exceptionIn(text: string): { code: number; message: string } | undefined {
  const match = EXCEPTION.exec(text);
  if (!match) return undefined;
  return { code: Number(match[1]), message: text.slice(match.index).trim().slice(0, 2_000) };
}

/**
 * Reads a JSONEachRow answer into rows. ClickHouse sends 200 with the first rows before the
 * query has finished, so an error met later cannot change the status: 24.8–24.10 append the
 * exception's text after the rows (or, with http_write_exception_in_output_format on, an
 * `{"exception": …}` row), and 24.11+ write it after `__exception__` and then break the
 * response. Each way it becomes a StorageQueryError with ClickHouse's code, so a query that
 * failed is never taken for a short result, and isTransient weighs it like any refusal.
 */
export async function readRows<Row>(stream: Readable, what: string): Promise<Row[]> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (error) {
    const partial = Buffer.concat(chunks).toString();
    const exception = exceptionIn(partial) ?? partial.split("\n").map(exceptionRow).find(Boolean);
    throw exception ? refusal(exception, what, error) : error;
  }
  const text = Buffer.concat(chunks).toString();
  const rows: Row[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end > start) rows.push(parseRow<Row>(text, start, end, what));
    start = end + 1;
  }
  return rows;
}

function parseRow<Row>(text: string, start: number, end: number, what: string): Row {
  let row: unknown;
  try {
    row = JSON.parse(text.slice(start, end));
  } catch (error) {
    const exception = exceptionIn(text.slice(start));
    throw exception ? refusal(exception, what, error) : error;
  }
  const exception = reportedIn(row);
  if (exception) throw refusal(exception, what, undefined);
  return row as Row;
}

/** The exception of an `{"exception": "Code: …"}` row, which is how a format reports one. */
function reportedIn(row: unknown): ReturnType<typeof exceptionIn> {
  const reported = (row as { exception?: unknown } | null)?.exception;
  if (typeof reported !== "string" || Object.keys(row as object).length !== 1) return undefined;
  return exceptionIn(reported);
}

/** The same for a line of an answer that was cut off, which may end in half a row. */
function exceptionRow(line: string): ReturnType<typeof exceptionIn> {
  if (!line.startsWith('{"exception"')) return undefined;
  try {
    return reportedIn(JSON.parse(line));
  } catch {
    return undefined;
  }
}

function refusal(exception: { code: number; message: string }, what: string, cause: unknown) {
  return new StorageQueryError(
    `${exception.message} [while running: ${what.slice(0, 200)}]`,
    exception.code,
    {
      cause,
    },
  );
}

/**
 * A ClickHouse error (it carries the server's numeric code) means the server answered and
 * refused the statement. So does an answer whose text is a ClickHouse exception the client
 * library could not parse, such as the `Poco::Exception. Code: 1000` ClickHouse sends for a URL
 * parameter over http_max_field_value_size: it keeps its code, and so is not retried forever.
 * Anything else means the server did not answer usefully: a refused or reset connection, the
 * client's request timeout, a proxy's 502 page. Those are unavailability, which callers retry
 * (the collector keeps the batch spooled), never a refusal, which would set the batch aside.
 */
export function toStorageError(error: unknown, what: string): Error {
  if (error instanceof StorageError) return error;
  const code = Number((error as { code?: string }).code);
  const message = error instanceof Error ? error.message : String(error);
  if (!Number.isNaN(code)) {
    return new StorageQueryError(`${message} [while running: ${what.slice(0, 200)}]`, code, { cause: error });
  }
  const exception = exceptionIn(message);
  if (exception) return refusal(exception, what, error);
  const errno = (error as NodeJS.ErrnoException).code;
  const why = errno ?? message.replace(/\s+/g, " ").slice(0, 200);
  return new StorageUnavailableError(`ClickHouse did not answer ${what.slice(0, 100)} (${why})`, {
    cause: error,
  });
}
