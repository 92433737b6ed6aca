/**
 * Provider names, normalised to the OpenTelemetry `gen_ai.provider.name` well-known values
 * (registry v1.41: openai, anthropic, aws.bedrock, azure.ai.openai, azure.ai.inference,
 * gcp.vertex_ai, gcp.gemini, gcp.gen_ai, cohere, ibm.watsonx.ai, mistral_ai, x_ai, groq,
 * deepseek, perplexity). Pricing keys on these, so every convention must agree on them.
 */

/**
 * Spellings seen in the wild, lower-cased: deprecated `gen_ai.system` values (`az.ai.openai`,
 * `vertex_ai`, `gemini`, `xai`), OpenLLMetry's capitalised ones before its 0.5 release
 * (`Anthropic`, `MistralAI`, `AWS`, `Azure`, `Google`, `Watsonx`), OpenInference `llm.system`
 * values (`mistralai`, `vertexai`) and Vercel AI SDK provider ids (`amazon-bedrock`,
 * `google.generative-ai`, `google.vertex`, `vertex.anthropic`, `azure-openai`).
 * A Map, not an object literal: the keys come from spans, and `constructor` or `__proto__`
 * would otherwise find Object.prototype's members.
 */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ["amazon-bedrock", "aws.bedrock"],
  ["aws", "aws.bedrock"],
  ["bedrock", "aws.bedrock"],
  ["az.ai.inference", "azure.ai.inference"],
  ["az.ai.openai", "azure.ai.openai"],
  ["azure", "azure.ai.openai"],
  ["azure-openai", "azure.ai.openai"],
  ["azure.openai", "azure.ai.openai"],
  ["gemini", "gcp.gemini"],
  ["google", "gcp.gen_ai"],
  ["google.generative-ai", "gcp.gemini"],
  ["google.vertex", "gcp.vertex_ai"],
  ["google-vertex", "gcp.vertex_ai"],
  ["vertex", "gcp.vertex_ai"],
  ["vertex.anthropic", "gcp.vertex_ai"],
  ["vertex_ai", "gcp.vertex_ai"],
  ["vertexai", "gcp.vertex_ai"],
  ["mistral", "mistral_ai"],
  ["mistralai", "mistral_ai"],
  ["watsonx", "ibm.watsonx.ai"],
  ["xai", "x_ai"],
]);

/**
 * The well-known provider name for any spelling, or the lower-cased input when it is not
 * known. Dotted SDK ids are shortened one segment at a time until a name matches, so
 * `openai.chat` becomes `openai` and `google.vertex.chat` becomes `gcp.vertex_ai`.
 * @example normaliseProvider("Anthropic") === "anthropic"
 * @example normaliseProvider("az.ai.openai") === "azure.ai.openai"
 */
export function normaliseProvider(raw: string): string {
  const name = raw.trim().toLowerCase();
  if (name === "") return "";
  const segments = name.split(".");
  for (let length = segments.length; length > 0; length--) {
    const candidate = segments.slice(0, length).join(".");
    const alias = ALIASES.get(candidate);
    if (alias !== undefined) return alias;
    if (WELL_KNOWN.has(candidate)) return candidate;
  }
  return segments[0] ?? name;
}

const WELL_KNOWN: ReadonlySet<string> = new Set([
  "anthropic",
  "aws.bedrock",
  "azure.ai.inference",
  "azure.ai.openai",
  "cohere",
  "deepseek",
  "gcp.gemini",
  "gcp.gen_ai",
  "gcp.vertex_ai",
  "groq",
  "ibm.watsonx.ai",
  "mistral_ai",
  "openai",
  "perplexity",
  "x_ai",
]);

/**
 * Cloud hosts whose name decides the price, whatever model family they serve: Claude on
 * Bedrock is billed by AWS, GPT on Azure by Microsoft.
 */
const HOSTS: ReadonlySet<string> = new Set([
  "aws.bedrock",
  "azure.ai.inference",
  "azure.ai.openai",
  "gcp.gen_ai",
  "gcp.vertex_ai",
  "gcp.gemini",
]);

/**
 * The provider for a host (where the call was served) and a system (whose model it was),
 * as OpenInference reports them in `llm.provider` and `llm.system`. The host wins when it is
 * a cloud platform; Google's generic host is made specific by the system.
 * @example providerFromHostAndSystem("azure", "openai") === "azure.ai.openai"
 * @example providerFromHostAndSystem("google", "vertexai") === "gcp.vertex_ai"
 */
export function providerFromHostAndSystem(host: string, system: string): string {
  const hostName = normaliseProvider(host);
  const systemName = normaliseProvider(system);
  if (hostName === "gcp.gen_ai" && systemName.startsWith("gcp.")) return systemName;
  if (HOSTS.has(hostName)) return hostName;
  return systemName || hostName;
}
