import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbedded } from "@burnrate/storage";
import { afterAll, describe, expect, it } from "vitest";
import { groupAlive, spawnBurnrate, waitForOutput } from "./support/burnrate-process.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh store on free ports, so the demo always starts its own collector and query API. */
function demoEnv(): { env: Record<string, string>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "burnrate-demo-"));
  dirs.push(dir);
  return {
    dir,
    env: {
      BURNRATE_DATA_DIR: join(dir, "data"),
      BURNRATE_SPOOL_DIR: join(dir, "spool"),
      BURNRATE_OTLP_PORT: "0",
      BURNRATE_API_PORT: "0",
    },
  };
}

/** Waits briefly for the group to empty: the exit event can beat the last child's reaping. */
async function groupGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 2_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !groupAlive(pid);
}

describe("burnrate demo", () => {
  it("runs two agents into a ping-pong, shows the collector killing it, and leaves nothing running", async () => {
    const { env, dir } = demoEnv();
    const p = spawnBurnrate(["demo", "--latency-ms", "20", "--timeout-s", "25"], env, dir);
    const code = await p.exited;
    const out = p.stdout();
    expect({ code, stderr: p.stderr() }).toEqual({ code: 0, stderr: "" });

    // One progress line per turn, with the running cost; the normal ticket ends with an answer.
    expect(out).toMatch(/^\[ *\d+\.\d+s\] agent-a → agent-b +turn +1 +\$0\.\d{4} so far$/m);
    expect(out).toMatch(/^\[ *\d+\.\d+s\] agent-b → agent-a +turn +2 +\$0\.\d{4} so far$/m);
    expect(out).toMatch(/^\[ *\d+\.\d+s\] agent-a → customer +turn +5 +\$0\.\d{4} so far {2}\(resolved\)$/m);

    // The collector's decision names its detector, and the agents' next call is refused.
    const kill =
      /^\[ *\d+\.\d+s\] ✖ killed by the collector: (D\d\.[a-z_]+) \(decision (dec_[0-9a-f]+)\)$/m.exec(out);
    expect(kill, out).not.toBeNull();
    expect(out).toMatch(
      /agent-[ab]'s next call \(turn \d+\) threw RunawayLoopError before reaching the model/,
    );

    // The saving is stated as an extrapolation over the incident's 11 days.
    expect(out).toMatch(/ {2}Cost saved {2}at this rate the loop would have cost \$[\d,]+ over 11 days/);
    expect(out).toMatch(/an extrapolation from this run, not a measurement/);

    // Where to look: the incident by decision id, the API's document, and the SQL.
    const decisionId = kill![2]!;
    expect(out).toMatch(
      new RegExp(` {2}Incident {4}http://127\\.0\\.0\\.1:\\d+/v1/incidents/${decisionId}$`, "m"),
    );
    expect(out).toMatch(/^ {2}API docs {4}http:\/\/127\.0\.0\.1:\d+\/openapi\.json$/m);
    expect(out).toContain(`FROM incidents FINAL WHERE id = '${decisionId}'`);

    expect(await groupGone(p.child.pid!)).toBe(true);
  }, 45_000);

  it("stops its agents and its collector on Ctrl-C, mid-conversation", async () => {
    const { env, dir } = demoEnv();
    const p = spawnBurnrate(["demo", "--latency-ms", "300"], env, dir);
    await waitForOutput(p, "agent-b → agent-a   turn  2");
    // Only the demo gets the signal, not its process group: the demo must end its agents itself.
    process.kill(p.child.pid!, "SIGINT");
    expect(await p.exited).toBe(130);
    expect(p.stderr()).toContain("burnrate demo: SIGINT received; stopping the agents and cleaning up");
    expect(await groupGone(p.child.pid!)).toBe(true);
  }, 45_000);

  it("refuses in one line, before chDB prints anything, while another process holds the data directory", async () => {
    const { env, dir } = demoEnv();
    const held = await openEmbedded(env.BURNRATE_DATA_DIR!);
    const p = spawnBurnrate(["demo"], env, dir);
    const result = { code: await p.exited, stderr: p.stderr() };
    await held.close();
    expect(result).toEqual({
      code: 1,
      stderr: `burnrate: the data directory ${env.BURNRATE_DATA_DIR} is in use by process ${process.pid} (probably \`burnrate start\`); embedded chDB opens it in one process at a time, so stop that process and run burnrate demo again\n`,
    });
    expect(await groupGone(p.child.pid!)).toBe(true);
  });

  it("rejects a bad option value with a usage line", async () => {
    const p = spawnBurnrate(["demo", "--timeout-s", "soon"], demoEnv().env);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toBe(
      'burnrate demo: --timeout-s must be a number of seconds from 1 to 3600; got "soon"\nRun `burnrate demo --help` for usage.\n',
    );
  });
});
