/**
 * `npm run bench -- overhead`: the time Burnrate's instrumentation adds to each openai call,
 * next to two peers (`@opentelemetry/instrumentation-openai` and
 * `@traceloop/instrumentation-openai`), all on the same openai 6 copy against a local mock.
 * The target: Burnrate adds no more than the lower of the two.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { startMockLlmServer } from "@burnrate/instrumentation/mock-llm";
import { profilesOf, summariseProfile } from "./cpu-profile.js";
import { printProfile } from "./ingest/ingest-report.js";
import { type PhaseResults, type PhaseSamples, phaseResults, printPhases } from "./overhead/call-phases.js";
import { MOCK_REPLY, MODES, type Mode } from "./overhead/calls.js";
import { ConfigurationProcess } from "./overhead/child-process.js";
import { CONFIGURATIONS, type Configuration } from "./overhead/configurations.js";
import { type CpuSplit, cpuSplit, pin } from "./overhead/cpu-affinity.js";
import {
  checkSpans,
  printBurnrateFunctions,
  printOverheadReport,
  type RoundSamples,
  type RunInfo,
  resultsOf,
} from "./overhead/overhead-report.js";
import { mergeFinished } from "./overhead/span-tally.js";
import { machineBusySeconds, PROFILES_DIR, positiveInt, UsageError, writeResults } from "./report.js";
import { seededRandom } from "./seeded-random.js";

/** Seeds the order of configurations in each round, so every run uses the same orders. */
const ORDER_SEED = 0x0b5e55ed;

export const USAGE = `Usage: npm run bench -- overhead [options]

Times sequential openai chat.completions.create calls (non-streaming, and streaming with
stream_options.include_usage) against a mock OpenAI server on 127.0.0.1, in several child
processes per configuration: bare openai 6, and openai 6 with @burnrate/instrumentation,
@opentelemetry/instrumentation-openai or @traceloop/instrumentation-openai. Each child traces
into the same pipeline (BatchSpanProcessor → a counting exporter). Every round times one
child of each configuration, in an order shuffled each round (with a fixed seed), taking
the configuration's children in turn; the figure per
configuration is the median round's µs per call, and the added overhead is the median over
rounds of its round minus bare's round. Every instrumented child must export one span per
call with the expected attributes, or the run fails. Writes bench/results/overhead.json.

Options:
  --calls N     timed calls per configuration, mode and round (default 10)
  --rounds N    rounds (default 1500)
  --warmup N    untimed calls per configuration and mode before the first round (default 300)
  --prelude N   untimed calls before each timed batch, after the child has idled (default 5)
  --processes N child processes per configuration (default 4): two processes running the
                same code differ by up to 30 µs per call here, so one per configuration
                would compare those processes' luck as much as the instrumentations
  --profile     run the Burnrate child under \`node --cpu-prof\` and print its top self-time
                functions; figures go to bench/results/profiles/overhead-profile.json, not
                overhead.json, because profiling slows that child down
  --profile-child NAME
                with --profile, the child to profile instead: bare, otel_contrib or traceloop
                (to tell what the SDK itself costs from what an instrumentation adds)
  --phases      also split every timed call at undici's diagnostics-channel events (request
                created, headers and body written, reply headers, whole reply) and print where
                each configuration adds its time; figures go to
                bench/results/profiles/overhead-phases.json, not overhead.json
  --shared-cpus let the mock server and the children share every CPU; by default (with 2
                CPUs or more and \`taskset\`) the mock runs on the first CPU and the children
                on the rest, as a model answering from another machine would not take turns
                with them
  -h, --help    show this text`;

interface OverheadOptions {
  calls: number;
  rounds: number;
  warmup: number;
  /** Untimed calls before each timed batch: the child has idled while the others ran. */
  prelude: number;
  /** Child processes per configuration, taken in turn by the rounds. */
  processes: number;
  /** The configuration whose first child runs under `--cpu-prof`, if any. */
  profile: Configuration | undefined;
  /** Record each timed call's phases (see call-phases.ts). */
  phases: boolean;
  /** Let the mock server and the children share every CPU, as runs before 2026-12-01 did. */
  sharedCpus: boolean;
}

