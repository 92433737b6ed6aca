import { z } from "zod";

/** Where Burnrate keeps its data. With no ClickHouse URL it runs chDB in-process. */
export const storageConfigSchema = z.object({
  /** chDB's data directory, used when no ClickHouse URL is set. */
  dataDir: z.string().min(1).default("./.burnrate/data"),
  clickhouse: z
    .object({
      /** A ClickHouse server's HTTP URL. When set, the server is used instead of chDB. */
      url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
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
