import { encode } from "gpt-tokenizer";
import { describe, expect, it } from "vitest";
import { estimateTokens, messagesText } from "./estimate.js";

describe("estimateTokens", () => {
  it("counts special-token text as the ordinary text it is, without throwing", async () => {
    const texts = ["see <|endoftext|> here", "<|im_start|>user<|im_end|>", "<|fim_prefix|>"];
    const counts = await Promise.all(texts.map(estimateTokens));
    expect(counts).toEqual(texts.map((t) => encode(t, { disallowedSpecial: new Set() }).length));
  });
});

describe("messagesText", () => {
  it("reads Chat messages and the tools they called", () => {
    const messages = [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: null, tool_calls: [{ function: { name: "get", arguments: '{"c":1}' } }] },
      { role: "tool", tool_call_id: "call_1", content: "sunny" },
    ];
    expect(messagesText(messages)).toBe('Weather?\n\nget {"c":1}\nsunny\n');
  });

  it("reads Responses input items, tool calls and tool results included", () => {
    const input = [
      { role: "user", content: [{ type: "input_text", text: "Weather?" }] },
      { type: "function_call", call_id: "c1", name: "search", arguments: '{"q":"paris"}' },
      { type: "function_call_output", call_id: "c1", output: "sunny, 25C" },
      { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "windy" }] },
      { type: "custom_tool_call", call_id: "c3", name: "shell", input: "ls -la" },
    ];
    expect(messagesText(input)).toBe('Weather?\nsearch {"q":"paris"}\nsunny, 25C\nwindy\nshell ls -la\n');
  });

  it("reads Anthropic system blocks, tool_use inputs and tool results", () => {
    const system = [{ type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } }];
    const messages = [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "get", input: { city: "Paris" } }] },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "sunny" }] }],
      },
    ];
    expect([messagesText(system), messagesText(messages)]).toEqual([
      "You are terse.\n",
      'Weather?\nget {"city":"Paris"}\nsunny\n',
    ]);
  });
});
