import { spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbedded } from "@burnrate/storage";
import { describe, expect, it } from "vitest";
import {
  BURNRATE_BIN,
  groupAlive,
  printedUrl,
  spawnBurnrate,
  waitForOutput,
} from "./support/burnrate-process.js";

const TABLES = [
  "budgets",
  "burnrate_migrations",
  "incidents",
  "llm_calls",
  "llm_cost_minutely",
  "llm_cost_minutely_mv",
  "rollup_repairs",
  "spans",
];

async function tablesAndRows(dataDir: string) {
  const db = await openEmbedded(dataDir);
  try {
    const tables = await db.query<{ name: string }>({
      query: "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name",
      params: {},
    });
    const migrations = await db.query<{ n: number }>({
      query: "SELECT count() AS n FROM burnrate_migrations",
      params: {},
    });
    const incidents = await db.query<{ id: string }>({
      query: "SELECT id FROM incidents ORDER BY id",
      params: {},
    });
    return {
      tables: tables.map((t) => t.name),
      migrationRows: migrations[0]!.n,
      incidents: incidents.map((i) => i.id),
    };
  } finally {
    await db.close();
  }
}

async function startAndStop(dataDir: string, signal: "SIGINT" | "SIGTERM", subscribe = false) {
  const p = spawnBurnrate(["start"], {
    BURNRATE_DATA_DIR: dataDir,
    BURNRATE_OTLP_PORT: "0",
    BURNRATE_API_PORT: "0",
  });
  await waitForOutput(p, "Press Ctrl-C to stop.");
  const otlp = printedUrl(p, "OTLP endpoint");
  const api = printedUrl(p, "Query API");
  const health = [await fetch(`${otlp}/healthz`), await fetch(`${api}/healthz`)];
  const healthBodies = await Promise.all(
    health.map(async (r) => ({ status: r.status, body: await r.json() })),
  );
  // An app's kill switch holding the decision stream open must not hold the stop.
  const stream = subscribe ? await fetch(`${otlp}/v1/decisions/stream`) : undefined;
  const sentAt = Date.now();
  // SIGINT goes to the whole process group, as a terminal's Ctrl-C does.
  process.kill(signal === "SIGINT" ? -p.child.pid! : p.child.pid!, signal);
  const code = await p.exited;
  const stopMs = Date.now() - sentAt;
  await stream?.body?.cancel().catch(() => {});
  return { p, otlp, api, healthBodies, code, stopMs };
}

describe("burnrate start on embedded chDB", () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), "burnrate-start-")), "data");

  it("migrates, serves both health checks, prints where things are, and stops cleanly on Ctrl-C", async () => {
    const run = await startAndStop(dataDir, "SIGINT");
    expect(run.otlp).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.p.stdout()).toContain(`Storage         embedded chDB, data directory ${dataDir}`);
    expect(run.healthBodies).toEqual([
      { status: 200, body: { status: "ok" } },
      { status: 200, body: { status: "ok" } },
    ]);
    expect(run.code).toBe(0);
    expect(run.stopMs).toBeLessThan(5_000);
    expect(run.p.stdout()).toContain("burnrate: stopped cleanly");
    expect(groupAlive(run.p.child.pid!)).toBe(false);
    expect(await tablesAndRows(dataDir)).toEqual({ tables: TABLES, migrationRows: 9, incidents: [] });
  });

  it("reuses the data on a second start, and stops on SIGTERM with a decision stream open", async () => {
    const db = await openEmbedded(dataDir);
    const now = new Date().toISOString().replace("T", " ").replace("Z", "");
    await db.insert("incidents", [{ id: "kept-across-restarts", project_id: "default", created_at: now }]);
    await db.close();

    const run = await startAndStop(dataDir, "SIGTERM", true);
    expect(run.code).toBe(0);
    expect(run.stopMs).toBeLessThan(5_000);
    expect(groupAlive(run.p.child.pid!)).toBe(false);
    expect(await tablesAndRows(dataDir)).toEqual({
      tables: TABLES,
      migrationRows: 9,
      incidents: ["kept-across-restarts"],
    });
  });
});

