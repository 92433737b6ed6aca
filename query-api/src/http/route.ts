import type { Role } from "@burnrate/core";
import type { z } from "zod";
import type { ApiContext } from "./context.js";

/** What a handler receives: validated input, the caller's project, and the app's context. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The project the caller's key is scoped to; every query a handler runs filters on it. */
  project: string;
  context: ApiContext;
}

/**
 * One HTTP endpoint, described once: its schemas validate requests and responses and are
 * also what the OpenAPI document is generated from, so the two cannot drift apart.
 */
export interface Route<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: "get" | "put" | "post" | "delete";
  /** An express path, `/v1/traces/:traceId`; OpenAPI gets `/v1/traces/{traceId}`. */
  path: string;
  /** The OpenAPI tag that groups it. */
  tag: string;
  summary: string;
  description?: string;
  /** The role a key needs (admin keys may do anything); `public` needs no key. */
  role: Role | "public";
  params?: P;
  query?: Q;
  body?: B;
  /** The success status: 200 with a body, or 204 without one. */
  status?: 200 | 201 | 204;
  response: R;
  /**
   * Error statuses this route can answer besides 400/401/403/500, for the document: 503 for
   * every route that reads or writes storage (it answers so while storage is unreachable).
   */
  errors?: readonly (404 | 409 | 413 | 503)[];
  // Method syntax on purpose: it makes routes with different schemas assignable to `Route`.
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R>>;
}

/**
 * Declares a route with its schemas, keeping their types for the handler.
 * @example
 * export const getPrice = defineRoute({
 *   method: "get", path: "/v1/prices", tag: "prices", summary: "the price-book entry in use",
 *   role: "read", query: priceQuery, response: priceResponse,
 *   async handle({ query, context }) { … },
 * });
 */
export function defineRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
>(route: Route<P, Q, B, R>): Route<P, Q, B, R> {
  return route;
}