export async function run(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  const split = options.sharedCpus ? { unavailable: "--shared-cpus was given" } : cpuSplit();
  let cpus: CpuSplit | undefined;
  if ("unavailable" in split) {
    process.stderr.write(`overhead: the mock server and the children share the CPUs: ${split.unavailable}\n`);
  } else {
    cpus = split;
    pin(process.pid, cpus.server);
    process.stderr.write(`overhead: mock server on CPU ${cpus.server}, children on CPU ${cpus.children}\n`);
  }
  const mock = await startMockLlmServer();
  mock.setDefault(MOCK_REPLY);
  const children = new Map<Configuration, ConfigurationProcess[]>(CONFIGURATIONS.map((c) => [c, []]));
  const everyChild = () => [...children.values()].flat();
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`overhead: ${signal}; stopping the children\n`);
    for (const child of everyChild()) child.kill();
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  try {
    if (options.profile || options.phases) mkdirSync(PROFILES_DIR, { recursive: true });
    const ready = {} as RunInfo["ready"];
    const paths = new Set<string>();
    // Started in turn, so no configuration's children all come first or last.
    for (let k = 0; k < options.processes; k++) {
      for (const config of CONFIGURATIONS) {
        const profiled = options.profile === config && k === 0;
        const nodeArgs = profiled ? ["--cpu-prof", `--cpu-prof-dir=${PROFILES_DIR}`] : [];
        const started = await ConfigurationProcess.start(
          config,
          mock.openaiBaseUrl,
          nodeArgs,
          options.phases,
        );
        if (cpus) pin(started.process.pid, cpus.children);
        children.get(config)!.push(started.process);
        ready[config] = started.ready;
        paths.add(started.ready.openai.path);
        const i = started.ready.instrumentation;
        process.stderr.write(
          `overhead: ${config} child ${k + 1}/${options.processes} pid ${started.process.pid}: openai ${started.ready.openai.version}` +
            `${i ? ` + ${i.name}@${i.version}` : ""}${profiled ? " (profiled)" : ""}\n`,
        );
      }
    }
    if (paths.size !== 1)
      throw new Error(`the children loaded different openai copies: ${[...paths].join(", ")}`);

    const child = (config: Configuration, k: number) => children.get(config)![k]!;
    const runCalls = async (config: Configuration, k: number, mode: Mode, calls: number, timed = false) => {
      // The mock keeps every request; forgetting them between batches keeps its heap flat.
      mock.reset();
      mock.setDefault(MOCK_REPLY);
      return child(config, k).run(mode, calls, timed);
    };
    process.stderr.write(
      `overhead: warming up (${options.warmup} calls per child and mode, ${options.processes} children per configuration)…\n`,
    );
    const cpuAtStart = new Map<ConfigurationProcess, number>();
    for (let k = 0; k < options.processes; k++) {
      for (const config of CONFIGURATIONS) {
        for (const mode of MODES)
          cpuAtStart.set(child(config, k), (await runCalls(config, k, mode, options.warmup)).cpuSeconds);
      }
    }
    const emptySamples = () =>
      Object.fromEntries(
        CONFIGURATIONS.map((c) => [c, { non_streaming: [], streaming: [] }]),
      ) as unknown as RoundSamples;
    const samples = emptySamples();
    const cpuSamples = emptySamples();
    const cpuAtEnd = new Map(cpuAtStart);
    const startedAt = performance.now();
    const machineAtStart = machineBusySeconds();
    const selfAtStart = process.cpuUsage();
    // A new order every round spreads slow patches of machine time over every configuration.
    // Shuffled rather than rotated: a rotation always runs each configuration right after the
    // same other one, and always gives child k the same place in the round.
    const random = seededRandom(ORDER_SEED);
    for (let round = 0; round < options.rounds; round++) {
      const order = shuffled(CONFIGURATIONS, random);
      const modes = round % 2 === 0 ? MODES : [...MODES].reverse();
      const k = round % options.processes;
      for (const config of order) {
        for (const mode of modes) {
          await runCalls(config, k, mode, options.prelude);
          const { ms, cpuMs, cpuSeconds } = await runCalls(config, k, mode, options.calls, true);
          cpuAtEnd.set(child(config, k), cpuSeconds);
          samples[config][mode].push((ms * 1000) / options.calls);
          cpuSamples[config][mode].push((cpuMs * 1000) / options.calls);
        }
      }
      // About fifty progress lines whatever the number of rounds.
      if ((round + 1) % Math.ceil(options.rounds / 50) !== 0 && round + 1 !== options.rounds) continue;
      const last = (config: Configuration, mode: Mode) => samples[config][mode].at(-1)!.toFixed(0);
      process.stderr.write(
        `overhead: round ${round + 1}/${options.rounds} µs/call (non-streaming, streaming): ${CONFIGURATIONS.map((c) => `${c} ${MODES.map((m) => last(c, m)).join(", ")}`).join("; ")}\n`,
      );
    }
    const wallSeconds = (performance.now() - startedAt) / 1000;
    const self = process.cpuUsage(selfAtStart);
    const ours =
      (self.user + self.system) / 1e6 +
      everyChild().reduce((sum, c) => sum + cpuAtEnd.get(c)! - cpuAtStart.get(c)!, 0);
    const otherProcessesCpuPercent = Math.max(
      0,
      ((machineBusySeconds() - machineAtStart - ours) * 100) / wallSeconds,
    );

    const finished = {} as RunInfo["finished"];
    const finishedByChild = new Map<ConfigurationProcess, RunInfo["finished"][Configuration]>();
    for (const config of CONFIGURATIONS) {
      const replies = [];
      for (const c of children.get(config)!) {
        const reply = await c.finish();
        finishedByChild.set(c, reply);
        replies.push(reply);
      }
      finished[config] = mergeFinished(replies);
    }
    const info: RunInfo = {
      samples,
      cpuSamples,
      finished,
      ready,
      settings: options,
      cpus: cpus ?? null,
      otherProcessesCpuPercent,
    };
    const { failures, notes } = checkSpans(finished);
    printOverheadReport(info, notes);
    if (failures.length > 0) {
      throw new Error(
        `the span check failed, so these figures measured nothing real:\n  ${failures.join("\n  ")}`,
      );
    }
    const results = { ...resultsOf(info, notes), burnrate_revision: revision() };
    if (options.phases) {
      const phases = phasesOf(finishedByChild);
      printPhases(phases.figures);
      console.log(
        `\nwrote ${writeResults("overhead-phases", { ...results, phases: phases.figures, phases_skipped_calls: phases.skipped }, PROFILES_DIR)}`,
      );
    } else if (options.profile) {
      writeResults("overhead-profile", results, PROFILES_DIR);
      const profiled = child(options.profile, 0);
      const [file] = profilesOf(PROFILES_DIR, profiled.pid);
      if (!file) throw new Error(`no .cpuprofile for pid ${profiled.pid} in ${PROFILES_DIR}`);
      const summary = summariseProfile(file);
      const { calls } = finishedByChild.get(profiled)!;
      console.log(`\nprofiled child: the first of the ${options.profile} children`);
      printProfile(summary);
      printBurnrateFunctions(summary, calls.non_streaming + calls.streaming);
    } else {
      console.log(`\nwrote ${writeResults("overhead", results)}`);
    }
    return 0;
  } finally {
    for (const child of everyChild()) child.kill();
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
    await mock.close();
  }
}

