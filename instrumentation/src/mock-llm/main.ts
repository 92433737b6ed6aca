#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startMockLlmServer } from "./server.js";

// A manual and demo entry point: `node instrumentation/dist/mock-llm/main.js --port 4399`.
// The URL alone goes to stdout so scripts can capture it; hints go to stderr.

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4399" },
    host: { type: "string", default: "127.0.0.1" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log("usage: mock-llm [--port 4399] [--host 127.0.0.1]   (--port 0 picks a free port)");
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`mock-llm: --port must be an integer from 0 to 65535, got "${values.port}"`);
  process.exit(2);
}

const server = await startMockLlmServer({ port, host: values.host });
console.log(server.url);
console.error(
  `mock-llm: OpenAI baseURL ${server.openaiBaseUrl}, Anthropic baseURL ${server.anthropicBaseUrl}`,
);
console.error('mock-llm: script a request with the header x-mock-llm: {"text":"…","usage":{"input":100}}');

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
