/**
 * Reports a setting that could not be applied, such as an environment variable with a bad
 * value. A process warning is printed to stderr by default (`--no-warnings` silences it), so
 * it is seen without setting up a diagnostics logger, and it never stops the app.
 * @example warnConfig('BURNRATE_EXPORT_DELAY_MS="soon" is ignored: not a number')
 */
export function warnConfig(message: string): void {
  process.emitWarning(`burnrate: ${message}`, { code: "BURNRATE_CONFIG" });
}
