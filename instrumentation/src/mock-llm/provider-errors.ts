import type { MockError } from "./reply.js";

/** Which wire dialect an endpoint speaks; errors and request-id headers differ between them. */
export type Provider = "openai" | "anthropic";

/** An error response ready to send. */
export interface ErrorResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

// The types the real APIs use for each status, so SDK code that branches on `error.type`
// sees what production would send.
const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  408: "timeout_error",
  413: "request_too_large",
  429: "rate_limit_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const OPENAI_CODES: Record<number, string> = {
  401: "invalid_api_key",
  429: "rate_limit_exceeded",
};

/**
 * Builds the error body and headers a provider sends for `error`. The SDKs pick their
 * error class (`RateLimitError`, `InternalServerError`, …) from the status alone, and read
 * `retry-after` to pace their own retries.
 *
 * @example
 * providerError("anthropic", { status: 429, retryAfter: 2 }, "req_1")
 * // { status: 429, headers: { "retry-after": "2", … }, body: { type: "error", error: { type: "rate_limit_error", … } } }
 */
export function providerError(provider: Provider, error: MockError, requestId: string): ErrorResponse {
  const message = error.message ?? `mock-llm: scripted ${error.status} error`;
  const headers: Record<string, string> = { ...requestIdHeader(provider, requestId) };
  if (error.retryAfter !== undefined) headers["retry-after"] = String(error.retryAfter);
  if (provider === "anthropic") {
    const type = error.type ?? ANTHROPIC_TYPES[error.status] ?? defaultAnthropicType(error.status);
    return {
      status: error.status,
      headers,
      body: { type: "error", error: { type, message }, request_id: requestId },
    };
  }
  const type = error.type ?? defaultOpenAiType(error.status);
  return {
    status: error.status,
    headers,
    body: { error: { message, type, param: null, code: OPENAI_CODES[error.status] ?? null } },
  };
}

/** The header each provider uses to name a request, which the SDKs expose as `requestID`. */
export function requestIdHeader(provider: Provider, requestId: string): Record<string, string> {
  return provider === "anthropic" ? { "request-id": requestId } : { "x-request-id": requestId };
}

function defaultAnthropicType(status: number): string {
  return status >= 500 ? "api_error" : "invalid_request_error";
}

function defaultOpenAiType(status: number): string {
  if (status === 429) return "requests";
  return status >= 500 ? "server_error" : "invalid_request_error";
}
