import * as crypto from "node:crypto";
import { canonicalHash } from "./canonical-hash.js";

/** A short, stable digest: the first 16 hex characters of SHA-256. Content cannot be read back from it. */
export function digest(text: string): string {
  return sha256Hex(text).slice(0, 16);
}

// Node's one-shot `crypto.hash` (from 20.12) takes about a third of the time of a Hash object.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
const sha256Hex = oneShot
  ? (text: string) => oneShot("sha256", text, "hex")
  : (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** What a prompt fingerprint covers: everything the model is sent except sampling settings. */
export interface Prompt {
  model: string;
  messages: unknown;
  tools?: unknown;
  system?: unknown;
}

/**
 * The fingerprint of a prompt: a hash of its canonicalised messages, model and tools (see
 * canonical-hash.ts). Two calls with the same fingerprint sent the model the same thing.
 * @example promptFingerprint({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
 */
export function promptFingerprint(prompt: Prompt): string {
  return canonicalHash(prompt.model, prompt.system ?? null, prompt.messages, prompt.tools ?? null);
}

/**
 * The fingerprint of a tool call the model requested: a hash of the tool name and its
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
  return canonicalHash(name, parsed);
}
