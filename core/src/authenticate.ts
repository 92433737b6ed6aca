import { createHash } from "node:crypto";
import { type ApiKey, DEFAULT_PROJECT, type Role } from "./auth.js";

/** Request headers as Node's `IncomingMessage.headers` holds them; no framework needed. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What checking a request's key decided: the project it may see, or why not. */
export type KeyCheck =
  | { ok: true; project: string; role: Role }
  | { ok: false; status: 401 | 403; message: string };

/** Checks a request's headers against the configured keys, requiring one of `roles`. */
export type KeyAuthenticator = (headers: RequestHeaders, roles: readonly Role[]) => KeyCheck;

/**
 * Creates the key check both servers share, so they admit the same keys the same way.
 *
 * With no keys configured everything belongs to project `default` with every role (the
 * servers then listen on loopback only). With keys, a request carries one as
 * `Authorization: Bearer …` or `x-burnrate-api-key`. An admin key may do anything in its
 * project; other keys only what their role names. Keys are compared by SHA-256 digest, so
 * no lookup time depends on how many leading characters of a guess are right.
 * @example
 * const check = createKeyAuthenticator(config.auth.keys);
 * const result = check(req.headers, ["read"]);
 * if (!result.ok) respond(result.status, result.message);
 */
export function createKeyAuthenticator(keys: readonly ApiKey[]): KeyAuthenticator {
  const byDigest = new Map(keys.map((k) => [keyDigest(k.key), k]));
  return (headers, roles) => {
    if (byDigest.size === 0) return { ok: true, project: DEFAULT_PROJECT, role: "admin" };
    const presented = presentedKey(headers);
    if (!presented) {
      return {
        ok: false,
        status: 401,
        message: "missing API key: send `Authorization: Bearer <key>` or `x-burnrate-api-key`",
      };
    }
    const key = byDigest.get(keyDigest(presented));
    if (!key) return { ok: false, status: 401, message: "unknown API key" };
    if (key.role !== "admin" && !roles.includes(key.role)) {
      return {
        ok: false,
        status: 403,
        message: `this API key has the ${key.role} role; this needs ${roles.join(" or ")}`,
      };
    }
    return { ok: true, project: key.project, role: key.role };
  };
}

function keyDigest(key: string): string {
  return createHash("sha256").update(key).digest("base64");
}

/** The key a request presents, from `x-burnrate-api-key` or a Bearer `Authorization` header. */
export function presentedKey(headers: RequestHeaders): string | undefined {
  const header = headers["x-burnrate-api-key"];
  if (typeof header === "string" && header.trim()) return header.trim();
  const authorization = headers.authorization;
  const match = typeof authorization === "string" ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
  return match?.[1]?.trim() || undefined;
}
