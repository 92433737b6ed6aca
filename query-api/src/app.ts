import { readFileSync } from "node:fs";
import { type ApiKey, createKeyAuthenticator, createPriceBook, type PriceBook } from "@burnrate/core";
import type { ClickHouse } from "@burnrate/storage";
import express, { type Express } from "express";
import { type ErrorLog, errorHandler } from "./http/error-handler.js";
import { HttpError } from "./http/http-error.js";
import { mountRoute } from "./http/mount.js";
import { DEFAULT_ROUTING_TARGETS } from "./insights/routing.js";
import { openApiDocument } from "./openapi/document.js";
import { ROUTES } from "./routes/index.js";

export interface QueryApiOptions {
  db: ClickHouse;
  /** API keys; none means everything is project `default` (the CLI then binds loopback only). */
  keys?: readonly ApiKey[];
  /** The price book for quotes, what-ifs and insights; `burnrate start` passes the collector's. */
  priceBook?: PriceBook;
  /** The cheaper model to suggest per `gen_ai.provider.name`, replacing the defaults. */
  routingTargets?: Readonly<Record<string, string>>;
  /** Checks every response against its schema; on by default except when NODE_ENV=production. */
  validateResponses?: boolean;
  /** The clock (tests pin it). */
  now?: () => Date;
  /** Where unexpected errors are logged (default: stderr). */
  log?: ErrorLog;
}

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * The query API as an express app: every route in `routes/`, `/openapi.json` generated from
 * the same schemas, JSON 404s and one error handler. Listening is the caller's job.
 * @example
 * const app = createQueryApi({ db, keys: config.auth.keys, priceBook: collector.priceBook });
 * app.listen(4320, "127.0.0.1");
 */
export function createQueryApi(options: QueryApiOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.use(express.json({ limit: "64kb" }));
  const document = openApiDocument(ROUTES, VERSION);
  const mount = {
    authenticate: createKeyAuthenticator(options.keys ?? []),
    context: {
      db: options.db,
      priceBook: options.priceBook ?? createPriceBook(),
      routingTargets: new Map(Object.entries(options.routingTargets ?? DEFAULT_ROUTING_TARGETS)),
      now: options.now ?? (() => new Date()),
      openApiDocument: () => document,
    },
    validateResponses: options.validateResponses ?? process.env.NODE_ENV !== "production",
  };
  for (const route of ROUTES) mountRoute(app, route, mount);
  app.use((req, _res, next) => {
    next(new HttpError(404, `no route ${req.method} ${req.path}; see GET /openapi.json`));
  });
  app.use(errorHandler(options.log ?? { error: (m) => process.stderr.write(`${m}\n`) }));
  return app;
}

/** The OpenAPI document of this API, as `/openapi.json` serves it. */
export function queryApiDocument(): Record<string, unknown> {
  return openApiDocument(ROUTES, VERSION);
}
