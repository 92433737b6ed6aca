import { z } from "zod";

/**
 * Why a ClickHouse URL cannot be used, or undefined when it can. @clickhouse/client reads a
 * URL's path as the database, over its `database` option, and its query string as options
 * (throwing on any it does not know), so either would quietly override or break the settings
 * Burnrate passes: only the server's address is taken.
 * @example clickhouseUrlProblem("http://ch:8123/analytics") // "must be the server's address only …"
 */
export function clickhouseUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // not a URL at all: the schema's own check says so
  }
  if (!/^https?:$/.test(parsed.protocol)) return undefined;
  if (parsed.pathname === "/" && parsed.search === "") return undefined;
  return (
    "must be the server's address only (like http://127.0.0.1:8123), without a path or query string; " +
    "set the database with storage.clickhouse.database (BURNRATE_CLICKHOUSE_DATABASE)"
  );
}

/** Where Burnrate keeps its data. With no ClickHouse URL it runs chDB in-process. */
export const storageConfigSchema = z.object({
  /** chDB's data directory, used when no ClickHouse URL is set. */
  dataDir: z.string().min(1).default("./.burnrate/data"),
  clickhouse: z
    .object({
      /** A ClickHouse server's HTTP URL. When set, the server is used instead of chDB. */
      url: z
        .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
        .check((ctx) => {
          const problem = clickhouseUrlProblem(ctx.value);
          if (problem) ctx.issues.push({ code: "custom", message: problem, input: ctx.value });
        })
        .optional(),
      user: z.string().default("default"),
      password: z.string().default(""),
      database: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a plain identifier (letters, digits, _)")
        .default("burnrate"),
    })
    .strict()
    .prefault({}),
  retention: z
    .object({
      spansDays: z.number().int().positive().default(90),
      callsDays: z.number().int().positive().default(400),
    })
    .strict()
    .prefault({}),
});

export type StorageConfig = z.infer<typeof storageConfigSchema>;
