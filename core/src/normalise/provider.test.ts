import { describe, expect, it } from "vitest";
import { normaliseProvider, providerFromHostAndSystem } from "./provider.js";

describe("normaliseProvider", () => {
  it.each([
    ["openai", "openai"],
    ["Anthropic", "anthropic"],
    ["az.ai.openai", "azure.ai.openai"],
    ["Azure", "azure.ai.openai"],
    ["az.ai.inference", "azure.ai.inference"],
    ["AWS", "aws.bedrock"],
    ["aws.bedrock", "aws.bedrock"],
    ["amazon-bedrock", "aws.bedrock"],
    ["vertex_ai", "gcp.vertex_ai"],
    ["gemini", "gcp.gemini"],
    ["Google", "gcp.gen_ai"],
    ["MistralAI", "mistral_ai"],
    ["xai", "x_ai"],
    ["Watsonx", "ibm.watsonx.ai"],
    ["openai.chat", "openai"],
    ["openai.responses", "openai"],
    ["anthropic.messages", "anthropic"],
    ["google.generative-ai", "gcp.gemini"],
    ["google.vertex.chat", "gcp.vertex_ai"],
    ["vertex.anthropic.messages", "gcp.vertex_ai"],
    ["groq.chat", "groq"],
    ["openrouter.chat", "openrouter"],
    ["", ""],
    // Names of Object.prototype's members are provider names like any other, not table entries.
    ["constructor", "constructor"],
    ["__proto__", "__proto__"],
    ["constructor.chat", "constructor"],
    ["hasOwnProperty", "hasownproperty"],
  ])("normalises %j to %j", (raw, expected) => {
    expect(normaliseProvider(raw)).toBe(expected);
  });
});

describe("providerFromHostAndSystem", () => {
  it.each([
    ["openai", "openai", "openai"],
    ["azure", "openai", "azure.ai.openai"],
    ["aws", "anthropic", "aws.bedrock"],
    ["google", "vertexai", "gcp.vertex_ai"],
    ["google", "", "gcp.gen_ai"],
    ["anthropic", "anthropic", "anthropic"],
    ["", "mistralai", "mistral_ai"],
    ["", "", ""],
  ])("host %j, system %j is %j", (host, system, expected) => {
    expect(providerFromHostAndSystem(host, system)).toBe(expected);
  });
});