describe("burnrate start errors", () => {
  it("names an unwritable data directory in one line, without a stack trace", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "burnrate-bad-")), "not-a-dir");
    writeFileSync(file, "");
    const p = spawnBurnrate(["start"], { BURNRATE_DATA_DIR: join(file, "data") });
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toBe(
      `burnrate: cannot write the data directory ${join(file, "data")} (ENOTDIR); set BURNRATE_DATA_DIR or storage.dataDir to a writable directory\n`,
    );
  });

  it("names the spool setting when the spool directory cannot be made", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "burnrate-bad-spool-")), "afile");
    writeFileSync(file, "");
    const p = spawnBurnrate(["start"], {
      BURNRATE_DATA_DIR: join(file, "..", "data"),
      BURNRATE_SPOOL_DIR: join(file, "spool"),
    });
    expect({ code: await p.exited, stderr: p.stderr() }).toEqual({
      code: 1,
      stderr: `burnrate: cannot write the spool directory ${join(file, "spool")} (ENOTDIR); set BURNRATE_SPOOL_DIR or collector.spool.dir to a writable directory\n`,
    });
  });

  // What a container running as a non-root user in a root-owned working directory meets with
  // the default spool (./.burnrate/spool). Only root can run a process as another user.
  it.runIf(process.getuid?.() === 0)(
    "names the spool setting when the working directory is not writable",
    async () => {
      const cwd = mkdtempSync(join(tmpdir(), "burnrate-readonly-cwd-"));
      chmodSync(cwd, 0o755);
      const nobody = 65534;
      const dataDir = mkdtempSync(join(tmpdir(), "burnrate-nobody-data-"));
      chownSync(dataDir, nobody, nobody);
      const child = spawn(process.execPath, [BURNRATE_BIN, "start"], {
        cwd,
        uid: nobody,
        gid: nobody,
        env: {
          PATH: process.env.PATH,
          BURNRATE_DATA_DIR: dataDir,
          BURNRATE_OTLP_PORT: "0",
          BURNRATE_API_PORT: "0",
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const code = await new Promise((resolve) => child.on("exit", resolve));
      expect({ code, stderr }).toEqual({
        code: 1,
        stderr: `burnrate: cannot write the spool directory ${join(cwd, ".burnrate/spool")} (EACCES); set BURNRATE_SPOOL_DIR or collector.spool.dir to a writable directory\n`,
      });
    },
  );

  it("refuses in one line, before chDB prints anything, while another process holds the data directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-start-busy-"));
    const dataDir = join(dir, "data");
    const held = await openEmbedded(dataDir);
    try {
      const p = spawnBurnrate(["start"], {
        BURNRATE_DATA_DIR: dataDir,
        BURNRATE_SPOOL_DIR: join(dir, "spool"),
        BURNRATE_OTLP_PORT: "0",
        BURNRATE_API_PORT: "0",
      });
      expect({ code: await p.exited, stderr: p.stderr() }).toEqual({
        code: 1,
        stderr: `burnrate: the data directory ${dataDir} is in use by process ${process.pid} (probably \`burnrate start\`); embedded chDB opens it in one process at a time, so stop that process and run burnrate start again\n`,
      });
    } finally {
      await held.close();
    }
  });

  it.each([
    ["OTLP receiver", "BURNRATE_OTLP_PORT", "server.otlpPort"],
    ["query API", "BURNRATE_API_PORT", "server.apiPort"],
  ])("names the setting when the %s's port is taken", async (what, variable, key) => {
    const dir = mkdtempSync(join(tmpdir(), "burnrate-port-taken-"));
    const taken = await occupyPort();
    try {
      const port = (taken.address() as { port: number }).port;
      const p = spawnBurnrate(["start"], {
        BURNRATE_DATA_DIR: join(dir, "data"),
        BURNRATE_SPOOL_DIR: join(dir, "spool"),
        BURNRATE_OTLP_PORT: "0",
        BURNRATE_API_PORT: "0",
        [variable]: String(port),
      });
      expect({ code: await p.exited, stderr: p.stderr() }).toEqual({
        code: 1,
        stderr: `burnrate: cannot listen on 127.0.0.1:${port} for the ${what} (EADDRINUSE): the port is taken, perhaps by another burnrate; stop that process or set ${variable} or ${key} to a free port\n`,
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("names an unreachable ClickHouse URL in one line, and adds the stack with --debug", async () => {
    const env = { BURNRATE_CLICKHOUSE_URL: "http://127.0.0.1:1" };
    const plain = spawnBurnrate(["start"], env);
    expect(await plain.exited).toBe(1);
    expect(plain.stderr()).toBe(
      "burnrate: cannot reach ClickHouse at http://127.0.0.1:1 (ECONNREFUSED); check BURNRATE_CLICKHOUSE_URL\n",
    );
    const debug = spawnBurnrate(["start", "--debug"], env);
    expect(await debug.exited).toBe(1);
    expect(debug.stderr()).toMatch(
      /^burnrate: cannot reach ClickHouse .*\nStorageUnavailableError: .*\n\s+at /,
    );
  });

  it("names a bad setting and where it came from", async () => {
    const p = spawnBurnrate(["start"], { BURNRATE_API_PORT: "99999" });
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toBe(
      "burnrate: config error (from BURNRATE_API_PORT): server.apiPort: Too big: expected number to be <=65535\n",
    );
  });
});

/** A plain TCP server on a free loopback port, standing in for whatever else holds it. */
function occupyPort(): Promise<Server> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("burnrate --help", () => {
  it.each([
    [["--help"], "Usage: burnrate <command> [options]"],
    [["start", "--help"], "Usage: burnrate start [options]"],
    [["migrate", "--help"], "Usage: burnrate migrate [options]"],
  ])("burnrate %j prints usage and exits 0", async (args, first) => {
    const p = spawnBurnrate(args, {});
    expect(await p.exited).toBe(0);
    expect(p.stdout().split("\n")[0]).toBe(first);
  });

  it("rejects an unknown option with usage help", async () => {
    const p = spawnBurnrate(["start", "--colour"], {});
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toBe(
      "burnrate start: Unknown option '--colour'\nRun `burnrate start --help` for usage.\n",
    );
  });
});

describe("burnrate migrate", () => {
  it("applies the schema and is idempotent", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "burnrate-migrate-cli-")), "data");
    const first = spawnBurnrate(["migrate"], { BURNRATE_DATA_DIR: dataDir });
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toBe(
      [
        `burnrate: migrating embedded chDB, data directory ${dataDir}`,
        "  applied 0001_spans",
        "  applied 0002_llm_calls",
        "  applied 0003_llm_cost_minutely",
        "  applied 0004_incidents",
        "  applied 0005_budgets",
        "  applied 0006_rollup_repairs",
        "  applied 0007_cache_write_1h",
        "  applied 0008_audio_web_search",
        "  applied 0009_incident_releases",
        "  9 applied, 0 already up to date",
        "",
      ].join("\n"),
    );
    const second = spawnBurnrate(["migrate"], {
      BURNRATE_DATA_DIR: dataDir,
      BURNRATE_RETENTION_SPANS_DAYS: "30",
    });
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toBe(
      [
        `burnrate: migrating embedded chDB, data directory ${dataDir}`,
        "  0 applied, 9 already up to date",
        "  retention updated on spans",
        "",
      ].join("\n"),
    );
    expect(second.stderr()).toBe("");
  });

  it("refuses in one line, before chDB prints anything, while another process holds the data directory", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "burnrate-migrate-busy-")), "data");
    const held = await openEmbedded(dataDir);
    try {
      const p = spawnBurnrate(["migrate"], { BURNRATE_DATA_DIR: dataDir });
      expect({ code: await p.exited, stdout: p.stdout(), stderr: p.stderr() }).toEqual({
        code: 1,
        stdout: "",
        stderr: `burnrate: the data directory ${dataDir} is in use by process ${process.pid} (probably \`burnrate start\`); embedded chDB opens it in one process at a time, so stop that process and run burnrate migrate again\n`,
      });
    } finally {
      await held.close();
    }
  });

  // A process killed with SIGKILL leaves its PID in <dataDir>/status, and the PID may later
  // belong to another process; the lock, not the PID, says whether the directory is taken.
  it.runIf(existsSync("/proc/locks"))(
    "opens a data directory whose status file names a live process that holds no lock",
    async () => {
      const dataDir = join(mkdtempSync(join(tmpdir(), "burnrate-migrate-stale-")), "data");
      mkdirSync(dataDir);
      writeFileSync(join(dataDir, "status"), `PID: ${process.pid}\nStarted at: 2026-01-01 00:00:00\n`);
      const p = spawnBurnrate(["migrate"], { BURNRATE_DATA_DIR: dataDir });
      expect({ code: await p.exited, stderr: p.stderr() }).toEqual({ code: 0, stderr: "" });
    },
  );

  it("warns about an applied migration whose shipped file differs from what was applied", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "burnrate-migrate-changed-")), "data");
    expect(await spawnBurnrate(["migrate"], { BURNRATE_DATA_DIR: dataDir }).exited).toBe(0);
    // As if 0004 had been applied from another version of its file.
    const db = await openEmbedded(dataDir);
    await db.insert("burnrate_migrations", [{ version: 4, name: "incidents", checksum: "00000000000000aa" }]);
    await db.close();
    const run = spawnBurnrate(["migrate"], { BURNRATE_DATA_DIR: dataDir });
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toMatch(
      /^burnrate: migration 0004_incidents differs from the one applied \(checksum [0-9a-f]{16}, applied 00000000000000aa\); the difference was not applied\. Migrations are append-only: a schema change needs a new one, and a damaged install a reinstall\n$/,
    );
  });
});
