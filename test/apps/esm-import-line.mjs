// An ESM app with the one import line first and a static import of the SDK after it.
import "@burnrate/instrumentation/register";
import { withAttribution } from "@burnrate/instrumentation";
import OpenAI from "openai";

const client = new OpenAI({ apiKey: "test-key", baseURL: process.env.MOCK_OPENAI_URL, maxRetries: 0 });
const reply = await withAttribution({ feature: "app-shapes", user: "esm-import-line" }, () =>
  client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "hello from esm" }],
  }),
);
console.log(reply.choices[0].message.content);
