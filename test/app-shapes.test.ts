import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MockLlmServer, startMockLlmServer } from "@burnrate/instrumentation/mock-llm";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";

const apps = fileURLToPath(new URL("./apps/", import.meta.url));

let collector: TestCollector;
let mock: MockLlmServer;
beforeAll(async () => {
  collector = await startTestCollector();
  mock = await startMockLlmServer();
  mock.setDefault({ text: "hi", usage: { input: 1_000, cacheRead: 200, output: 50 } });
});
afterAll(async () => {
  await mock.close();
  await collector.stop();
});

/** Runs an app as a real child process that exports its spans to the collector over OTLP/HTTP. */
function runApp(
  service: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: apps,
      env: {
        ...process.env,
        OTEL_SERVICE_NAME: service,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        MOCK_OPENAI_URL: mock.openaiBaseUrl,
        OTEL_LOG_LEVEL: "warn",
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function callOf(service: string, run: { stderr: string }) {
  const rows = await eventually(
    () =>
      collector.db.query<Record<string, unknown>>({
        query: `SELECT service, provider, operation, request_model, feature, user_id, input_tokens, cache_read_tokens,
            output_tokens, cost_total, cost_source, prompt_fingerprint != '' AS fingerprinted
          FROM llm_calls FINAL WHERE service = {s:String}`,
        params: { s: service },
      }),
    (r) => r.length === 1,
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\napp stderr:\n${run.stderr}`);
  });
  return rows[0];
}

// gpt-4o-mini: 800 uncached * $0.15/M + 200 cached * $0.075/M + 50 * $0.60/M = $0.000165
const expectedCall = (service: string, user: string) => ({
  service,
  provider: "openai",
  operation: "chat",
  request_model: "gpt-4o-mini",
  feature: user ? "app-shapes" : "",
  user_id: user,
  input_tokens: 1_000,
  cache_read_tokens: 200,
  output_tokens: 50,
  cost_total: "0.000165000000",
  cost_source: "computed",
  fingerprinted: 1,
});

describe("one import instruments every app shape", () => {
  it("a CommonJS app with require() as its first line", async () => {
    const run = await runApp("shape-cjs-require", ["cjs-require.cjs"]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect(await callOf("shape-cjs-require", run)).toEqual(expectedCall("shape-cjs-require", "cjs-require"));
  });

  it("an ESM app with the import line first and a static import of openai", async () => {
    const run = await runApp("shape-esm-import-line", ["esm-import-line.mjs"]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect(await callOf("shape-esm-import-line", run)).toEqual(
      expectedCall("shape-esm-import-line", "esm-import-line"),
    );
  });

  it("an ESM app started with node --import", async () => {
    const run = await runApp("shape-esm-flag", [
      "--import",
      "@burnrate/instrumentation/register",
      "esm-plain.mjs",
    ]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect(await callOf("shape-esm-flag", run)).toEqual(expectedCall("shape-esm-flag", ""));
  });

  it("a CommonJS app started with node -r", async () => {
    const run = await runApp("shape-cjs-flag", ["-r", "@burnrate/instrumentation/register", "cjs-plain.cjs"]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect(await callOf("shape-cjs-flag", run)).toEqual(expectedCall("shape-cjs-flag", ""));
  });

  it("an app with bad values in Burnrate's variables still exports its calls, and says what it ignored", async () => {
    const run = await runApp("shape-bad-env", ["-r", "@burnrate/instrumentation/register", "cjs-plain.cjs"], {
      BURNRATE_EXPORT_DELAY_MS: "soon",
      BURNRATE_MAX_COST_PER_TRACE: "2$",
      BURNRATE_LOOP_IDENTICAL_CALLS: "1",
    });
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect(await callOf("shape-bad-env", run)).toEqual(expectedCall("shape-bad-env", ""));
    const warnings = run.stderr
      .split("\n")
      .flatMap((line) => line.match(/\[BURNRATE_CONFIG\] Warning: (.*)/)?.[1] ?? []);
    expect(warnings).toEqual([
      'burnrate: BURNRATE_EXPORT_DELAY_MS="soon" is ignored: not a whole number of milliseconds from 0 to 60000; using 200',
      'burnrate: BURNRATE_MAX_COST_PER_TRACE="2$" is ignored: not a number',
      'burnrate: BURNRATE_LOOP_IDENTICAL_CALLS="1" is ignored: Too small: expected number to be >=2',
    ]);
  });

  it("an app whose collector cannot be reached still exits 0, and warns that its last spans are lost", async () => {
    // The last spans are flushed when the event loop empties; a refused export used to be an
    // unhandled rejection there, which made the app exit 1.
    const run = await runApp(
      "shape-no-collector",
      ["-r", "@burnrate/instrumentation/register", "cjs-plain.cjs"],
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1",
        // The exporter retries until this timeout (10 s by default) before the app can exit.
        OTEL_EXPORTER_OTLP_TIMEOUT: "1000",
      },
    );
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect(run.stderr).not.toContain("UnhandledPromiseRejection");
    // The lost spans are not lost unseen.
    const warnings = run.stderr
      .split("\n")
      .flatMap((line) => line.match(/\[BURNRATE_EXPORT\] Warning: (.*)/)?.[1] ?? []);
    expect(warnings).toEqual([
      "burnrate: the last spans could not be sent to http://127.0.0.1:1/v1/traces before exit " +
        "(Error: connect ECONNREFUSED 127.0.0.1:1); they are lost. Is the collector running?",
    ]);
  });

  it("an app that aborts a stream and never reads it again still records the call before it exits", async () => {
    const run = await runApp("shape-abandoned-stream", [
      "--import",
      "@burnrate/instrumentation/register",
      "abandoned-stream.mjs",
    ]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "aborted\n" });
    const rows = await eventually(
      () =>
        collector.db.query<Record<string, unknown>>({
          query: `SELECT request_model, status, error_type, estimated, output_tokens
            FROM llm_calls FINAL WHERE service = {s:String}`,
          params: { s: "shape-abandoned-stream" },
        }),
      (r) => r.length === 1,
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\napp stderr:\n${run.stderr}`);
    });
    // Nothing of the answer was read, so the call is estimated, with no output.
    expect(rows).toEqual([
      {
        request_model: "gpt-4o-mini",
        status: "error",
        error_type: "AbortError",
        estimated: true,
        output_tokens: 0,
      },
    ]);
  });

  it("an app bundled with esbuild that calls instrument()", async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), "burnrate-bundle-")), "app.mjs");
    await build({
      entryPoints: [join(apps, "bundled.mjs")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile,
      logLevel: "silent",
      // CommonJS dependencies inside an ESM bundle still call require().
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    const run = await runApp("shape-bundled", [outfile]);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect(await callOf("shape-bundled", run)).toEqual(expectedCall("shape-bundled", "bundled"));
  });
});

