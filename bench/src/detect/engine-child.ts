/**
 * Part (a) of `npm run bench -- detect`, in its own process started with `--expose-gc`:
 * `node --expose-gc engine-child.js <traces> <events>`. Fills a `DetectionEngine` to 100k
 * concurrent runs and weighs it (heap after GC, before and after), then times `observe` over
 * `<events>` more steps of the same traffic, and sends the figures to the parent over IPC.
 */
import { DetectionEngine, type DetectorEvent } from "@burnrate/core";
import { machineBusySeconds } from "../report.js";
import { AgentTraffic, BENCH_DETECTION_CONFIG } from "./agent-traffic.js";

/** What the child reports; see `detect-report.ts` for how each figure is shown. */
export interface EngineFigures {
  type: "engine";
  runsTracked: number;
  /** Heap growth after GC ÷ runs held, with 100k runs and their budget counters. */
  bytesPerRun: number;
  /** `approxBytes()` ÷ runs held, at the same moment. */
  bytesPerRunApprox: number;
  heapMb: number;
  eventsTimed: number;
  eventsPerSecond: number;
  /** Events per second of the child's CPU time (all its threads, GC included) while timed. */
  eventsPerCpuSecond: number;
  /** CPU other processes used while the events ran, in % of one core; above ~20 % figures are low. */
  otherProcessesCpuPercent: number;
  /** Findings during the timed events, by `detector:action`. */
  findings: Record<string, number>;
  /** Runs held and heap after the timed events (runs are created and evicted throughout). */
  runsTrackedAfter: number;
  bytesPerRunAfter: number;
}

/** Traces per session: 80k traces in 20k sessions make 100k runs, the engine's default maxRuns. */
const TRACES_PER_SESSION = 4;
/** Steps each trace takes while the engine fills; fewer than the shortest trace, so none ends. */
const FILL_STEPS = 3;
/**
 * Events per timed batch, generated before each batch so generating them is not timed: 512,
 * the OTel SDK's largest export batch, which the detect processor walks as one request. Much
 * larger batches would live long enough to be promoted, and their garbage would be charged to
 * the engine as old-generation GC.
 */
const CHUNK = 512;

async function main(): Promise<void> {
  const [traces, events] = process.argv.slice(2).map(Number) as [number, number];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc || !process.send) throw new Error("engine-child.js is started by `npm run bench -- detect`");
  // An orphaned child (the bench was killed) must not run on.
  process.on("disconnect", () => process.exit(1));
  const collect = () => {
    gc();
    gc();
  };

  const traffic = new AgentTraffic({
    traces,
    tracesPerSession: TRACES_PER_SESSION,
    loopingShare: 0.02,
    seed: 7,
  });
  collect();
  const heapBefore = process.memoryUsage().heapUsed;
  const engine = new DetectionEngine(BENCH_DETECTION_CONFIG);
  for (let i = 0; i < traces * FILL_STEPS; i++) engine.observe(traffic.next());
  collect();
  const heapFilled = process.memoryUsage().heapUsed;
  const runsTracked = engine.trackedRuns;
  const approx = engine.approxBytes();

  const findings: Record<string, number> = {};
  let elapsedNs = 0n;
  let cpuMicros = 0;
  const machineAtStart = machineBusySeconds();
  const selfAtStart = process.cpuUsage();
  const wallAtStart = performance.now();
  const batch: DetectorEvent[] = new Array(CHUNK);
  for (let done = 0; done < events; done += CHUNK) {
    const size = Math.min(CHUNK, events - done);
    for (let i = 0; i < size; i++) batch[i] = traffic.next();
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < size; i++) {
      const found = engine.observe(batch[i]!);
      for (let f = 0; f < found.length; f++) {
        const key = `${found[f]!.detector}:${found[f]!.action}`;
        findings[key] = (findings[key] ?? 0) + 1;
      }
    }
    elapsedNs += process.hrtime.bigint() - started;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
  }
  const self = process.cpuUsage(selfAtStart);
  const otherSeconds = machineBusySeconds() - machineAtStart - (self.user + self.system) / 1e6;
  const otherProcessesCpuPercent =
    (100 * Math.max(0, otherSeconds)) / ((performance.now() - wallAtStart) / 1000);
  batch.length = 0;
  collect();
  const heapAfter = process.memoryUsage().heapUsed;

  const figures: EngineFigures = {
    type: "engine",
    runsTracked,
    bytesPerRun: (heapFilled - heapBefore) / runsTracked,
    bytesPerRunApprox: approx / runsTracked,
    heapMb: (heapFilled - heapBefore) / 2 ** 20,
    eventsTimed: events,
    eventsPerSecond: events / (Number(elapsedNs) / 1e9),
    eventsPerCpuSecond: events / (cpuMicros / 1e6),
    otherProcessesCpuPercent,
    findings,
    runsTrackedAfter: engine.trackedRuns,
    bytesPerRunAfter: (heapAfter - heapBefore) / engine.trackedRuns,
  };
  await new Promise<void>((resolve, reject) =>
    process.send!(figures, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
