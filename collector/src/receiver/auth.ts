import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type ApiKey, DEFAULT_PROJECT, type Role } from "@burnrate/core";
import { HttpError } from "./http-error.js";

/** Resolves a request's API key to its project, requiring one of `roles`. */
export type Authenticate = (req: IncomingMessage, roles: readonly Role[]) => string;

/**
 * With no keys configured everything belongs to project `default` (the servers then listen
 * on loopback only). With keys, a request carries one as `Authorization: Bearer …` or
 * `x-burnrate-api-key`. Keys are compared by SHA-256 digest, so no lookup depends on how
 * many leading characters of a guess are right.
 */
export function createAuthenticator(keys: readonly ApiKey[]): Authenticate {
  const digest = (key: string) => createHash("sha256").update(key).digest("base64");
  const byDigest = new Map(keys.map((k) => [digest(k.key), k]));
  return (req, roles) => {
    if (byDigest.size === 0) return DEFAULT_PROJECT;
    const presented = presentedKey(req);
    if (!presented) {
      throw new HttpError(
        401,
        "missing API key: send `Authorization: Bearer <key>` or `x-burnrate-api-key`",
        {
          "www-authenticate": "Bearer",
        },
      );
    }
    const key = byDigest.get(digest(presented));
    if (!key) throw new HttpError(401, "unknown API key", { "www-authenticate": "Bearer" });
    if (key.role !== "admin" && !roles.includes(key.role)) {
      throw new HttpError(403, `this API key has the ${key.role} role; this needs ${roles.join(" or ")}`);
    }
    return key.project;
  };
}

function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers["x-burnrate-api-key"];
  if (typeof header === "string" && header) return header.trim();
  const authorization = req.headers.authorization;
  const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
  return match?.[1]?.trim();
}
