import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BackgroundResponses, storedResponseRequest } from "./background-responses.js";
import { parseJsonObject, pause, readBody, sendHalfJson, sendJson } from "./http-io.js";
import { providerError, requestIdHeader } from "./provider-errors.js";
import type { RenderContext } from "./render-context.js";
import { type MockReply, MockReplyError } from "./reply.js";
import { planReply } from "./reply-plan.js";
import { type MockRoute, ROUTES, routeForPath } from "./routes.js";
import { ReplyScript } from "./script.js";
import { writeSse } from "./sse.js";

/**
 * The request header that scripts one request's reply, as JSON of a {@link MockReply}.
 * Header values must be Latin-1, so escape other characters (`\u00e9`) inside the JSON.
 */
export const MOCK_REPLY_HEADER = "x-mock-llm";

/** One request the mock received, recorded before it is answered. */
export interface MockLlmRequest {
  route: MockRoute;
  /** The parsed JSON body, or the raw text when it was not a JSON object. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** Arrival time, epoch milliseconds. */
  at: number;
}

/** A running mock LLM server. */
export interface MockLlmServer {
  /** `http://host:port`, no trailing slash. */
  url: string;
  /** Pass as `baseURL` to `new OpenAI(...)`: `url + "/v1"`. */
  openaiBaseUrl: string;
  /** Pass as `baseURL` to `new Anthropic(...)`: the SDK adds `/v1` itself. */
  anthropicBaseUrl: string;
  /** Queues a reply for the next request (to `route`, if given). Throws `MockReplyError` if invalid. */
  enqueue(reply: MockReply, route?: MockRoute): void;
  /** Sets the reply for requests that no queued reply or header scripts. Throws `MockReplyError` if invalid. */
  setDefault(reply: MockReply): void;
  /** Every request received, retries included, oldest first. */
  readonly requests: ReadonlyArray<MockLlmRequest>;
  requestCount(route?: MockRoute): number;
  /** Forgets queued replies, the default and recorded requests. */
  reset(): void;
  /** Stops listening and drops open connections, streams included. */
  close(): Promise<void>;
}

/** Where the server listens. */
export interface MockLlmServerOptions {
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
}

/**
 * Starts a mock LLM server that speaks the OpenAI (Chat Completions, Responses,
 * Embeddings) and Anthropic (Messages) wire formats, so the real SDKs run against it
 * unmodified.
 *
 * @example
 * const server = await startMockLlmServer();
 * const openai = new OpenAI({ apiKey: "test", baseURL: server.openaiBaseUrl, maxRetries: 0 });
 * server.enqueue({ text: "Hi!", usage: { input: 1200, cacheRead: 1000, output: 3 } });
 * await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Hello" }] });
 * server.requestCount("openai.chat"); // 1
 * await server.close();
 */
export async function startMockLlmServer(options: MockLlmServerOptions = {}): Promise<MockLlmServer> {
  const host = options.host ?? "127.0.0.1";
  const script = new ReplyScript();
  const requests: MockLlmRequest[] = [];
  let lastId = 0;
  const newId = (prefix: string) => `${prefix}mock${++lastId}`;

  const background = new BackgroundResponses();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const at = Date.now();
    const stored = storedResponseRequest(request.method, request.url ?? "/");
    if (stored) {
      const route = stored.action === "cancel" ? "openai.responses.cancel" : "openai.responses.retrieve";
      requests.push({ route, body: undefined, headers: request.headers, at });
      const headers = requestIdHeader("openai", newId("req_"));
      const events = stored.action === "stream" ? background.retrieveStream(stored.id) : undefined;
      if (events) return writeSse(response, events, { chunkDelayMs: 0, cutAfterChunks: undefined }, headers);
      const found =
        stored.action === "cancel" ? background.cancel(stored.id) : background.retrieve(stored.id);
      if (found && stored.action !== "stream") return sendJson(response, 200, found, headers);
      const error = providerError(
        "openai",
        { status: 404, message: `No response with id '${stored.id}'.` },
        newId("req_"),
      );
      return sendJson(response, error.status, error.body, error.headers);
    }
    const spec = routeForPath(request.url ?? "/");
    if (!spec || request.method !== "POST") {
      const served = [
        ...ROUTES.map((r) => `POST ${r.path}`),
        "GET /v1/responses/{id}",
        "POST /v1/responses/{id}/cancel",
      ].join(", ");
      sendJson(response, spec ? 405 : 404, {
        error: {
          message: `mock-llm: nothing at ${request.method} ${request.url}; it serves ${served}`,
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      });
      return;
    }
    const raw = await readBody(request);
    const body = parseJsonObject(raw);
    requests.push({ route: spec.route, body: body ?? raw, headers: request.headers, at });
    const requestId = newId("req_");
    const fail = (status: number, message: string) => {
      const error = providerError(spec.provider, { status, message }, requestId);
      sendJson(response, error.status, error.body, error.headers);
    };
    if (!body) return fail(400, "mock-llm: the request body is not a JSON object");

    let reply: MockReply;
    try {
      reply = script.take(spec.route, request.headers[MOCK_REPLY_HEADER]);
    } catch (error) {
      if (error instanceof MockReplyError) return fail(400, error.message);
      throw error;
    }
    const plan = planReply(reply, {
      model: body.model,
      prompt: spec.prompt(body),
      serviceTier: body.service_tier,
    });
    // The client may time out while we wait; then nothing is left to answer.
    if (plan.latencyMs > 0 && !(await pause(response, plan.latencyMs))) return;
    if (plan.error) {
      const error = providerError(spec.provider, plan.error, requestId);
      return sendJson(response, error.status, error.body, error.headers);
    }
    const ctx: RenderContext = { body, plan, newId, createdAt: Math.floor(Date.now() / 1000) };
    const headers = requestIdHeader(spec.provider, requestId);
    if (body.stream === true && spec.renderStream) {
      return writeSse(response, spec.renderStream(ctx), plan, headers);
    }
    if (plan.cutBody) return sendHalfJson(response, spec.render(ctx), headers);
    const rendered = spec.render(ctx) as Record<string, unknown>;
    if (spec.route === "openai.responses" && body.background === true) {
      return sendJson(response, 200, background.start(rendered, plan.backgroundPolls), headers);
    }
    sendJson(response, 200, rendered, headers);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => answerUnexpected(response, error));
  });
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    enqueue: (reply, route) => script.enqueue(reply, route),
    setDefault: (reply) => script.setDefault(reply),
    get requests() {
      return requests;
    },
    requestCount: (route) => (route ? requests.filter((r) => r.route === route).length : requests.length),
    reset() {
      script.clear();
      background.clear();
      requests.length = 0;
    },
    close: () => closeServer(server),
  };
}

// A bug in the mock must not look like a scripted provider error, so it says where it came from.
function answerUnexpected(response: ServerResponse, error: unknown): void {
  console.error("mock-llm: unexpected error while answering a request", error);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  sendJson(response, 500, {
    error: { message: `mock-llm internal error: ${message}`, type: "server_error" },
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets and open streams would otherwise hold close() open.
    server.closeAllConnections();
  });
}
