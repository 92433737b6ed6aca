import type { IncomingMessage } from "node:http";
import { type ApiKey, createKeyAuthenticator, type Role } from "@burnrate/core";
import { HttpError } from "./http-error.js";

/** Resolves a request's API key to its project, requiring one of `roles`. */
export type Authenticate = (req: IncomingMessage, roles: readonly Role[]) => string;

/**
 * The collector's side of the key check the query API shares (`createKeyAuthenticator` in
 * core): a refused key becomes an HttpError, with `WWW-Authenticate` on a 401.
 */
export function createAuthenticator(keys: readonly ApiKey[]): Authenticate {
  const check = createKeyAuthenticator(keys);
  return (req, roles) => {
    const result = check(req.headers, roles);
    if (result.ok) return result.project;
    const headers: Record<string, string> = result.status === 401 ? { "www-authenticate": "Bearer" } : {};
    throw new HttpError(result.status, result.message, headers);
  };
}
