// An ESM app that knows nothing of Burnrate: it is started with
// `node --import @burnrate/instrumentation/register esm-plain.mjs`.
import OpenAI from "openai";

const client = new OpenAI({ apiKey: "test-key", baseURL: process.env.MOCK_OPENAI_URL, maxRetries: 0 });
const reply = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "hello from --import" }],
});
console.log(reply.choices[0].message.content);
