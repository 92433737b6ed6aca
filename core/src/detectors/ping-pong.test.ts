import { describe, expect, it } from "vitest";
import { DetectionEngine } from "./engine.js";
import { Episode, run, T0_MS } from "./testdata/episode.js";

/** A 64-bit SimHash as hex with the given bits flipped from `base`. */
function simHash(base: bigint, ...flips: number[]): string {
  let value = base;
  for (const bit of flips) value ^= 1n << BigInt(bit);
  return value.toString(16).padStart(16, "0");
}

const PLANNER = 0xa5a5_a5a5_5a5a_5a5an;
const CRITIC = 0x0f0f_f0f0_3c3c_c3c3n;
const PARAMETERS = { warn_rounds: 4, kill_rounds: 6, max_hamming: 3 };

describe("D3 agent ping-pong", () => {
  it("kills two agents trading near-identical messages (SimHash within 3 bits) for 6 rounds", () => {
    const episode = new Episode({ traceId: "t-pp", agent: "planner" });
    for (let round = 0; round < 7; round++) {
      // The prompts grow with the conversation, so fingerprints differ; the content barely does.
      episode.llm(`planner round ${round}: revise the plan`, {
        agent: "planner",
        simHash: simHash(PLANNER, round % 3),
      });
      episode.llm(`critic round ${round}: not good enough`, {
        agent: "critic",
        simHash: simHash(CRITIC, 60 - (round % 2)),
      });
    }
    const finding = (action: "warn" | "kill", rounds: number) => ({
      detector: "D3.ping_pong",
      action,
      scope: { trace_id: "t-pp" },
      reason:
        action === "warn"
          ? "trace t-pp: agents critic and planner traded near-identical messages for 4 rounds (kill at 6)."
          : "trace t-pp: agents critic and planner traded near-identical messages for 6 rounds, the limit is 6.",
      evidence: { agents: ["critic", "planner"], rounds, similarity: "simhash", ...PARAMETERS },
      key: `D3.ping_pong:${action}:trace:t-pp@${T0_MS}`,
    });
    expect(run(new DetectionEngine(), episode.events)).toEqual([finding("warn", 4), finding("kill", 6)]);
  });

  it("fires at the turn that completes the 6th round", () => {
    const episode = new Episode({ agent: "planner" });
    const engine = new DetectionEngine();
    const firing: number[] = [];
    for (let turn = 1; turn <= 14; turn++) {
      const agent = turn % 2 === 1 ? "planner" : "critic";
      const event = episode.llm(`turn ${turn}`, {
        agent,
        simHash: simHash(agent === "planner" ? PLANNER : CRITIC),
      });
      if (engine.observe(event).length > 0) firing.push(turn);
    }
    expect(firing).toEqual([8, 12]);
  });

  it("counts a turn of several steps (LLM call plus its tool) as one turn", () => {
    const episode = new Episode({ traceId: "t-turns" });
    for (let round = 0; round < 6; round++) {
      episode.llm("draft the reply", {
        agent: "writer",
        stateless: true,
        tools: [{ name: "lookup", args: { q: "refund" } }],
      });
      episode.tool("lookup", { round }, { agent: "writer" });
      episode.llm("reject: too long", { agent: "editor", stateless: true });
    }
    const findings = run(new DetectionEngine(), episode.events);
    expect(findings.filter((f) => f.detector === "D3.ping_pong")).toEqual([
      {
        detector: "D3.ping_pong",
        action: "warn",
        scope: { trace_id: "t-turns" },
        reason:
          "trace t-turns: agents editor and writer traded near-identical messages for 4 rounds (kill at 6).",
        evidence: { agents: ["editor", "writer"], rounds: 4, similarity: "fingerprint", ...PARAMETERS },
        key: `D3.ping_pong:warn:trace:t-turns@${T0_MS}`,
      },
      {
        detector: "D3.ping_pong",
        action: "kill",
        scope: { trace_id: "t-turns" },
        reason:
          "trace t-turns: agents editor and writer traded near-identical messages for 6 rounds, the limit is 6.",
        evidence: { agents: ["editor", "writer"], rounds: 6, similarity: "fingerprint", ...PARAMETERS },
        key: `D3.ping_pong:kill:trace:t-turns@${T0_MS}`,
      },
    ]);
    // Each agent also repeats its own step, which D1 reports for that agent: the writer's
    // lookup climbs to a kill, the editor's prompt warns (a kill supersedes the rest).
    expect(
      findings
        .filter((f) => f.detector !== "D3.ping_pong")
        .map((f) => [f.detector, f.action, f.evidence.agent, f.evidence.step]),
    ).toEqual([
      ["D1.identical_call", "warn", "writer", "tool_calls"],
      ["D1.identical_call", "warn", "editor", "prompt"],
      ["D1.identical_call", "block_tool", "writer", "tool_calls"],
      ["D1.identical_call", "kill", "writer", "tool_calls"],
    ]);
  });

  it("does not fire on a round-robin chat: agents alternate, but every message is new", () => {
    const episode = new Episode({ agent: "planner" });
    let seed = 0x1234_5678_9abc_def0n;
    for (let turn = 0; turn < 40; turn++) {
      // A different message each turn: an unrelated SimHash (about 32 bits apart).
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffff_ffff_ffff_ffffn;
      const agent = turn % 2 === 0 ? "planner" : "critic";
      episode.llm(`${agent} turn ${turn}: new point ${turn}`, {
        agent,
        simHash: seed.toString(16).padStart(16, "0"),
      });
    }
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("does not fire on alternation without SimHashes when the prompts keep changing", () => {
    const episode = new Episode();
    for (let turn = 0; turn < 40; turn++)
      episode.llm(`message ${turn}`, { agent: turn % 2 === 0 ? "a" : "b" });
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("does not fire when only one side repeats itself", () => {
    const episode = new Episode();
    for (let turn = 0; turn < 30; turn++) {
      const agent = turn % 2 === 0 ? "planner" : "critic";
      const hash =
        agent === "planner"
          ? simHash(PLANNER)
          : simHash(CRITIC, turn % 64, (turn * 7) % 64, (turn * 13) % 64, (turn * 29) % 64);
      episode.llm(`${agent} ${turn}`, { agent, simHash: hash });
    }
    expect(run(new DetectionEngine(), episode.events)).toEqual([]);
  });

  it("does not count 4 bits apart as the same message under the default distance of 3", () => {
    const build = () => {
      const episode = new Episode({ traceId: "t4" });
      for (let turn = 0; turn < 28; turn++) {
        const agent = turn % 2 === 0 ? "planner" : "critic";
        // Each agent's turn flips 4 more bits than its previous turn: successive hashes are exactly 4 apart.
        const bits = Array.from({ length: 4 * Math.floor(turn / 2) }, (_, k) => k);
        episode.llm(`${agent} ${turn}`, {
          agent,
          simHash: simHash(agent === "planner" ? PLANNER : CRITIC, ...bits),
        });
      }
      return episode.events;
    };
    expect(run(new DetectionEngine(), build())).toEqual([]);
    const looser = new DetectionEngine({ thresholds: { pingPongMaxHamming: 4 } });
    expect(run(looser, build()).map((f) => [f.detector, f.action, f.evidence.rounds])).toEqual([
      ["D3.ping_pong", "warn", 4],
      ["D3.ping_pong", "kill", 6],
    ]);
  });
});
