import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCollector, type TestCollector } from "./support/collector.js";
import { hexId, otlpJson } from "./support/otlp-json.js";

const INGEST = "acme-ingest-key-0123456789";
const READ = "acme-read-key-0123456789";
const OTHER = "globex-ingest-key-0123456789";

let c: TestCollector;
beforeAll(async () => {
  c = await startTestCollector({
    keys: [
      { key: INGEST, project: "acme", role: "ingest" },
      { key: READ, project: "acme", role: "read" },
      { key: OTHER, project: "globex", role: "ingest" },
    ],
  });
});
afterAll(async () => {
  await c.stop();
});

async function send(headers: Record<string, string>, traceId = hexId(16)) {
  const res = await fetch(`${c.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: otlpJson([{ traceId, spanId: hexId(8) }]),
  });
  return { status: res.status, body: await res.json(), wwwAuthenticate: res.headers.get("www-authenticate") };
}

describe("ingest authentication with keys configured", () => {
  it("refuses a request with no key (401)", async () => {
    expect(await send({})).toEqual({
      status: 401,
      body: {
        code: 16,
        message: "missing API key: send `Authorization: Bearer <key>` or `x-burnrate-api-key`",
      },
      wwwAuthenticate: "Bearer",
    });
  });

  it("refuses an unknown key (401) and a read key (403)", async () => {
    expect(await send({ authorization: "Bearer not-a-real-key-at-all" })).toEqual({
      status: 401,
      body: { code: 16, message: "unknown API key" },
      wwwAuthenticate: "Bearer",
    });
    expect(await send({ "x-burnrate-api-key": READ })).toEqual({
      status: 403,
      body: { code: 7, message: "this API key has the read role; this needs ingest" },
      wwwAuthenticate: null,
    });
  });

  it("stores spans under the key's own project, by either header", async () => {
    const acmeTrace = hexId(16);
    const globexTrace = hexId(16);
    expect((await send({ authorization: `Bearer ${INGEST}` }, acmeTrace)).status).toBe(200);
    expect((await send({ "x-burnrate-api-key": OTHER }, globexTrace)).status).toBe(200);
    const rows = await eventually(
      () =>
        c.db.query<{ ProjectId: string; TraceId: string }>({
          query:
            "SELECT ProjectId, TraceId FROM spans FINAL WHERE TraceId IN {t:Array(String)} ORDER BY ProjectId",
          params: { t: [acmeTrace, globexTrace] },
        }),
      (r) => r.length === 2,
    );
    expect(rows).toEqual([
      { ProjectId: "acme", TraceId: acmeTrace },
      { ProjectId: "globex", TraceId: globexTrace },
    ]);
  });
});

describe("the decision stream with keys configured", () => {
  it("needs an ingest key", async () => {
    const missing = await fetch(`${c.url}/v1/decisions/stream`);
    expect({ status: missing.status, body: await missing.json() }).toEqual({
      status: 401,
      body: { error: "missing API key: send `Authorization: Bearer <key>` or `x-burnrate-api-key`" },
    });
    const read = await fetch(`${c.url}/v1/decisions/stream`, { headers: { "x-burnrate-api-key": READ } });
    expect(read.status).toBe(403);
    await read.body?.cancel();
    const ok = await fetch(`${c.url}/v1/decisions/stream`, { headers: { "x-burnrate-api-key": INGEST } });
    expect({ status: ok.status, type: ok.headers.get("content-type") }).toEqual({
      status: 200,
      type: "text/event-stream",
    });
    const reader = ok.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(": connected\n\n");
    await reader.cancel();
  });
});
