import { anthropicMessagesPrompt, renderMessage, renderMessageStream } from "./anthropic-messages.js";
import { chatPrompt, renderChatCompletion, renderChatCompletionStream } from "./openai-chat.js";
import { embeddingsPrompt, renderEmbeddings } from "./openai-embeddings.js";
import { renderResponse, renderResponseStream, responsesPrompt } from "./openai-responses.js";
import type { Provider } from "./provider-errors.js";
import type { RenderContext } from "./render-context.js";
import type { SseEvent } from "./sse.js";

/** The endpoints the mock serves, named `provider.api`. */
export type MockRoute =
  | "openai.chat"
  | "openai.responses"
  | "openai.embeddings"
  | "openai.responses.retrieve"
  | "openai.responses.cancel"
  | "anthropic.messages"
  | "anthropic.count_tokens";

/** How one endpoint reads its request and renders its answer. */
export interface RouteSpec {
  route: MockRoute;
  /** The path the SDK posts to, given the base URLs the server advertises. */
  path: string;
  provider: Provider;
  /** The prompt-bearing part of the body, for estimating input tokens. */
  prompt(body: unknown): unknown;
  render(ctx: RenderContext): unknown;
  /** Absent for endpoints that cannot stream. */
  renderStream?(ctx: RenderContext): SseEvent[];
}

/** Every endpoint, in one table so the server's dispatch stays a lookup. */
export const ROUTES: readonly RouteSpec[] = [
  {
    route: "openai.chat",
    path: "/v1/chat/completions",
    provider: "openai",
    prompt: chatPrompt,
    render: renderChatCompletion,
    renderStream: renderChatCompletionStream,
  },
  {
    route: "openai.responses",
    path: "/v1/responses",
    provider: "openai",
    prompt: responsesPrompt,
    render: renderResponse,
    renderStream: renderResponseStream,
  },
  {
    route: "openai.embeddings",
    path: "/v1/embeddings",
    provider: "openai",
    prompt: embeddingsPrompt,
    render: renderEmbeddings,
  },
  {
    route: "anthropic.messages",
    path: "/v1/messages",
    provider: "anthropic",
    prompt: anthropicMessagesPrompt,
    render: renderMessage,
    renderStream: renderMessageStream,
  },
  {
    // Free: the SDKs' `messages.countTokens()`, which must not be taken for a model call.
    route: "anthropic.count_tokens",
    path: "/v1/messages/count_tokens",
    provider: "anthropic",
    prompt: anthropicMessagesPrompt,
    render: ({ plan }) => ({ input_tokens: plan.usage.input }),
  },
];

/** Finds the endpoint for a request path; the query string (the SDKs may add one) is ignored. */
export function routeForPath(url: string): RouteSpec | undefined {
  const path = url.split("?", 1)[0]?.replace(/\/+$/, "");
  return ROUTES.find((spec) => spec.path === path);
}
