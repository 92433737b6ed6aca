import { formatUsd, parseUsd } from "@burnrate/core";
import type { CallRow, ModelRow } from "../queries/trace-calls.js";
import type { CallTotals, Tokens } from "../schemas/money.js";
import { callModel } from "./call-view.js";

/** Totals, per-model totals and attribution of a set of calls (one trace or one session). */
export interface CallSummary {
  totals: CallTotals & {
    estimatedCalls: number;
    costBreakdown: { inputUsd: string; outputUsd: string; cacheReadUsd: string; cacheWriteUsd: string };
  };
  models: {
    provider: string;
    model: string;
    calls: number;
    unpricedCalls: number;
    pricedCostUsd: string;
    tokens: Tokens;
  }[];
  attribution: {
    services: string[];
    features: string[];
    users: string[];
    tenants: string[];
    agents: string[];
    sessions: string[];
  };
}

/**
 * Adds up the per-model sums of a trace or session (`scopeModels`, computed in SQL over
 * every call) into its totals, exactly: money as bigint pico-dollars, so the total is the
 * exact sum of its priced calls. Unpriced calls are counted, and add nothing to any dollar
 * figure. Models come most expensive first.
 */
export function summariseModels(rows: readonly ModelRow[]): CallSummary {
  const cost = { input: 0n, output: 0n, cacheRead: 0n, cacheWrite: 0n, total: 0n };
  const counts = { calls: 0, unpriced: 0, errors: 0, estimated: 0 };
  const tokens: Tokens = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  for (const row of rows) {
    counts.calls += Number(row.calls);
    counts.unpriced += Number(row.unpricedCalls);
    counts.errors += Number(row.errorCalls);
    counts.estimated += Number(row.estimatedCalls);
    addTokens(tokens, modelTokens(row));
    cost.input += parseUsd(row.costInput);
    cost.output += parseUsd(row.costOutput);
    cost.cacheRead += parseUsd(row.costCacheRead);
    cost.cacheWrite += parseUsd(row.costCacheWrite);
    cost.total += parseUsd(row.costTotal);
  }
  const models = [...rows].sort((a, b) => {
    const [x, y] = [parseUsd(a.costTotal), parseUsd(b.costTotal)];
    return x === y ? compareText(a.provider + a.model, b.provider + b.model) : x > y ? -1 : 1;
  });
  return {
    totals: {
      calls: counts.calls,
      pricedCalls: counts.calls - counts.unpriced,
      unpricedCalls: counts.unpriced,
      errorCalls: counts.errors,
      estimatedCalls: counts.estimated,
      pricedCostUsd: formatUsd(cost.total),
      tokens,
      costBreakdown: {
        inputUsd: formatUsd(cost.input),
        outputUsd: formatUsd(cost.output),
        cacheReadUsd: formatUsd(cost.cacheRead),
        cacheWriteUsd: formatUsd(cost.cacheWrite),
      },
    },
    models: models.map((m) => ({
      provider: m.provider,
      model: m.model,
      calls: Number(m.calls),
      unpricedCalls: Number(m.unpricedCalls),
      pricedCostUsd: formatUsd(parseUsd(m.costTotal)),
      tokens: modelTokens(m),
    })),
    attribution: {
      services: distinct(rows.flatMap((r) => r.services)),
      features: distinct(rows.flatMap((r) => r.features)),
      users: distinct(rows.flatMap((r) => r.users)),
      tenants: distinct(rows.flatMap((r) => r.tenants)),
      agents: distinct(rows.flatMap((r) => r.agents)),
      sessions: distinct(rows.flatMap((r) => r.sessions)),
    },
  };
}

/**
 * The per-model sums `scopeModels` computes in SQL, computed from a list of calls instead.
 * Only for a list that holds every call of its trace: then it is exact, and saves a query.
 */
export function modelsOf(calls: readonly CallRow[]): ModelRow[] {
  const byModel = new Map<string, CallRow[]>();
  for (const call of calls) {
    const key = `${call.provider}\u0000${callModel(call)}`;
    const group = byModel.get(key) ?? [];
    group.push(call);
    byModel.set(key, group);
  }
  return [...byModel.values()].map(sumModel);
}

function sumModel(calls: readonly CallRow[]): ModelRow {
  const priced = calls.filter((c) => c.cost_source !== "unpriced");
  const usd = (pick: (c: CallRow) => string) =>
    formatUsd(priced.reduce((sum, c) => sum + parseUsd(pick(c)), 0n));
  const count = (test: (c: CallRow) => boolean) => calls.filter(test).length;
  const sum = (pick: (c: CallRow) => number) => calls.reduce((total, c) => total + pick(c), 0);
  const values = (pick: (c: CallRow) => string) => [...new Set(calls.map(pick).filter((v) => v !== ""))];
  return {
    provider: calls[0]!.provider,
    model: callModel(calls[0]!),
    calls: calls.length,
    unpricedCalls: calls.length - priced.length,
    errorCalls: count((c) => c.status === "error"),
    estimatedCalls: count((c) => c.estimated),
    inputTokens: sum((c) => c.input_tokens),
    outputTokens: sum((c) => c.output_tokens),
    cacheReadTokens: sum((c) => c.cache_read_tokens),
    cacheWriteTokens: sum((c) => c.cache_write_tokens),
    reasoningTokens: sum((c) => c.reasoning_tokens),
    costInput: usd((c) => c.cost_input),
    costOutput: usd((c) => c.cost_output),
    costCacheRead: usd((c) => c.cost_cache_read),
    costCacheWrite: usd((c) => c.cost_cache_write),
    costTotal: usd((c) => c.cost_total),
    services: values((c) => c.service),
    features: values((c) => c.feature),
    users: values((c) => c.user_id),
    tenants: values((c) => c.tenant),
    agents: values((c) => c.agent),
    sessions: values((c) => c.session_id),
    ...callsExtent(calls)!,
  };
}

/**
 * When calls ran, or a scope's per-model sums: the earliest start and the latest end, as
 * ClickHouse text (all of one width, so text order is time order); undefined for none.
 */
export function callsExtent(
  spans: readonly { start: string; end: string }[],
): { start: string; end: string } | undefined {
  if (spans.length === 0) return undefined;
  let { start, end } = spans[0]!;
  for (const span of spans) {
    if (span.start < start) start = span.start;
    if (span.end > end) end = span.end;
  }
  return { start, end };
}

function modelTokens(row: ModelRow): Tokens {
  return {
    input: Number(row.inputTokens),
    output: Number(row.outputTokens),
    cacheRead: Number(row.cacheReadTokens),
    cacheWrite: Number(row.cacheWriteTokens),
    reasoning: Number(row.reasoningTokens),
  };
}

function addTokens(into: Tokens, add: Tokens): void {
  into.input += add.input;
  into.output += add.output;
  into.cacheRead += add.cacheRead;
  into.cacheWrite += add.cacheWrite;
  into.reasoning += add.reasoning;
}

/** Distinct values, sorted (the rows hold no empty ones). */
function distinct(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareText);
}

/** Plain code-unit order, the same on every machine (no locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
