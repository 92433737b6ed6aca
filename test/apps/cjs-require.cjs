// A CommonJS app whose first line is the one require Burnrate needs.
require("@burnrate/instrumentation/register");
const OpenAI = require("openai");
const { withAttribution } = require("@burnrate/instrumentation");

const client = new OpenAI({ apiKey: "test-key", baseURL: process.env.MOCK_OPENAI_URL, maxRetries: 0 });
withAttribution({ feature: "app-shapes", user: "cjs-require" }, () =>
  client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "hello from cjs" }],
  }),
).then((r) => console.log(r.choices[0].message.content));
