/**
 * Token estimates for streams that ended without usage (cut off, or OpenAI streams without
 * `stream_options.include_usage`). gpt-tokenizer is loaded on first use only, so apps whose
 * streams report usage never pay for loading it.
 */
let tokenizer: Promise<{ countTokens(text: string): number }> | undefined;

export async function estimateTokens(text: string): Promise<number> {
  if (!text) return 0;
  tokenizer ??= import("gpt-tokenizer").then((m) => ({ countTokens: (t: string) => m.countTokens(t) }));
  return (await tokenizer).countTokens(text);
}

/** The text of chat messages, for estimating prompt tokens: contents and tool arguments. */
export function messagesText(messages: unknown): string {
  if (!Array.isArray(messages)) return typeof messages === "string" ? messages : "";
  let text = "";
  for (const message of messages as Record<string, unknown>[]) {
    text += `${contentText(message.content)}\n`;
    const calls = message.tool_calls as { function?: { name?: string; arguments?: string } }[] | undefined;
    for (const call of calls ?? [])
      text += `${call.function?.name ?? ""} ${call.function?.arguments ?? ""}\n`;
  }
  return text;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: { text?: string; content?: unknown }) => part.text ?? contentText(part.content))
    .join("\n");
}
