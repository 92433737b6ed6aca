/**
 * The `BURNRATE_*` environment variables, by the process that reads them. An app and its
 * collector may share an environment, so each side knows the other's names, and a name
 * neither knows is most likely a typo: a misspelt limit would otherwise leave the app
 * unguarded without a word.
 */

/** Read by `@burnrate/instrumentation`, in the app's process. */
export const APP_VARIABLES: readonly string[] = [
  "BURNRATE_API_KEY",
  "BURNRATE_DECISIONS_URL",
  "BURNRATE_EXPORT_DELAY_MS",
  "BURNRATE_GUARD_ENABLED",
  "BURNRATE_KILL_SWITCH",
  "BURNRATE_LOOP_ALLOWLIST",
  "BURNRATE_LOOP_CYCLE_REPEATS",
  "BURNRATE_LOOP_IDENTICAL_CALLS",
  "BURNRATE_MAX_CALLS_PER_SESSION",
  "BURNRATE_MAX_CALLS_PER_TRACE",
  "BURNRATE_MAX_COST_PER_SESSION",
  "BURNRATE_MAX_COST_PER_TRACE",
  "BURNRATE_MAX_TOKENS_PER_SESSION",
  "BURNRATE_MAX_TOKENS_PER_TRACE",
  "BURNRATE_PRICE_OVERRIDES",
];

/** Read by the `burnrate` command (the collector and the query API). */
export const SERVER_VARIABLES: readonly string[] = [
  "BURNRATE_API_KEYS",
  "BURNRATE_API_PORT",
  "BURNRATE_CLICKHOUSE_DATABASE",
  "BURNRATE_CLICKHOUSE_PASSWORD",
  "BURNRATE_CLICKHOUSE_URL",
  "BURNRATE_CLICKHOUSE_USER",
  "BURNRATE_CONFIG",
  "BURNRATE_DATA_DIR",
  "BURNRATE_HOST",
  "BURNRATE_MAX_BODY_BYTES",
  "BURNRATE_OTLP_PORT",
  "BURNRATE_PRICE_OVERRIDES",
  "BURNRATE_RETENTION_CALLS_DAYS",
  "BURNRATE_RETENTION_SPANS_DAYS",
  "BURNRATE_SPOOL_DIR",
  "BURNRATE_SPOOL_MAX_BYTES",
];

/**
 * One sentence for each `BURNRATE_*` variable in `env` that neither side reads, with the one
 * of `own` (the reading side's names) it is likely a typo of, when one is close.
 * @example unknownVariables({ BURNRATE_MAX_COST_PER_TRAC: "2" }, APP_VARIABLES)
 * // ["BURNRATE_MAX_COST_PER_TRAC is not a setting and is ignored; did you mean BURNRATE_MAX_COST_PER_TRACE?"]
 */
export function unknownVariables(
  env: Readonly<Record<string, string | undefined>>,
  own: readonly string[],
): string[] {
  const known = new Set([...APP_VARIABLES, ...SERVER_VARIABLES]);
  return (
    Object.keys(env)
      // BURNRATE_TEST_* are this repository's test-suite switches, set for whole test runs.
      .filter(
        (name) => name.startsWith("BURNRATE_") && !name.startsWith("BURNRATE_TEST_") && !known.has(name),
      )
      .sort()
      .map((name) => {
        const near = own.find((setting) => editDistance(setting, name) <= 2);
        return `${name} is not a setting and is ignored${near ? `; did you mean ${near}?` : " (the README lists the settings)"}`;
      })
  );
}

/** Levenshtein distance: the fewest single-character edits that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
