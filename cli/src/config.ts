import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { collectorConfigSchema } from "@burnrate/collector";
import { apiKeySchema, isLoopback, ROLES, SERVER_VARIABLES, unknownVariables } from "@burnrate/core";
import { storageConfigSchema } from "@burnrate/storage";
import { parse as parseYaml } from "yaml";
import { type ZodError, z } from "zod";

const port = z.number().int().min(0).max(65535);

/** The whole configuration: one YAML file plus BURNRATE_* variables, validated here. */
export const configSchema = z
  .object({
    server: z
      .object({
        /** The address both servers listen on. Anything but loopback needs API keys. */
        host: z.string().min(1).default("127.0.0.1"),
        otlpPort: port.default(4318),
        apiPort: port.default(4320),
      })
      .strict()
      .prefault({}),
    storage: storageConfigSchema.strict().prefault({}),
    collector: collectorConfigSchema.prefault({}),
    auth: z
      .object({ keys: z.array(apiKeySchema.strict()).default([]) })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (!isLoopback(config.server.host) && config.auth.keys.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["server", "host"],
        message: `${config.server.host} is reachable from other machines, so API keys are required: set auth.keys (or BURNRATE_API_KEYS), or listen on 127.0.0.1`,
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

type EnvKind = "string" | "int" | "keys";

/** Every environment variable Burnrate reads, the config key it sets, and its kind. */
export const ENV_VARS: Record<string, { path: string[]; kind: EnvKind }> = {
  BURNRATE_HOST: { path: ["server", "host"], kind: "string" },
  BURNRATE_OTLP_PORT: { path: ["server", "otlpPort"], kind: "int" },
  BURNRATE_API_PORT: { path: ["server", "apiPort"], kind: "int" },
  BURNRATE_DATA_DIR: { path: ["storage", "dataDir"], kind: "string" },
  BURNRATE_CLICKHOUSE_URL: { path: ["storage", "clickhouse", "url"], kind: "string" },
  BURNRATE_CLICKHOUSE_USER: { path: ["storage", "clickhouse", "user"], kind: "string" },
  BURNRATE_CLICKHOUSE_PASSWORD: { path: ["storage", "clickhouse", "password"], kind: "string" },
  BURNRATE_CLICKHOUSE_DATABASE: { path: ["storage", "clickhouse", "database"], kind: "string" },
  BURNRATE_RETENTION_SPANS_DAYS: { path: ["storage", "retention", "spansDays"], kind: "int" },
  BURNRATE_RETENTION_CALLS_DAYS: { path: ["storage", "retention", "callsDays"], kind: "int" },
  BURNRATE_API_KEYS: { path: ["auth", "keys"], kind: "keys" },
  BURNRATE_SPOOL_DIR: { path: ["collector", "spool", "dir"], kind: "string" },
  BURNRATE_SPOOL_MAX_BYTES: { path: ["collector", "spool", "maxBytes"], kind: "int" },
  BURNRATE_MAX_BODY_BYTES: { path: ["collector", "receiver", "maxBodyBytes"], kind: "int" },
  BURNRATE_PRICE_OVERRIDES: { path: ["collector", "pricing", "overridesFile"], kind: "string" },
};

/** A configuration problem, worded to name the field and where it was set. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface LoadedConfig {
  config: Config;
  /** The YAML file read, if any. */
  file: string | undefined;
}

/**
 * Loads the configuration: the YAML file (from `--config`, BURNRATE_CONFIG, or
 * ./burnrate.yaml when it exists), then BURNRATE_* variables on top, then defaults.
 */
export function loadConfig(
  options: {
    file?: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Told of each BURNRATE_* variable that is no setting of the collector's or an app's. */
    warn?: (line: string) => void;
  } = {},
): LoadedConfig {
  const env = options.env ?? process.env;
  for (const line of unknownVariables(env, SERVER_VARIABLES)) options.warn?.(`burnrate: ${line}`);
  const cwd = options.cwd ?? process.cwd();
  const named = options.file ?? env.BURNRATE_CONFIG;
  const file = named ? resolve(cwd, named) : defaultFile(cwd);
  const raw = file ? readYaml(file) : {};
  const fromEnv = new Map<string, string>();
  for (const [name, { path, kind }] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    setPath(raw, path, parseEnv(name, value, kind));
    fromEnv.set(path.join("."), name);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describe(result.error, file, fromEnv));
  return { config: result.data, file };
}

function defaultFile(cwd: string): string | undefined {
  const candidate = resolve(cwd, "burnrate.yaml");
  return existsSync(candidate) ? candidate : undefined;
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `config file ${file} is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a mapping of settings at the top level`);
  }
  return parsed as Record<string, unknown>;
}

function parseEnv(name: string, value: string, kind: EnvKind): unknown {
  if (kind === "string") return value;
  if (kind === "int") {
    if (!/^\d+$/.test(value.trim()))
      throw new ConfigError(
        `${name} must be a whole number of 0 or more, in digits, got ${JSON.stringify(value)}`,
      );
    return Number(value);
  }
  // BURNRATE_API_KEYS: comma-separated `key:project:role` entries.
  return value.split(",").map((entry) => {
    const [key, project, role, ...extra] = entry.trim().split(":");
    if (!key || !project || !role || extra.length > 0) {
      throw new ConfigError(
        `${name} entries must look like key:project:role (role is one of ${ROLES.join(", ")})`,
      );
    }
    return { key, project, role };
  });
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    node[part] = typeof next === "object" && next !== null && !Array.isArray(next) ? next : {};
    node = node[part] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function describe(error: ZodError, file: string | undefined, fromEnv: Map<string, string>): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join(".");
      const envName = [...fromEnv].find(([p]) => path === p || path.startsWith(`${p}.`))?.[1];
      const where = envName ? `(from ${envName})` : file ? `in ${file}` : "(defaults)";
      return `config error ${where}: ${path || "(top level)"}: ${issue.message}`;
    })
    .join("; ");
}
