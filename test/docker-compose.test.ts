import { readFileSync } from "node:fs";
import { ENV_VARS, loadConfig } from "burnrate";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine runs here, so these tests read the files users will run and check them
// against the code's own defaults and settings.
const root = new URL("../", import.meta.url);
const compose = parse(readFileSync(new URL("docker-compose.yml", root), "utf8"));
const dockerfile = readFileSync(new URL("Dockerfile", root), "utf8");
const datasource = parse(
  readFileSync(new URL("dashboards/grafana/provisioning/datasources/clickhouse.yaml", root), "utf8"),
);
const defaults = loadConfig({ env: {}, cwd: "/" }).config;

/** The Dockerfile's instructions, one per entry, with continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
/** The runtime stage: from the last FROM on. */
const runtime = instructions.slice(instructions.findLastIndex((line) => line.startsWith("FROM ")));

/** The runtime stage's ENV settings, in `ENV KEY=value ...` form. */
const imageEnv = Object.fromEntries(
  runtime
    .filter((line) => line.startsWith("ENV "))
    .flatMap((line) => line.slice(4).trim().split(/\s+/))
    .map((pair) => pair.split("=") as [string, string]),
);

describe("docker-compose.yml", () => {
  const { clickhouse, burnrate, grafana } = compose.services;

  it("runs a pinned ClickHouse server of version 24.8 or later", () => {
    const [, tag] = clickhouse.image.split(":");
    const [major, minor] = tag.split(".").map(Number);
    expect(clickhouse.image).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+/);
    expect(major * 100 + minor).toBeGreaterThanOrEqual(2408);
  });

  it("publishes Burnrate on the code's default ports, and the container listens on them", () => {
    const env = burnrate.environment;
    expect(Number(env.BURNRATE_OTLP_PORT)).toBe(defaults.server.otlpPort);
    expect(Number(env.BURNRATE_API_PORT)).toBe(defaults.server.apiPort);
    expect(burnrate.ports).toEqual([
      `127.0.0.1:${defaults.server.otlpPort}:${defaults.server.otlpPort}`,
      `127.0.0.1:${defaults.server.apiPort}:${defaults.server.apiPort}`,
    ]);
    expect(dockerfile).toContain(`EXPOSE ${defaults.server.otlpPort} ${defaults.server.apiPort}`);
  });

  it("sets only variables the code reads, and they validate", () => {
    const env = burnrate.environment as Record<string, string>;
    expect(Object.keys(env).filter((k) => !(k in ENV_VARS))).toEqual([]);
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v.replace(/^\$\{[A-Z_]+:-(.*)\}$/, "$1")]),
    );
    const { config } = loadConfig({ env: resolved, cwd: "/" });
    expect(config.server.host).toBe("0.0.0.0");
    expect(config.auth.keys.map((k) => k.role)).toEqual(["ingest", "read", "admin"]);
  });

  it("keeps the spool in a directory the node user owns, on a named volume", () => {
    const stateDir = "/var/lib/burnrate";
    // The default spool is relative to the working directory, /app, which is root-owned.
    expect(imageEnv.BURNRATE_SPOOL_DIR).toBe(`${stateDir}/spool`);
    expect(imageEnv.BURNRATE_DATA_DIR).toBe(`${stateDir}/data`);
    expect(Object.keys(imageEnv).filter((k) => k.startsWith("BURNRATE_") && !(k in ENV_VARS))).toEqual([]);
    const { config } = loadConfig({ env: imageEnv, cwd: "/app" });
    expect([config.collector.spool.dir, config.storage.dataDir]).toEqual([
      `${stateDir}/spool`,
      `${stateDir}/data`,
    ]);
    // Created and handed to node before the image switches to it.
    const user = runtime.indexOf("USER node");
    const prepare = runtime.findIndex(
      (line) =>
        line.startsWith("RUN ") &&
        line.includes(`mkdir -p ${stateDir}/spool ${stateDir}/data`) &&
        line.includes(`chown -R node:node ${stateDir}`),
    );
    expect(prepare).toBeGreaterThan(0);
    expect(user).toBeGreaterThan(prepare);
    // A named volume starts as a copy of the image's directory, node's ownership included, and
    // outlives the container, so what was accepted but not written is replayed after a rebuild.
    expect(burnrate.volumes).toEqual([`burnrate-state:${stateDir}`]);
    expect(Object.keys(compose.volumes)).toContain("burnrate-state");
  });

  it("lists, in its header, only what the services serve", () => {
    const header = readFileSync(new URL("docker-compose.yml", root), "utf8").split("\n").slice(0, 5);
    expect(header).toContain(`#   query API:               http://127.0.0.1:${defaults.server.apiPort}`);
    expect(header.join("\n")).not.toMatch(/dashboard/i);
  });

  it("points Burnrate at the ClickHouse service with its credentials", () => {
    const env = burnrate.environment;
    const ch = clickhouse.environment;
    expect(env.BURNRATE_CLICKHOUSE_URL).toBe("http://clickhouse:8123");
    expect(clickhouse.ports).toEqual(["127.0.0.1:8123:8123"]);
    expect([
      env.BURNRATE_CLICKHOUSE_USER,
      env.BURNRATE_CLICKHOUSE_PASSWORD,
      env.BURNRATE_CLICKHOUSE_DATABASE,
    ]).toEqual([ch.CLICKHOUSE_USER, ch.CLICKHOUSE_PASSWORD, ch.CLICKHOUSE_DB]);
    expect(burnrate.depends_on).toEqual({ clickhouse: { condition: "service_healthy" } });
  });

  it("runs Grafana with the ClickHouse plugin, provisioned against the same database", () => {
    expect(grafana.environment.GF_INSTALL_PLUGINS).toBe("grafana-clickhouse-datasource");
    const [ds] = datasource.datasources;
    expect(ds.type).toBe("grafana-clickhouse-datasource");
    expect(ds.jsonData).toMatchObject({
      host: "clickhouse",
      port: 8123,
      username: clickhouse.environment.CLICKHOUSE_USER,
      defaultDatabase: clickhouse.environment.CLICKHOUSE_DB,
      traces: { defaultTable: "spans" },
    });
    expect(ds.secureJsonData.password).toBe(clickhouse.environment.CLICKHOUSE_PASSWORD);
  });
});
