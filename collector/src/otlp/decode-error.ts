/**
 * The request body is not a valid OTLP trace export: not protobuf or JSON at all, or the wrong shape.
 * The receiver answers 400 with this message; senders must not retry such a request unchanged.
 *
 * @example
 * throw new OtlpDecodeError("invalid protobuf: index out of range: 1234 + 10 > 1240");
 */
export class OtlpDecodeError extends Error {
  override name = "OtlpDecodeError";
}

/**
 * An OtlpDecodeError about one place in an OTLP/JSON body. The path grows as the error passes each
 * enclosing level (see `nestError`), so no path is built unless something is wrong.
 *
 * @example
 * new JsonFieldError("traceId", "expected 32 hex characters, got the number 7").message;
 * // => "traceId: expected 32 hex characters, got the number 7"
 */
export class JsonFieldError extends OtlpDecodeError {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path === "" ? problem : `${path}: ${problem}`);
  }
}

/**
 * Puts `segment` (a field name, or "[3]" for an array index) in front of a JSON error's path, giving
 * "resourceSpans[0].scopeSpans[1].spans[3].traceId: …". Other errors are bugs and pass through untouched.
 */
export function nestError(error: unknown, segment: string): unknown {
  if (!(error instanceof JsonFieldError)) return error;
  const { path, problem } = error;
  const joined = path === "" ? segment : path.startsWith("[") ? segment + path : `${segment}.${path}`;
  return new JsonFieldError(joined, problem);
}
