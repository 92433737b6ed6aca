import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectorConfigSchema } from "@burnrate/collector";
import { APP_VARIABLES, SERVER_VARIABLES } from "@burnrate/core";
import { describe, expect, it } from "vitest";
import { shutdownDeadlineMs } from "./commands/start.js";
import { ConfigError, ENV_VARS, loadConfig } from "./config.js";

function dirWith(yaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "burnrate-config-"));
  if (yaml !== undefined) writeFileSync(join(dir, "burnrate.yaml"), yaml);
  return dir;
}

describe("loadConfig", () => {
  it("gives the documented defaults with no file and no variables", () => {
    expect(loadConfig({ env: {}, cwd: dirWith() })).toEqual({
      file: undefined,
      config: {
        server: { host: "127.0.0.1", otlpPort: 4318, apiPort: 4320 },
        storage: {
          dataDir: "./.burnrate/data",
          clickhouse: { user: "default", password: "", database: "burnrate" },
          retention: { spansDays: 90, callsDays: 400 },
        },
        auth: { keys: [] },
        collector: collectorConfigSchema.parse({}),
      },
    });
  });

  it("reads ./burnrate.yaml and lets BURNRATE_* variables override it", () => {
    const cwd = dirWith(
      "server:\n  otlpPort: 5318\nstorage:\n  dataDir: /var/lib/burnrate\n  retention:\n    spansDays: 7\n",
    );
    const { config, file } = loadConfig({
      cwd,
      env: {
        BURNRATE_OTLP_PORT: "6318",
        BURNRATE_CLICKHOUSE_URL: "http://clickhouse:8123",
        BURNRATE_HOST: "0.0.0.0",
        BURNRATE_API_KEYS: "ingest-key-0123456789:acme:ingest, read-key-0123456789:acme:read",
      },
    });
    expect(file).toBe(join(cwd, "burnrate.yaml"));
    expect(config).toEqual({
      server: { host: "0.0.0.0", otlpPort: 6318, apiPort: 4320 },
      storage: {
        dataDir: "/var/lib/burnrate",
        clickhouse: { url: "http://clickhouse:8123", user: "default", password: "", database: "burnrate" },
        retention: { spansDays: 7, callsDays: 400 },
      },
      auth: {
        keys: [
          { key: "ingest-key-0123456789", project: "acme", role: "ingest" },
          { key: "read-key-0123456789", project: "acme", role: "read" },
        ],
      },
      collector: collectorConfigSchema.parse({}),
    });
  });

  it("names the file and the field when the file is wrong", () => {
    const cwd = dirWith("server:\n  otlpPort: lots\n  colour: red\n");
    const file = join(cwd, "burnrate.yaml");
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      new ConfigError(
        `config error in ${file}: server.otlpPort: Invalid input: expected number, received string; ` +
          `config error in ${file}: server: Unrecognized key: "colour"`,
      ),
    );
  });

  it("refuses a decision-stream heartbeat slower than apps wait for before reopening the stream", () => {
    const cwd = dirWith("collector:\n  decisions: { heartbeatSeconds: 60 }\n");
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      new ConfigError(
        `config error in ${join(cwd, "burnrate.yaml")}: collector.decisions.heartbeatSeconds: Too big: expected number to be <=30`,
      ),
    );
  });

  it("names a misspelt storage setting instead of keeping its default", () => {
    const cwd = dirWith("storage:\n  retention: { spanDays: 7 }\n  clickhouse: { passwrod: x }\n");
    const file = join(cwd, "burnrate.yaml");
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      new ConfigError(
        `config error in ${file}: storage.clickhouse: Unrecognized key: "passwrod"; ` +
          `config error in ${file}: storage.retention: Unrecognized key: "spanDays"`,
      ),
    );
    expect(() =>
      loadConfig({ cwd: dirWith(), env: { BURNRATE_API_KEYS: "k1:default:admin:extra" } }),
    ).toThrow(
      new ConfigError(
        "BURNRATE_API_KEYS entries must look like key:project:role (role is one of ingest, read, admin)",
      ),
    );
  });

  it("gives a shutdown as long as the configured drain, plus a margin for the rest", () => {
    const drained = loadConfig({
      cwd: dirWith("collector:\n  writer: { drainTimeoutMs: 30000 }\n"),
      env: {},
    });
    const byDefault = loadConfig({ cwd: dirWith(), env: {} });
    expect([shutdownDeadlineMs(drained.config), shutdownDeadlineMs(byDefault.config)]).toEqual([
      31_500, 4_500,
    ]);
  });

  it("names the variable when a variable is wrong", () => {
    expect(() => loadConfig({ cwd: dirWith(), env: { BURNRATE_OTLP_PORT: "43x" } })).toThrow(
      new ConfigError('BURNRATE_OTLP_PORT must be a whole number of 0 or more, in digits, got "43x"'),
    );
    expect(() => loadConfig({ cwd: dirWith(), env: { BURNRATE_CLICKHOUSE_URL: "clickhouse:8123" } })).toThrow(
      new ConfigError(
        "config error (from BURNRATE_CLICKHOUSE_URL): storage.clickhouse.url: must be an http:// or https:// URL",
      ),
    );
  });

  it("refuses to listen beyond loopback without API keys", () => {
    expect(() => loadConfig({ cwd: dirWith(), env: { BURNRATE_HOST: "0.0.0.0" } })).toThrow(
      new ConfigError(
        "config error (from BURNRATE_HOST): server.host: 0.0.0.0 is reachable from other machines, so API keys are required: set auth.keys (or BURNRATE_API_KEYS), or listen on 127.0.0.1",
      ),
    );
  });

  it("says when the named file is missing or not YAML", () => {
    const cwd = dirWith();
    expect(() => loadConfig({ cwd, env: { BURNRATE_CONFIG: "nope.yaml" } })).toThrow(
      new ConfigError(`cannot read config file ${join(cwd, "nope.yaml")} (ENOENT)`),
    );
    writeFileSync(join(cwd, "bad.yaml"), "server: [1, 2\n");
    expect(() => loadConfig({ cwd, file: "bad.yaml", env: {} })).toThrow(
      /^config file .*bad\.yaml is not valid YAML: /,
    );
  });

  it("says which BURNRATE_* variables are no setting, with the one a typo likely meant, and leaves the app's alone", () => {
    const warnings: string[] = [];
    const loaded = loadConfig({
      env: {
        BURNRATE_OTLP_POTR: "4999",
        BURNRATE_RETENTION_DAYS: "7",
        BURNRATE_API_KEY: "app-side-key-0001",
        BURNRATE_MAX_COST_PER_TRACE: "2",
        BURNRATE_API_PORT: "4321",
      },
      cwd: dirWith(),
      warn: (line) => warnings.push(line),
    });
    expect({
      apiPort: loaded.config.server.apiPort,
      otlpPort: loaded.config.server.otlpPort,
      warnings,
    }).toEqual({
      apiPort: 4321,
      otlpPort: 4318,
      warnings: [
        "burnrate: BURNRATE_OTLP_POTR is not a setting and is ignored; did you mean BURNRATE_OTLP_PORT?",
        "burnrate: BURNRATE_RETENTION_DAYS is not a setting and is ignored (the README lists the settings)",
      ],
    });
  });

  it("knows its own variables, and every one the README documents for the instrumentation", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(
      readme.indexOf("## Instrumenting an app"),
      readme.indexOf("## The collector"),
    );
    const documented = new Set<string>();
    for (const line of section.split("\n")) {
      if (!line.startsWith("| `")) continue;
      for (const name of line.split("|")[1]!.match(/BURNRATE_[A-Z0-9_]+/g) ?? []) documented.add(name);
    }
    expect({ server: [...SERVER_VARIABLES], app: [...APP_VARIABLES] }).toEqual({
      server: [...Object.keys(ENV_VARS), "BURNRATE_CONFIG"].sort(),
      app: [...documented].sort(),
    });
  });
});
