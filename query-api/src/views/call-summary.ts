import { formatUsd, parseUsd } from "@burnrate/core";
import type { CallRow } from "../queries/trace-calls.js";
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
 * Sums calls exactly: money as bigint pico-dollars, so the trace total is the exact sum of
 * its priced calls. Unpriced calls are counted, and add nothing to any dollar figure.
 */
export function summariseCalls(rows: readonly CallRow[]): CallSummary {
  const parts = { input: 0n, output: 0n, cacheRead: 0n, cacheWrite: 0n, total: 0n };
  const models = new Map<
    string,
    { provider: string; model: string; calls: number; unpriced: number; cost: bigint; tokens: Tokens }
  >();
  let unpricedCalls = 0;
  let errorCalls = 0;
  let estimatedCalls = 0;
  const tokens = emptyTokens();
  for (const row of rows) {
    const priced = row.cost_source !== "unpriced";
    if (!priced) unpricedCalls++;
    if (row.status === "error") errorCalls++;
    if (row.estimated) estimatedCalls++;
    addTokens(tokens, row);
    const cost = priced ? parseUsd(row.cost_total) : 0n;
    if (priced) {
      parts.input += parseUsd(row.cost_input);
      parts.output += parseUsd(row.cost_output);
      parts.cacheRead += parseUsd(row.cost_cache_read);
      parts.cacheWrite += parseUsd(row.cost_cache_write);
      parts.total += cost;
    }
    const model = callModel(row);
    const key = `${row.provider}\u0000${model}`;
    const entry = models.get(key) ?? {
      provider: row.provider,
      model,
      calls: 0,
      unpriced: 0,
      cost: 0n,
      tokens: emptyTokens(),
    };
    entry.calls++;
    if (!priced) entry.unpriced++;
    entry.cost += cost;
    addTokens(entry.tokens, row);
    models.set(key, entry);
  }
  return {
    totals: {
      calls: rows.length,
      pricedCalls: rows.length - unpricedCalls,
      unpricedCalls,
      errorCalls,
      estimatedCalls,
      pricedCostUsd: formatUsd(parts.total),
      tokens,
      costBreakdown: {
        inputUsd: formatUsd(parts.input),
        outputUsd: formatUsd(parts.output),
        cacheReadUsd: formatUsd(parts.cacheRead),
        cacheWriteUsd: formatUsd(parts.cacheWrite),
      },
    },
    models: [...models.values()]
      .sort((a, b) =>
        a.cost === b.cost
          ? compareText(a.provider + a.model, b.provider + b.model)
          : a.cost > b.cost
            ? -1
            : 1,
      )
      .map((m) => ({
        provider: m.provider,
        model: m.model,
        calls: m.calls,
        unpricedCalls: m.unpriced,
        pricedCostUsd: formatUsd(m.cost),
        tokens: m.tokens,
      })),
    attribution: {
      services: distinct(rows, (r) => r.service),
      features: distinct(rows, (r) => r.feature),
      users: distinct(rows, (r) => r.user_id),
      tenants: distinct(rows, (r) => r.tenant),
      agents: distinct(rows, (r) => r.agent),
      sessions: distinct(rows, (r) => r.session_id),
    },
  };
}

function emptyTokens(): Tokens {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
}

function addTokens(into: Tokens, row: CallRow): void {
  into.input += row.input_tokens;
  into.output += row.output_tokens;
  into.cacheRead += row.cache_read_tokens;
  into.cacheWrite += row.cache_write_tokens;
  into.reasoning += row.reasoning_tokens;
}

/** Distinct non-empty values, sorted. */
function distinct(rows: readonly CallRow[], pick: (row: CallRow) => string): string[] {
  return [...new Set(rows.map(pick).filter((v) => v !== ""))].sort(compareText);
}

/** Plain code-unit order, the same on every machine (no locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
