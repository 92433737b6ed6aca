/**
 * Storage errors say what went wrong and what to do. `StorageUnavailableError` means the
 * store could not be reached at all, which callers treat as transient (the collector spools);
 * a `StorageQueryError` means the store answered and refused the statement.
 */
export class StorageError extends Error {
  override name = "StorageError";
}

/** The store cannot be reached or opened. Retrying later may work. */
export class StorageUnavailableError extends StorageError {
  override name = "StorageUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The store answered with an error for this statement. */
export class StorageQueryError extends StorageError {
  override name = "StorageQueryError";
  constructor(
    message: string,
    readonly clickhouseCode: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** ClickHouse error codes that mean "try again", by number rather than by message text. */
const TRANSIENT_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
  173, // CANNOT_ALLOCATE_MEMORY
  201, // QUOTA_EXCEEDED: the quota's interval ends, and with it the refusal
  216, // QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING: a timed-out attempt of this very insert still runs
  236, // ABORTED
  243, // NOT_ENOUGH_SPACE: merges and TTL free the disk, or an operator does
  394, // QUERY_WAS_CANCELLED: by KILL QUERY or a server shutting down, not for the data
  439, // CANNOT_SCHEDULE_TASK: the server's thread pools are full for now
  // The store's set-up, not the data: nothing can be written until an operator fixes it (runs
  // `burnrate migrate`, restores a grant or a password), and then everything can. Retried, so
  // the spool keeps the batches meanwhile, rather than refused, which would set every row aside.
  60, // UNKNOWN_TABLE
  81, // UNKNOWN_DATABASE
  192, // UNKNOWN_USER
  194, // REQUIRED_PASSWORD
  497, // ACCESS_DENIED
  516, // AUTHENTICATION_FAILED
]);

/** True when retrying the same statement later may succeed. */
export function isTransient(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  if (error instanceof StorageQueryError) return TRANSIENT_CODES.has(error.clickhouseCode ?? -1);
  return false;
}
