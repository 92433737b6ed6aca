import { describe, expect, it } from "vitest";
import { SECRET } from "./testdata/fixtures.js";
import { webhooksConfigSchema } from "./webhook-config.js";

const issues = (input: unknown) =>
  webhooksConfigSchema
    .safeParse(input)
    .error?.issues.map((issue) => ({ path: issue.path, message: issue.message }));

describe("webhooksConfigSchema", () => {
  it("defaults to no endpoints", () => {
    expect(webhooksConfigSchema.parse(undefined)).toEqual([]);
  });

  it("fills every default of an endpoint", () => {
    expect(
      webhooksConfigSchema.parse([{ url: "https://agents.example.com/burnrate", secret: SECRET }]),
    ).toEqual([
      {
        url: "https://agents.example.com/burnrate",
        secret: SECRET,
        actions: ["warn", "block_tool", "kill", "release"],
        timeoutMs: 5_000,
        maxConcurrency: 4,
        retryDelaysMs: [0, 1_000, 2_000, 4_000, 8_000],
        giveUpAfterMs: 60_000,
        maxQueued: 1_000,
      },
    ]);
  });

  it("names the field in every error", () => {
    expect(
      issues([
        { url: "ftp://agents.example.com", secret: SECRET },
        { url: "http://127.0.0.1:9000/hook", secret: "hunter2" },
        { url: "http://127.0.0.1:9000/hook", secret: "whsec_!!" },
        { url: "http://127.0.0.1:9000/hook", secret: SECRET, actions: ["explode"], maxConcurrency: 0 },
        { url: "http://127.0.0.1:9000/hook", secret: SECRET, retryDelaysMs: [], headers: {} },
      ]),
    ).toEqual([
      { path: [0, "url"], message: "url must be an http:// or https:// URL" },
      { path: [1, "secret"], message: "secret must start with whsec_ (a Standard Webhooks secret)" },
      {
        path: [2, "secret"],
        message: "secret must be whsec_ followed by non-empty base64, as the receiver's library expects",
      },
      { path: [3, "actions", 0], message: "actions may only hold warn, block_tool, kill, release" },
      { path: [3, "maxConcurrency"], message: "maxConcurrency must be at least 1" },
      { path: [4, "retryDelaysMs"], message: "retryDelaysMs must allow at least one attempt" },
      { path: [4], message: 'Unrecognized key: "headers"' },
    ]);
  });
});
