import type { z } from "zod";

/**
 * What zod found wrong with settings given in code, one line per field: `field: what is wrong`,
 * or `field: not a <noun>` for a field that does not exist.
 * @example settingProblems(error, "guard setting") // ["maxCostPerTrace: Too small: expected number to be >0"]
 */
export function settingProblems(error: z.ZodError, noun: string): string[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => `${key}: not a ${noun}`)
      : [`${issue.path.length > 0 ? String(issue.path[0]) : "options"}: ${issue.message}`],
  );
}