/**
 * The commit measured, and whether instrumentation/ or core/ had uncommitted changes then:
 * the results file is committed, and figures from a dirty tree are not that commit's.
 */
function revision(): { commit: string; uncommitted_changes: boolean } | null {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
    const commit = git("rev-parse", "HEAD");
    return {
      commit,
      uncommitted_changes: git("status", "--porcelain", "--", "instrumentation", "core") !== "",
    };
  } catch {
    return null; // not a git checkout
  }
}

/** Every child's recorded phases, pooled per configuration; a child that recorded none fails the run. */
function phasesOf(finishedByChild: Map<ConfigurationProcess, RunInfo["finished"][Configuration]>): {
  figures: PhaseResults;
  skipped: number;
} {
  const byConfig = Object.fromEntries(CONFIGURATIONS.map((c) => [c, []])) as unknown as Record<
    Configuration,
    Record<Mode, PhaseSamples>[]
  >;
  let skipped = 0;
  for (const [child, finished] of finishedByChild) {
    if (!finished.phases) throw new Error(`the ${child.config} child (pid ${child.pid}) sent no phases`);
    byConfig[child.config].push(finished.phases.samples);
    skipped += finished.phases.skipped;
  }
  return { figures: phaseResults(byConfig), skipped };
}

function parseOptions(args: string[]): OverheadOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        calls: { type: "string" },
        rounds: { type: "string" },
        warmup: { type: "string" },
        prelude: { type: "string" },
        processes: { type: "string" },
        profile: { type: "boolean" },
        "profile-child": { type: "string" },
        phases: { type: "boolean" },
        "shared-cpus": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const text = (name: string) => values[name] as string | undefined;
  const profiled = text("profile-child") ?? "burnrate";
  if (!CONFIGURATIONS.includes(profiled as Configuration)) {
    throw new UsageError(
      `--profile-child must be one of ${CONFIGURATIONS.join(", ")}, got ${JSON.stringify(profiled)}`,
    );
  }
  if (text("profile-child") !== undefined && values.profile !== true) {
    throw new UsageError("--profile-child needs --profile");
  }
  if (values.profile === true && values.phases === true) {
    throw new UsageError("--phases and --profile each slow the children in their own way; use one at a time");
  }
  return {
    calls: positiveInt("calls", text("calls"), 10),
    rounds: positiveInt("rounds", text("rounds"), 1500),
    warmup: positiveInt("warmup", text("warmup"), 300),
    prelude: positiveInt("prelude", text("prelude"), 5),
    processes: positiveInt("processes", text("processes"), 4),
    profile: values.profile === true ? (profiled as Configuration) : undefined,
    phases: values.phases === true,
    sharedCpus: values["shared-cpus"] === true,
  };
}

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
