import { percentile } from "../ingest/load.js";
import { round } from "../report.js";
import type { KillTrialRecords } from "./kill-trials.js";
import { CALL_HEADER, type LoopDelay, TRIAL_HEADER } from "./protocol.js";
import { llmSpanArrivals } from "./span-arrivals.js";

/** One measured trial, all times in ms. */
export interface TrialTimes {
  trial: number;
  /** Collector received the request carrying the crossing span → the app's kill list held the kill. */
  killLatency: number;
  /** Request emitted → its body read, in the collector. */
  bodyRead: number;
  /** Body read → the decision written to the SSE stream: decode, pipeline, detection, publish. */
  decide: number;
  /** SSE write → `onKill` in the app: loopback, the app's event loop, parsing and validation. */
  deliver: number;
  /** The threshold call returned in the app → its span reached the collector: the export delay. */
  exportWait: number;
  /**
   * Of `exportWait`, how long the exporter was still waiting for its previous request's answer
   * after the threshold call returned: the OTel batch processor sends one request at a time and
   * starts the next delay only once that answer is in (0 when it was idle).
   */
  exporterBusy: number;
  /** The threshold call returned → kill list held the kill: what slip-through depends on. */
  callEndToKill: number;
  /** Calls the mock received in the trial after the threshold call. */
  callsAfterThreshold: number;
}

export interface KillFigures {
  trials: number;
  measured: number;
  /** Trials that could not be measured, with why (should be none). */
  failures: string[];
  /** Which detector's kill stopped each trial's trace. */
  killedBy: Record<string, number>;
  /** The call number that crossed the threshold (D1's repeats), by count of trials. */
  thresholdCall: Record<string, number>;
  killLatency: Summary;
  breakdown: Record<
    "bodyRead" | "decide" | "deliver" | "exportWait" | "exporterBusy" | "callEndToKill",
    Summary
  >;
  callsAfterThresholdMax: number;
  /** Trials by how many calls slipped through after the threshold call. */
  callsAfterThresholdHistogram: Record<string, number>;
  probeDropped: number;
  seconds: number;
  /** CPU time the whole machine was busy during the trials, % of all cores (the bench's processes included). */
  machineBusyPercent: number;
  /** Every POST /v1/traces of the trials: arrival → answer written (the collector answers after its spool fsync). */
  exportAnswer: Summary;
  loopDelay: { collector: LoopDelay; app: LoopDelay };
  /** The trials with the longest kill latency, to see where their time went. */
  slowest: TrialTimes[];
  /** The trials in which more than one call slipped through (at most 10). */
  slipped: TrialTimes[];
}

export interface Summary {
  p50: number;
  p99: number;
  max: number;
}

const ms = (ns: bigint) => Number(ns) / 1e6;

/**
 * Turns the trials' raw records into latencies. The crossing span of a trial is the D1 kill's
 * `repeats`-th LLM span of its trace in arrival order (every call in a trial is the same, so
 * the streak starts at the first); its request's arrival time in the collector is the start,
 * and the app's `onKill` for the trace's kill decision is the end. The threshold call is call
 * number `repeats`; slip-through counts the mock's requests for the trial with a higher number.
 */
