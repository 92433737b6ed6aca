// A CommonJS app that knows nothing of Burnrate: it is started with
// `node -r @burnrate/instrumentation/register cjs-plain.cjs`.
const OpenAI = require("openai");

const client = new OpenAI({ apiKey: "test-key", baseURL: process.env.MOCK_OPENAI_URL, maxRetries: 0 });
client.chat.completions
  .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello from -r" }] })
  .then((r) => console.log(r.choices[0].message.content));
