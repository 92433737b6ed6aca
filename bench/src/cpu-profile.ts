import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root, stripped from script URLs so locations read `collector/dist/…`. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The parts of V8's `.cpuprofile` format (what `node --cpu-prof` writes) that self time needs. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the time the process was not idle. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  functions: SelfTime[];
  files: SelfTime[];
  /** Files grouped by workspace package, npm package, or Node's own internals. */
  areas: SelfTime[];
}

/** The `.cpuprofile` files `node --cpu-prof` wrote for process `pid` in `dir`. */
export function profilesOf(dir: string, pid: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(".cpuprofile") && n.includes(`.${pid}.`)).map((n) => `${dir}${n}`);
}

/**
 * Self time per function and per script from a CPU profile. Each sample is charged the time
 * until the next one (as Chrome DevTools does); a profile without timings falls back to hit counts.
 * Functions are keyed by name and location, so two closures named alike stay apart.
 */
export function summariseProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const selfById = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    for (let i = 0; i < samples.length; i++) {
      const us = i + 1 < deltas.length ? deltas[i + 1]! : 0;
      selfById.set(samples[i]!, (selfById.get(samples[i]!) ?? 0) + Math.max(0, us));
    }
  } else {
    const hits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
    const perHit = (profile.endTime - profile.startTime) / hits;
    for (const node of profile.nodes) selfById.set(node.id, (node.hitCount ?? 0) * perHit);
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byArea = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfById.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") idleUs += us;
    const script = scriptName(url, functionName);
    const label = functionName || "(anonymous)";
    const name = url
      ? `${label}  ${script}:${lineNumber + 1}`
      : script === "(native)"
        ? `${label}  (native)`
        : script;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byFile.set(script, (byFile.get(script) ?? 0) + us);
    byArea.set(areaOf(script), (byArea.get(areaOf(script)) ?? 0) + us);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const rank = (map: Map<string, number>): SelfTime[] =>
    [...map]
      .filter(([name]) => name !== "(idle)")
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, selfMs: us / 1000, percent: (100 * us) / busyUs }));
  return {
    file,
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    functions: rank(byFunction),
    files: rank(byFile),
    areas: rank(byArea),
  };
}

/** A script's repository-relative path; V8's pseudo-frames ("(garbage collector)") keep their name. */
function scriptName(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** `collector`, `node_modules/prom-client`, `node internals`, or a pseudo-frame's own name. */
function areaOf(script: string): string {
  const dependency = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(script);
  if (dependency) return `node_modules/${dependency[1]}`;
  if (script.startsWith("node:")) return "node internals";
  if (script.startsWith("(")) return script;
  return script.split("/")[0] ?? script;
}