export function killFigures(records: KillTrialRecords): KillFigures {
  const arrivals = llmSpanArrivals(records.probe.arrivals);
  const written = new Map<string, bigint>();
  for (const write of records.probe.writes)
    if (!written.has(write.decisionId)) written.set(write.decisionId, write.at);
  const callsByTrial = new Map<number, number[]>();
  for (const request of records.requests) {
    const trial = Number(request.headers[TRIAL_HEADER]);
    const call = Number(request.headers[CALL_HEADER]);
    if (!callsByTrial.has(trial)) callsByTrial.set(trial, []);
    callsByTrial.get(trial)!.push(call);
  }

  // Every export request by arrival, to find the one before each crossing span's request.
  const requests = [...records.probe.arrivals].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const previousAnswer = (at: bigint) => requests.findLast((r) => r.at < at)?.answeredAt ?? 0n;
  const failures: string[] = [];
  const killedBy: Record<string, number> = {};
  const thresholdCall: Record<string, number> = {};
  const times: TrialTimes[] = [];
  for (const result of records.results) {
    const fail = (why: string) => failures.push(`trial ${result.trial}: ${why}`);
    if (result.error) {
      fail(result.error);
      continue;
    }
    const kill = result.kills.find((k) => k.scope === "trace") ?? result.kills[0];
    if (!kill || result.stoppedAtCall === undefined) {
      fail(`not stopped after ${result.calls.length} calls`);
      continue;
    }
    killedBy[kill.detector] = (killedBy[kill.detector] ?? 0) + 1;
    if (kill.repeats === undefined) {
      fail(`killed by ${kill.detector}, which names no crossing call`);
      continue;
    }
    thresholdCall[kill.repeats] = (thresholdCall[kill.repeats] ?? 0) + 1;
    const crossing = arrivals.get(result.traceId)?.[kill.repeats - 1];
    const call = result.calls.find((c) => c.call === kill.repeats);
    const write = written.get(kill.decisionId);
    if (!crossing || !call || write === undefined) {
      fail(`${!crossing ? "crossing span" : !call ? "threshold call" : "decision write"} not recorded`);
      continue;
    }
    const calls = callsByTrial.get(result.trial) ?? [];
    if (!calls.includes(kill.repeats)) {
      fail(`the mock has no request for the threshold call ${kill.repeats}`);
      continue;
    }
    times.push({
      trial: result.trial,
      killLatency: ms(kill.at - crossing.at),
      bodyRead: ms(crossing.bodyEndAt - crossing.at),
      decide: ms(write - crossing.bodyEndAt),
      deliver: ms(kill.at - write),
      exportWait: ms(crossing.at - call.endedAt),
      exporterBusy: Math.max(0, ms(previousAnswer(crossing.at) - call.endedAt)),
      callEndToKill: ms(kill.at - call.endedAt),
      callsAfterThreshold: calls.filter((c) => c > kill.repeats!).length,
    });
  }

  const histogram: Record<string, number> = {};
  for (const t of times) histogram[t.callsAfterThreshold] = (histogram[t.callsAfterThreshold] ?? 0) + 1;
  const summary = (key: keyof TrialTimes) => summarise(times.map((t) => t[key]));
  const answers = records.probe.arrivals.filter((a) => a.answeredAt > 0n).map((a) => ms(a.answeredAt - a.at));
  return {
    trials: records.results.length,
    measured: times.length,
    failures,
    killedBy,
    thresholdCall,
    killLatency: summary("killLatency"),
    breakdown: {
      bodyRead: summary("bodyRead"),
      decide: summary("decide"),
      deliver: summary("deliver"),
      exportWait: summary("exportWait"),
      exporterBusy: summary("exporterBusy"),
      callEndToKill: summary("callEndToKill"),
    },
    callsAfterThresholdMax: Math.max(0, ...times.map((t) => t.callsAfterThreshold)),
    callsAfterThresholdHistogram: histogram,
    probeDropped: records.probe.dropped,
    seconds: records.seconds,
    machineBusyPercent: round(records.machineBusyPercent),
    exportAnswer: summarise(answers),
    loopDelay: { collector: records.probe.loopDelay, app: records.appLoopDelay },
    slowest: [...times]
      .sort((a, b) => b.killLatency - a.killLatency)
      .slice(0, 5)
      .map(rounded),
    slipped: times
      .filter((t) => t.callsAfterThreshold > 1)
      .slice(0, 10)
      .map(rounded),
  };
}

const rounded = (t: TrialTimes) =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(v, 2)])) as unknown as TrialTimes;

function summarise(values: number[]): Summary {
  return {
    p50: round(percentile(values, 50), 2),
    p99: round(percentile(values, 99), 2),
    max: round(percentile(values, 100), 2),
  };
}
