import type { CreateEmbeddingResponse } from "openai/resources/embeddings";
import { field, type RenderContext } from "./render-context.js";

/** Vector length when the request sets no `dimensions` (that of `text-embedding-3-small`). */
export const DEFAULT_DIMENSIONS = 1536;

/** An embeddings response as sent: `embedding` is a float array, or base64 of little-endian float32s. */
export type WireEmbeddingResponse = Omit<CreateEmbeddingResponse, "data"> & {
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
};

/** The parts of an Embeddings request that count as prompt. */
export function embeddingsPrompt(body: unknown): unknown {
  return field(body, "input");
}

/**
 * Renders an embeddings response with one deterministic unit vector per input, so equal
 * inputs embed equally across runs. Honours `dimensions` and `encoding_format`: recent
 * openai SDKs ask for `base64` by default and decode it themselves.
 *
 * Usage has no output side: `prompt_tokens` and `total_tokens` are both the scripted or
 * estimated input.
 */
export function renderEmbeddings(ctx: RenderContext): WireEmbeddingResponse {
  const dimensions = field(ctx.body, "dimensions");
  const size =
    typeof dimensions === "number" && Number.isInteger(dimensions) && dimensions > 0
      ? dimensions
      : DEFAULT_DIMENSIONS;
  const base64 = field(ctx.body, "encoding_format") === "base64";
  const data = embeddingInputs(field(ctx.body, "input")).map((input, index) => {
    const vector = unitVector(input, size);
    return { object: "embedding" as const, index, embedding: base64 ? toBase64(vector) : Array.from(vector) };
  });
  return {
    object: "list",
    data,
    model: ctx.plan.model,
    usage: { prompt_tokens: ctx.plan.usage.input, total_tokens: ctx.plan.usage.input },
  };
}

/** Splits `input` into the items the API embeds: a string or token array is one item, an array of them many. */
function embeddingInputs(input: unknown): string[] {
  if (!Array.isArray(input)) return [JSON.stringify(input ?? "")];
  // A flat array of numbers is one pre-tokenised input, not many.
  if (input.length > 0 && input.every((item) => typeof item === "number")) return [JSON.stringify(input)];
  return input.map((item) => (typeof item === "string" ? item : JSON.stringify(item)));
}

/** A pseudo-random unit vector seeded by the text (FNV-1a into xorshift32). */
function unitVector(text: string, size: number): Float32Array {
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    state ^= text.charCodeAt(i);
    state = Math.imul(state, 0x01000193);
  }
  state ||= 1;
  const vector = new Float32Array(size);
  let norm = 0;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const value = (state >>> 0) / 0xffffffff - 0.5;
    vector[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < size; i++) vector[i] = vector[i]! * scale;
  return vector;
}

/** Base64 of the vector as little-endian float32, the layout the SDK decodes regardless of host endianness. */
function toBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i]!, i * 4);
  return bytes.toString("base64");
}
