// An app bundled with esbuild: no package resolution at run time, so it hands the SDK
// class to instrument() itself.
import { instrument, withAttribution } from "@burnrate/instrumentation";
import OpenAI from "openai";

instrument({ openai: OpenAI });
const client = new OpenAI({ apiKey: "test-key", baseURL: process.env.MOCK_OPENAI_URL, maxRetries: 0 });
const reply = await withAttribution({ feature: "app-shapes", user: "bundled" }, () =>
  client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "hello from a bundle" }],
  }),
);
console.log(reply.choices[0].message.content);
