import { z } from "zod";
import type { Route } from "../http/route.js";

/** A JSON Schema object as zod renders it. */
type JsonSchema = Record<string, unknown>;

const ERROR_BODY = z.object({
  status: z.number().int(),
  error: z.string().describe("what went wrong and, where it helps, what to do"),
  issues: z
    .array(
      z.object({
        location: z.enum(["params", "query", "body"]),
        path: z.string().describe("the field, dotted for nested ones"),
        message: z.string(),
      }),
    )
    .optional()
    .describe("for 400: every invalid field"),
});

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input; `issues` names each field",
  401: "Missing or unknown API key",
  403: "The key's role does not allow this",
  404: "Not found in the key's project",
  409: "Conflict",
  413: "Request body too large",
  415: "The request body is not JSON (content-type: application/json) or cannot be read",
  500: "Internal error; the server log has the details",
  503: "Storage is unavailable; retry after the `Retry-After` header's seconds",
};

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and
 * responses (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Request schemas are
 * rendered as clients send them (`io: "input"`), responses as the server sends them.
 * @example app.get("/openapi.json", (_req, res) => res.json(openApiDocument(ROUTES, "0.1.0")));
 */
export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][route.method] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Burnrate query API",
      version,
      description:
        "Cost of LLM calls by trace, session and every cut of spend. Money is always an exact decimal string " +
        "in US dollars; calls with no known price are counted as unpriced and never valued at $0.",
    },
    servers: [{ url: "http://127.0.0.1:4320" }],
    security: [{ bearer: [] }, { apiKeyHeader: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "an API key with the read or admin role" },
        apiKeyHeader: { type: "apiKey", in: "header", name: "x-burnrate-api-key" },
      },
      schemas: { Error: schemaOf(ERROR_BODY, "output") },
    },
  };
}

function operation(route: Route): Record<string, unknown> {
  const parameters = [...parametersOf(route.params, "path"), ...parametersOf(route.query, "query")];
  const success = String(route.status ?? 200);
  const responses: Record<string, unknown> = {
    [success]:
      route.status === 204
        ? { description: "Done; no content" }
        : {
            description: "OK",
            content: { "application/json": { schema: schemaOf(route.response, "output") } },
          },
  };
  const errors = new Set<number>([400, 500, ...(route.errors ?? [])]);
  // Any route with a body: over app.ts's 64 KiB cap is 413; not JSON, or unreadable, is 415.
  if (route.body) {
    errors.add(413);
    errors.add(415);
  }
  if (route.role !== "public") {
    errors.add(401);
    errors.add(403);
  }
  for (const status of [...errors].sort()) {
    responses[String(status)] = {
      description: ERROR_TEXT[status] ?? "Error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return {
    operationId: `${route.method}${route.path.replace(/[/:{}-]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.role === "public" ? { security: [] } : { "x-burnrate-role": route.role }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: schemaOf(route.body, "input") } },
          },
        }
      : {}),
    responses,
  };
}

function parametersOf(schema: z.ZodType | undefined, where: "path" | "query"): Record<string, unknown>[] {
  if (!schema) return [];
  const rendered = schemaOf(schema, "input");
  const properties = (rendered.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((rendered.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _dialect, ...rendered } = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
  }) as JsonSchema;
  return rendered;
}
