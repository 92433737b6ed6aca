/** An error that becomes an HTTP response: its status, a message for the client, and headers. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** gRPC status codes used in google.rpc.Status bodies, as OTLP/HTTP asks. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export function rpcCodeFor(status: number): number {
  if (status === 401) return RpcCode.UNAUTHENTICATED;
  if (status === 403) return RpcCode.PERMISSION_DENIED;
  if (status === 429 || status === 413) return RpcCode.RESOURCE_EXHAUSTED;
  if (status === 503) return RpcCode.UNAVAILABLE;
  if (status >= 500) return RpcCode.INTERNAL;
  return RpcCode.INVALID_ARGUMENT;
}
