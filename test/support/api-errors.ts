/**
 * The query API's 400 for input whose issues all share a location, as a `{ status, body }`
 * answer: `error` names the first issue and counts the rest.
 */
export function refused(location: string, issues: { path: string; message: string }[]) {
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return {
    status: 400,
    body: {
      status: 400,
      error: `invalid ${location} field ${issues[0]!.path}: ${issues[0]!.message}${more}`,
      issues: issues.map((issue) => ({ location, ...issue })),
    },
  };
}
