/**
 * Token estimates for streams that ended without usage (cut off, or OpenAI streams without
 * `stream_options.include_usage`). gpt-tokenizer is loaded on first use only, so apps whose
 * streams report usage never pay for loading it.
 */
let tokenizer: Promise<(text: string) => number> | undefined;

/**
 * Special-token text in a prompt or reply (`<|endoftext|>`) is counted as the ordinary text it
 * is to the provider: the tokenizer's default refuses it, throwing, which would cost the call
 * its whole estimate.
 */
const ORDINARY_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Estimates the tokens of `text`. Never rejects: a tokenizer that cannot be loaded or fails
 * gives a rough four-characters-a-token count instead, so a stream always ends with usage.
 */
export async function estimateTokens(text: string): Promise<number> {
  if (!text) return 0;
  tokenizer ??= import("gpt-tokenizer").then((m) => (t: string) => m.countTokens(t, ORDINARY_TEXT));
  try {
    return (await tokenizer)(text);
  } catch {
    return Math.ceil(text.length / 4);
  }
}

/**
 * The text of a prompt, for estimating its tokens, one line or more per item: message
 * contents, tool calls and tool results, in each shape the SDKs take (Chat messages, Responses
 * input items, Anthropic messages and system blocks).
 *
 * @example messagesText([{ role: "user", content: "Hi" }, { type: "function_call_output", call_id: "c1", output: "42" }]) // "Hi\n42\n"
 */
export function messagesText(messages: unknown): string {
  if (!Array.isArray(messages)) return typeof messages === "string" ? messages : "";
  let text = "";
  for (const item of messages) text += `${itemText(item)}\n`;
  return text;
}

/** The fields of a prompt item whose text is billed as input. */
interface PromptItem {
  /** Chat, Anthropic and Responses messages. */
  content?: unknown;
  /** Anthropic system blocks and other text parts. */
  text?: unknown;
  /** Responses `function_call` (`arguments`) and `custom_tool_call` (`input`) items. */
  name?: unknown;
  arguments?: unknown;
  input?: unknown;
  /** Responses `function_call_output` and `custom_tool_call_output` items. */
  output?: unknown;
  /** Chat assistant messages that called tools. */
  tool_calls?: { function?: { name?: string; arguments?: string } }[];
}

function itemText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || typeof value !== "object") return "";
  const item = value as PromptItem;
  let text =
    item.content !== undefined ? contentText(item.content) : typeof item.text === "string" ? item.text : "";
  if (typeof item.name === "string" && (item.arguments !== undefined || item.input !== undefined)) {
    text += `${item.name} ${stringOf(item.arguments ?? item.input)}`;
  }
  if (item.output !== undefined) text += contentText(item.output);
  if (Array.isArray(item.tool_calls)) {
    for (const call of item.tool_calls)
      text += `\n${call.function?.name ?? ""} ${call.function?.arguments ?? ""}`;
  }
  return text;
}

/** A message's content: a string, or parts (text, Anthropic tool_use and tool_result blocks). */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map(partText).join("\n");
}

function partText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || typeof value !== "object") return "";
  const part = value as { type?: string; text?: unknown; name?: unknown; input?: unknown; content?: unknown };
  if (typeof part.text === "string") return part.text;
  if (part.type === "tool_use" || part.type === "server_tool_use")
    return `${part.name ?? ""} ${stringOf(part.input)}`;
  return contentText(part.content);
}

function stringOf(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}
