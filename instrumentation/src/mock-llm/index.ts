export type { MockError, MockReply, MockStreamError, MockToolCall, MockUsage } from "./reply.js";
export { MockReplyError, parseMockReply } from "./reply.js";
export type { MockRoute } from "./routes.js";
export {
  MOCK_REPLY_HEADER,
  type MockLlmRequest,
  type MockLlmServer,
  type MockLlmServerOptions,
  startMockLlmServer,
} from "./server.js";
