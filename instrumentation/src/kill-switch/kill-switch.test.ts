import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));

describe("the kill switch's HTTP client", () => {
  it("is not loaded when an app imports Burnrate, only when the switch first connects", async () => {
    // A fresh process, so no other test's imports count: which of Node's HTTP modules the
    // package's own import brings in (see httpClient in kill-switch.ts for why it matters).
    const script = `
      await import("@burnrate/instrumentation");
      const loaded = (name) => process.moduleLoadList.includes("NativeModule " + name);
      console.log(JSON.stringify({ http: loaded("http"), https: loaded("https") }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      cwd: packageDir,
    });
    expect(JSON.parse(stdout)).toEqual({ http: false, https: false });
  });
});
