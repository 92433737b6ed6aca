import { z } from "zod";
import { STORAGE_RETRY_AFTER_SECONDS } from "../http/error-handler.js";
import { HttpError } from "../http/http-error.js";
import { defineRoute } from "../http/route.js";

/** GET /healthz — answers while the store answers; needs no key. */
export const healthz = defineRoute({
  method: "get",
  path: "/healthz",
  tag: "health",
  summary: "Health check",
  description: '`{"status":"ok"}` while ClickHouse answers, 503 otherwise. Needs no key.',
  role: "public",
  response: z.object({ status: z.literal("ok") }),
  errors: [503],
  async handle({ context }) {
    try {
      await context.db.ping();
    } catch {
      throw new HttpError(503, "storage is unavailable", {
        headers: { "retry-after": String(STORAGE_RETRY_AFTER_SECONDS) },
      });
    }
    return { status: "ok" as const };
  },
});
