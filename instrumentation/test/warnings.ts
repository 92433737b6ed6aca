/** Collects the process warnings `fn` causes (they are emitted on the next tick). */
export async function warningsOf(fn: () => Promise<unknown> | unknown): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.message);
  process.on("warning", onWarning);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  return warnings;
}
