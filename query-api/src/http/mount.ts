import type { KeyAuthenticator, Role } from "@burnrate/core";
import type { Express, Request } from "express";
import { z } from "zod";
import type { ApiContext } from "./context.js";
import { HttpError, type InputIssue } from "./http-error.js";
import type { Route } from "./route.js";

export interface MountOptions {
  authenticate: KeyAuthenticator;
  context: ApiContext;
  /** Checks every response against its schema (a mismatch is a 500 and a log line). */
  validateResponses: boolean;
}

/** What a route without a query schema takes in its query string: nothing. */
const NO_QUERY = z.strictObject({});

/**
 * Registers a route on the app: authenticate, validate params, query and body, run the
 * handler, check the response. Express 5 forwards a rejected promise to the error handler.
 * Request schemas are strict, so a misspelt filter is a 400 rather than a silently wider
 * answer; a route without a query schema takes no query parameters.
 */
export function mountRoute(app: Express, route: Route, options: MountOptions): void {
  const { authenticate, context, validateResponses } = options;
  app[route.method](route.path, async (req, res) => {
    const project = route.role === "public" ? "" : authorise(req, route.role, authenticate);
    if (route.body && hasBody(req) && !req.is("application/json")) {
      throw new HttpError(415, "the request body must be JSON, sent with content-type: application/json");
    }
    const input = {
      params: parse(route.params, req.params, "params"),
      query: parse(route.query ?? NO_QUERY, req.query, "query"),
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
  const issues = result.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      const message = unknownFieldMessage(schema, issue.path, location);
      return issue.keys.map((key) => ({ location, path: [...issue.path, key].join("."), message }));
    }
    return [
      {
        location,
        path: issue.path.map(String).join(".") || "(root)",
        message: issueMessage(issue, value, location),
      },
    ];
  });
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  throw new HttpError(400, `invalid ${location} field ${first.path}: ${first.message}${more}`, { issues });
}

/**
 * What is wrong, said plainly where zod's own words are about types: a field not given is
 * "required", and a query parameter given twice (which arrives as an array) is told to come once.
 */
function issueMessage(issue: z.core.$ZodIssue, input: unknown, location: InputIssue["location"]): string {
  let given = input;
  for (const step of issue.path) given = (given as Record<PropertyKey, unknown> | undefined)?.[step];
  // No query parameter takes an array: one that arrives as one was given twice.
  if (location === "query" && Array.isArray(given)) {
    return "given more than once; give it once (a list is comma-separated)";
  }
  if (issue.code === "invalid_type" && given === undefined) return "required";
  return issue.message;
}

/** Names the fields the object at `path` does take, so a typo is easy to spot. */
function unknownFieldMessage(
  schema: z.ZodType,
  path: readonly PropertyKey[],
  location: InputIssue["location"],
): string {
  const known = fieldsAt(schema, path);
  if (known === undefined) return "unknown field; see GET /openapi.json";
  if (known.length === 0) return `unknown field; this route takes no ${location} parameters`;
  return `unknown field; expected one of: ${known.join(", ")}`;
}

/** The field names of the object schema found at `path` inside `schema`, if it is one. */
function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let at: z.ZodType | undefined = schema;
  for (const step of [...path, undefined]) {
    while (at instanceof z.ZodOptional || at instanceof z.ZodNullable || at instanceof z.ZodDefault) {
      at = at.unwrap() as z.ZodType;
    }
    if (step === undefined) break;
    if (at instanceof z.ZodObject) at = at.shape[String(step)] as z.ZodType | undefined;
    else if (at instanceof z.ZodArray) at = at.element as z.ZodType;
    else return undefined;
  }
  return at instanceof z.ZodObject ? Object.keys(at.shape) : undefined;
}

/** Whether the request carries a body: a length above zero, or a chunked one. */
function hasBody(req: Request): boolean {
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
}
