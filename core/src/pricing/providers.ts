/**
 * OpenTelemetry `gen_ai.provider.name` values whose genai-prices provider id is spelled
 * differently. Names not listed here are passed to genai-prices as they are (after trimming
 * and lower-casing), where its own `provider_match` rules may still recognise them.
 *
 * Azure is listed explicitly because genai-prices would otherwise read "azure.ai.openai"
 * as OpenAI (it contains "openai"), and Azure prices its deployments itself.
 * A Map, because the provider name comes from a span: `constructor` must not find a function.
 */
const GENAI_PRICES_PROVIDER: ReadonlyMap<string, string> = new Map([
  ["aws.bedrock", "aws"],
  ["azure.ai.inference", "azure"],
  ["azure.ai.openai", "azure"],
  ["gcp.gemini", "google"],
  ["gcp.gen_ai", "google"],
  ["gcp.vertex_ai", "google"],
  ["mistral_ai", "mistral"],
  ["x_ai", "x-ai"],
]);

/**
 * The genai-prices provider id for a call's provider name, or `""` when the call named none.
 * @example genaiPricesProviderId("gcp.vertex_ai") === "google"
 */
export function genaiPricesProviderId(provider: string): string {
  const name = provider.trim().toLowerCase();
  return GENAI_PRICES_PROVIDER.get(name) ?? name;
}
