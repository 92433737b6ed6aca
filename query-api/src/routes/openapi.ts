import { z } from "zod";
import { defineRoute } from "../http/route.js";

/** GET /openapi.json — this API's OpenAPI 3.1 document. */
export const openApiRoute = defineRoute({
  method: "get",
  path: "/openapi.json",
  tag: "health",
  summary: "The OpenAPI 3.1 document",
  description: "Generated from the zod schemas that validate every request and response. Needs no key.",
  role: "public",
  response: z.record(z.string(), z.unknown()),
  async handle({ context }) {
    return context.openApiDocument();
  },
});
