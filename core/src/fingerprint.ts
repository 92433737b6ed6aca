import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth, so two values that mean the same thing
 * (`{a:1,b:2}` and `{b:2,a:1}`) serialise, and therefore hash, the same. It follows
 * `JSON.stringify` otherwise (undefined members dropped, `toJSON` honoured, undefined in an
 * array as null). Written out directly rather than through sorted copies, because every LLM
 * call's prompt goes through it.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? "null";
}

/** The canonical JSON of `value`, or undefined where JSON.stringify would leave it out. */
function write(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object":
      break;
    case "bigint":
      return JSON.stringify(value); // throws, as JSON.stringify does
    default:
      return undefined; // undefined, functions and symbols
  }
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === "function") return write(json.call(value));
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? "," : ""}${write(value[i]) ?? "null"}`;
    return `${out}]`;
  }
  let out = "{";
  for (const key of Object.keys(value).sort()) {
    const member = write((value as Record<string, unknown>)[key]);
    if (member !== undefined) out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${member}`;
  }
  return `${out}}`;
}

/** A short, stable digest: the first 16 hex characters of SHA-256. Content cannot be read back from it. */
export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/**
 * The fingerprint of a prompt: a digest of its canonicalised messages, model and tools.
 * Two calls with the same fingerprint sent the model the same thing.
 * @example promptFingerprint({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
 */
export function promptFingerprint(prompt: {
  model: string;
  messages: unknown;
  tools?: unknown;
  system?: unknown;
}): string {
  return digest(
    canonicalJson({ m: prompt.model, s: prompt.system ?? null, p: prompt.messages, t: prompt.tools ?? null }),
  );
}

/**
 * The fingerprint of a tool call the model requested: a digest of the tool name and its
 * arguments as canonical JSON. Arguments given as a JSON string are parsed first, so
 * `'{"b":1,"a":2}'` and `{a:2,b:1}` match; a string that is not JSON is hashed as is.
 */
export function toolCallFingerprint(name: string, args: unknown): string {
  let parsed = args;
  if (typeof args === "string") {
    try {
      parsed = args.trim() === "" ? {} : JSON.parse(args);
    } catch {
      parsed = args;
    }
  }
  return digest(canonicalJson({ n: name, a: parsed }));
}