describe("an app sending to a collector that needs keys", () => {
  const INGEST = "acme-ingest-key-0123456789";
  let keyed: TestCollector;
  beforeAll(async () => {
    keyed = await startTestCollector({
      db: collector.db,
      keys: [{ key: INGEST, project: "acme", role: "ingest" }],
    });
  });
  afterAll(async () => {
    await keyed.stop();
  });

  it("sends BURNRATE_API_KEY with its spans, which land in the key's project", async () => {
    const run = await runApp(
      "shape-keyed",
      ["--import", "@burnrate/instrumentation/register", "esm-plain.mjs"],
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: keyed.url,
        BURNRATE_API_KEY: INGEST,
      },
    );
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect(await callOf("shape-keyed", run)).toEqual(expectedCall("shape-keyed", ""));
    const [row] = await collector.db.query<{ project_id: string }>({
      query: "SELECT project_id FROM llm_calls FINAL WHERE service = {s:String}",
      params: { s: "shape-keyed" },
    });
    expect(row).toEqual({ project_id: "acme" });
  });

  it("says at exit that the key was refused, not that the collector is down", async () => {
    const run = await runApp("shape-bad-key", ["-r", "@burnrate/instrumentation/register", "cjs-plain.cjs"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: keyed.url,
      BURNRATE_API_KEY: "not-a-key-0123456789",
    });
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    const warnings = run.stderr
      .split("\n")
      .flatMap((line) => line.match(/\[BURNRATE_EXPORT\] Warning: (.*)/)?.[1] ?? []);
    expect(warnings).toEqual([
      `burnrate: the last spans could not be sent to ${keyed.url}/v1/traces before exit ` +
        "(OTLPExporterError: Unauthorized); they are lost. Does BURNRATE_API_KEY hold one of the collector's ingest keys?",
    ]);
  });
});
