import { describe, expect, it } from "vitest";
import { jitter, outcomeOfStatus, parseRetryAfter } from "./retry-policy.js";

const NOW = Date.parse("2025-01-01T12:00:00Z");

describe("outcomeOfStatus", () => {
  it("delivers on 2xx, retries what may pass, stops on the rest", () => {
    const statuses = [200, 204, 301, 400, 401, 404, 408, 410, 413, 429, 500, 502, 503];
    expect(Object.fromEntries(statuses.map((s) => [s, outcomeOfStatus(s, null, NOW)]))).toEqual({
      200: { kind: "delivered" },
      204: { kind: "delivered" },
      301: { kind: "failed", problem: "HTTP 301" },
      400: { kind: "failed", problem: "HTTP 400" },
      401: { kind: "failed", problem: "HTTP 401" },
      404: { kind: "failed", problem: "HTTP 404" },
      408: { kind: "retry", problem: "HTTP 408" },
      410: { kind: "gone" },
      413: { kind: "failed", problem: "HTTP 413" },
      429: { kind: "retry", problem: "HTTP 429" },
      500: { kind: "retry", problem: "HTTP 500" },
      502: { kind: "retry", problem: "HTTP 502" },
      503: { kind: "retry", problem: "HTTP 503" },
    });
  });

  it("carries Retry-After on a retry only", () => {
    expect(outcomeOfStatus(429, "7", NOW)).toEqual({
      kind: "retry",
      problem: "HTTP 429",
      retryAfterMs: 7_000,
    });
    expect(outcomeOfStatus(400, "7", NOW)).toEqual({ kind: "failed", problem: "HTTP 400" });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates up to a minute, and nothing else", () => {
    const values = [
      "0",
      "1",
      " 60 ",
      "61",
      "-1",
      "1.5",
      "soon",
      "",
      "Wed, 01 Jan 2025 12:00:30 GMT",
      "Wed, 01 Jan 2025 11:59:00 GMT",
      "Wed, 01 Jan 2025 13:00:00 GMT",
    ];
    expect(Object.fromEntries(values.map((v) => [v, parseRetryAfter(v, NOW)]))).toEqual({
      "0": 0,
      "1": 1_000,
      " 60 ": 60_000,
      "61": undefined,
      "-1": undefined,
      "1.5": undefined,
      soon: undefined,
      "": undefined,
      "Wed, 01 Jan 2025 12:00:30 GMT": 30_000,
      "Wed, 01 Jan 2025 11:59:00 GMT": 0,
      "Wed, 01 Jan 2025 13:00:00 GMT": undefined,
    });
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe("jitter", () => {
  it("spreads a wait by ±20% and leaves 0 at 0", () => {
    expect([0, 0.5, 1].map((r) => jitter(1_000, () => r))).toEqual([800, 1_000, 1_200]);
    expect(jitter(0)).toBe(0);
  });
});
