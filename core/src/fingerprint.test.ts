import { describe, expect, it } from "vitest";
import { canonicalHash } from "./canonical-hash.js";
import { promptFingerprint, toolCallFingerprint } from "./fingerprint.js";

describe("fingerprints", () => {
  it("match tool calls whose arguments differ only in key order or encoding", () => {
    const a = toolCallFingerprint("read_file", '{"path":"a.ts","encoding":"utf8"}');
    expect(toolCallFingerprint("read_file", { encoding: "utf8", path: "a.ts" })).toBe(a);
    expect(toolCallFingerprint("read_file", { encoding: "utf8", path: "b.ts" })).not.toBe(a);
    expect(toolCallFingerprint("write_file", { encoding: "utf8", path: "a.ts" })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it("hash the prompt, model and tools, never keep content", () => {
    const messages = [{ role: "user", content: "my secret is hunter2" }];
    const fp = promptFingerprint({ model: "gpt-4o", messages });
    expect(fp).toBe(canonicalHash("gpt-4o", null, messages, null));
    expect(
      promptFingerprint({ model: "gpt-4o", messages: [{ content: "my secret is hunter2", role: "user" }] }),
    ).toBe(fp);
    expect(fp).not.toContain("hunter2");
    expect(promptFingerprint({ model: "gpt-4o-mini", messages })).not.toBe(fp);
    expect(promptFingerprint({ model: "gpt-4o", messages, tools: [{ name: "x" }] })).not.toBe(fp);
  });
});
