import { z } from "zod";

/** What a key may do: send spans, read data, or change budgets and settings. */
export const ROLES = ["ingest", "read", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** A project id: what every stored row and every query is scoped to. */
export const projectIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "must be 1-64 letters, digits, '_', '.' or '-'");

/** One API key, mapped to the project it may see and the role it has there. */
export const apiKeySchema = z.object({
  key: z.string().min(16, "must be at least 16 characters"),
  project: projectIdSchema,
  role: z.enum(ROLES),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The project everything goes to when no keys are configured. */
export const DEFAULT_PROJECT = "default";

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
