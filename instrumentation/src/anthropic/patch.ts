import { diag } from "@opentelemetry/api";
import { clientClass, type PatchTarget, patch, protoOf, unpatch } from "../patch.js";
import { messages } from "./messages.js";

/** The @anthropic-ai/sdk methods Burnrate instruments, found through a probe client that sends nothing. */
export function anthropicTargets(moduleExports: unknown): PatchTarget[] {
  const Anthropic = clientClass(moduleExports, "Anthropic");
  if (!Anthropic) return [];
  let probe: Record<string, unknown>;
  try {
    probe = new Anthropic({
      apiKey: "burnrate-probe",
      baseURL: "http://127.0.0.1:9",
      maxRetries: 0,
    }) as typeof probe;
  } catch (error) {
    diag.warn(
      "burnrate: could not create a probe anthropic client; @anthropic-ai/sdk is not instrumented",
      error,
    );
    return [];
  }
  // `beta.messages` is a class of its own, used for beta features and the tool runner.
  const resources = [
    { proto: protoOf(probe.messages), name: "messages" },
    { proto: protoOf((probe.beta as Record<string, unknown> | undefined)?.messages), name: "beta.messages" },
  ];
  return resources.flatMap(({ proto, name }) =>
    proto
      ? [
          { proto, method: "create", telemetry: messages, what: `anthropic ${name}.create` },
          { proto, method: "stream", telemetry: "helper" as const, what: `anthropic ${name}.stream` },
          {
            proto,
            method: "countTokens",
            telemetry: "untraced" as const,
            what: `anthropic ${name}.countTokens`,
          },
        ]
      : [],
  );
}

export function patchAnthropic(moduleExports: unknown): number {
  return anthropicTargets(moduleExports).filter(patch).length;
}

export function unpatchAnthropic(moduleExports: unknown): void {
  for (const t of anthropicTargets(moduleExports)) unpatch(t.proto, t.method);
}
