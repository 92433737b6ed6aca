import { describe, expect, it } from "vitest";
import { createKeyAuthenticator } from "./authenticate.js";

const read = { key: "read-key-0123456789", project: "acme", role: "read" } as const;
const admin = { key: "admin-key-0123456789", project: "acme", role: "admin" } as const;
const ingest = { key: "ingest-key-0123456789", project: "beta", role: "ingest" } as const;

describe("createKeyAuthenticator", () => {
  const check = createKeyAuthenticator([read, admin, ingest]);

  it("puts everything in project default, as admin, when no keys are configured", () => {
    expect(createKeyAuthenticator([])({}, ["read"])).toEqual({ ok: true, project: "default", role: "admin" });
  });

  it("accepts a Bearer token or x-burnrate-api-key and returns the key's project", () => {
    expect(check({ authorization: `Bearer ${read.key}` }, ["read"])).toEqual({
      ok: true,
      project: "acme",
      role: "read",
    });
    expect(check({ "x-burnrate-api-key": ingest.key }, ["ingest"])).toEqual({
      ok: true,
      project: "beta",
      role: "ingest",
    });
  });

  it("lets an admin key do anything in its project", () => {
    expect(check({ authorization: `bearer ${admin.key}` }, ["read"])).toEqual({
      ok: true,
      project: "acme",
      role: "admin",
    });
  });

  it("answers 401 for a missing or unknown key and 403 for the wrong role", () => {
    expect(check({}, ["read"])).toEqual({
      ok: false,
      status: 401,
      message: "missing API key: send `Authorization: Bearer <key>` or `x-burnrate-api-key`",
    });
    expect(check({ authorization: "Bearer nope-nope-nope-nope" }, ["read"])).toEqual({
      ok: false,
      status: 401,
      message: "unknown API key",
    });
    expect(check({ authorization: `Bearer ${read.key}` }, ["admin"])).toEqual({
      ok: false,
      status: 403,
      message: "this API key has the read role; this needs admin",
    });
  });
});
