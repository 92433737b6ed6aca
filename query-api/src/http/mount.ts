import type { KeyAuthenticator, Role } from "@burnrate/core";
import type { Express, Request } from "express";
import type { z } from "zod";
import type { ApiContext } from "./context.js";
import { HttpError, type InputIssue } from "./http-error.js";
import type { Route } from "./route.js";

export interface MountOptions {
  authenticate: KeyAuthenticator;
  context: ApiContext;
  /** Checks every response against its schema (a mismatch is a 500 and a log line). */
  validateResponses: boolean;
}

/**
 * Registers a route on the app: authenticate, validate params, query and body, run the
 * handler, check the response. Express 5 forwards a rejected promise to the error handler.
 */
export function mountRoute(app: Express, route: Route, options: MountOptions): void {
  const { authenticate, context, validateResponses } = options;
  app[route.method](route.path, async (req, res) => {
    const project = route.role === "public" ? "" : authorise(req, route.role, authenticate);
    const input = {
      params: parse(route.params, req.params, "params"),
      query: parse(route.query, req.query, "query"),
      body: parse(route.body, req.body, "body"),
      project,
      context,
    };
    const body = await route.handle(input);
    if (route.status === 204) {
      res.status(204).end();
      return;
    }
    const checked = validateResponses
      ? route.response.safeParse(body)
      : { success: true as const, data: body };
    if (!checked.success) {
      throw new Error(
        `response of ${route.method.toUpperCase()} ${route.path} does not match its schema: ${checked.error.message}`,
      );
    }
    res.status(route.status ?? 200).json(checked.data);
  });
}

function authorise(req: Request, role: Role, authenticate: KeyAuthenticator): string {
  const result = authenticate(req.headers, [role]);
  if (result.ok) return result.project;
  throw new HttpError(result.status, result.message, {
    headers: result.status === 401 ? { "www-authenticate": 'Bearer realm="burnrate"' } : {},
  });
}

function parse(schema: z.ZodType | undefined, value: unknown, location: InputIssue["location"]): unknown {
  if (!schema) return undefined;
  // A GET has no body; validate it as an empty object so optional fields still get defaults.
  const result = schema.safeParse(value ?? (location === "body" ? undefined : {}));
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    location,
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new HttpError(400, `invalid ${location} field ${first.path}: ${first.message}${more}`, { issues });
}
