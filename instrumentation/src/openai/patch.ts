import { diag } from "@opentelemetry/api";
import { clientClass, type PatchTarget, patch, protoOf, unpatch } from "../patch.js";
import { chatCompletions } from "./chat.js";
import { embeddings } from "./embeddings.js";
import { responseReads, responses } from "./responses.js";

/**
 * The openai methods Burnrate instruments, found through a throwaway client so the same
 * code works across openai 4 to 7, whose resource classes live at different paths. The
 * probe client makes no request.
 */
export function openaiTargets(moduleExports: unknown): PatchTarget[] {
  const OpenAI = clientClass(moduleExports, "OpenAI");
  if (!OpenAI) return [];
  let probe: Record<string, Record<string, unknown>>;
  try {
    probe = new OpenAI({
      apiKey: "burnrate-probe",
      baseURL: "http://127.0.0.1:9/v1",
      maxRetries: 0,
    }) as typeof probe;
  } catch (error) {
    diag.warn("burnrate: could not create a probe openai client; openai is not instrumented", error);
    return [];
  }
  const targets: PatchTarget[] = [];
  const add = (resource: unknown, telemetry: PatchTarget["telemetry"], what: string) => {
    const proto = protoOf(resource);
    if (proto) targets.push({ proto, method: "create", telemetry, what });
  };
  add(probe.chat?.completions, chatCompletions, "openai chat.completions.create");
  add(probe.responses, responses, "openai responses.create"); // openai >= 4.87 only
  // A background response's usage arrives with the retrieve that finds it finished, or its cancel.
  const responsesProto = protoOf(probe.responses);
  if (responsesProto) {
    for (const method of ["retrieve", "cancel"]) {
      targets.push({
        proto: responsesProto,
        method,
        telemetry: responseReads,
        what: `openai responses.${method}`,
      });
    }
  }
  add(probe.embeddings, embeddings, "openai embeddings.create");
  return targets;
}

export function patchOpenAI(moduleExports: unknown): number {
  return openaiTargets(moduleExports).filter(patch).length;
}

export function unpatchOpenAI(moduleExports: unknown): void {
  for (const t of openaiTargets(moduleExports)) unpatch(t.proto, t.method);
}
