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
