// An ESM app that starts a streamed call, aborts it and never reads it again, then exits:
// `node --import @burnrate/instrumentation/register abandoned-stream.mjs`.
import OpenAI from "openai";

const client = new OpenAI({ apiKey: "test-key", baseURL: process.env.MOCK_OPENAI_URL, maxRetries: 0 });
const stream = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "never mind" }],
  stream: true,
});
stream.controller.abort();
console.log("aborted");
