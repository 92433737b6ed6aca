import { describe, expect, it } from "vitest";
import { canonicalJson, digest, promptFingerprint, toolCallFingerprint } from "./fingerprint.js";

describe("fingerprints", () => {
  it("canonicalise key order at every depth and drop undefined", () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: undefined, e: null })).toBe(
      '{"b":[{"c":2,"d":1}],"e":null}',
    );
  });

  it("give the same text for few keys and many as an object rebuilt in .sort() order", () => {
    // Fingerprints are stored, so their canonical text must not change between versions.
    for (const count of [3, 40]) {
      const names = Array.from({ length: count }, (_, i) => [`k${i}`, `${i}`, `É${i}`, `_${i}`][i % 4]!);
      const shuffled = Object.fromEntries([...names].reverse().map((name, i) => [name, i]));
      const rebuilt = Object.fromEntries(
        Object.keys(shuffled)
          .sort()
          .map((name) => [name, shuffled[name]]),
      );
      expect(canonicalJson(shuffled)).toBe(JSON.stringify(rebuilt));
    }
  });

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
    expect(fp).toBe(digest(canonicalJson({ m: "gpt-4o", s: null, p: messages, t: null })));
    expect(fp).not.toContain("hunter2");
    expect(promptFingerprint({ model: "gpt-4o-mini", messages })).not.toBe(fp);
    expect(promptFingerprint({ model: "gpt-4o", messages, tools: [{ name: "x" }] })).not.toBe(fp);
  });
});
