#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startMockLlmServer } from "./server.js";

// The `burnrate-mock-llm` command (bin/burnrate-mock-llm.js): `burnrate-mock-llm --port 4399`.
// The URL alone goes to stdout so scripts can capture it; hints go to stderr.

const USAGE = "usage: burnrate-mock-llm [--port 4399] [--host 127.0.0.1]   (--port 0 picks a free port)";

let values: { port: string; host: string; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string", default: "4399" },
      host: { type: "string", default: "127.0.0.1" },
      help: { type: "boolean", short: "h", default: false },
    },
  }));
} catch (error) {
  console.error(`mock-llm: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

if (values.help) {
  console.log(USAGE);
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
