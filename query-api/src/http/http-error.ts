/** One problem with a request's input: where it was (query, body…), which field, and what is wrong. */
export interface InputIssue {
  location: "params" | "query" | "body";
  /** The field, dotted for nested ones: `limit`, `target.model`, `alertAt.2`. */
  path: string;
  message: string;
}

/**
 * The one error class routes throw to answer with a status other than 200. The error
 * handler turns it into `{ status, error, issues? }`; anything else becomes a 500 whose
 * details stay in the server log.
 * @example throw new HttpError(404, `no trace ${traceId} in project ${project}`);
 */
export class HttpError extends Error {
  override name = "HttpError";
  readonly headers: Readonly<Record<string, string>>;
  readonly issues: readonly InputIssue[] | undefined;

  constructor(
    readonly status: number,
    message: string,
    options: { headers?: Record<string, string>; issues?: InputIssue[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.headers = options.headers ?? {};
    this.issues = options.issues;
  }
}

/** A 400 for one field, shaped like a zod issue so clients handle both the same way. */
export function badInput(location: InputIssue["location"], path: string, message: string): HttpError {
  return new HttpError(400, `invalid ${location} field ${path}: ${message}`, {
    issues: [{ location, path, message }],
  });
}
