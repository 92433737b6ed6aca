import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";

const COMMAND = fileURLToPath(new URL("../../bin/burnrate-mock-llm.js", import.meta.url));

/** Runs the installed command with `args`; resolves with the child and its first stdout line. */
async function start(args: string[]) {
  const child = spawn(process.execPath, [COMMAND, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const firstLine = new Promise<string>((resolve) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child.on("exit", () => resolve(out));
  });
  return { child, firstLine, stderr: () => stderr };
}

describe("the burnrate-mock-llm command", () => {
  it("serves the OpenAI API on the URL it prints, answers as a request's x-mock-llm header says, and stops on SIGTERM", async () => {
    const { child, firstLine, stderr } = await start(["--port", "0"]);
    const url = await firstLine;
    const client = new OpenAI({ apiKey: "test", baseURL: `${url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create(
      { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello?" }] },
      { headers: { "x-mock-llm": JSON.stringify({ text: "Hi there.", usage: { input: 12, output: 3 } }) } },
    );
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect({
      url: /^http:\/\/127\.0\.0\.1:\d+$/.test(url),
      text: completion.choices[0]?.message.content,
      usage: [completion.usage?.prompt_tokens, completion.usage?.completion_tokens],
      code,
      hints: stderr().split("\n")[0],
    }).toEqual({
      url: true,
      text: "Hi there.",
      usage: [12, 3],
      code: 0,
      hints: `mock-llm: OpenAI baseURL ${url}/v1, Anthropic baseURL ${url}`,
    });
  });

  it("refuses an option it does not know with one line and its usage", async () => {
    const { child, stderr } = await start(["--prot", "1"]);
    const [code] = await once(child, "exit");
    expect({ code, stderr: stderr().split("\n") }).toEqual({
      code: 2,
      stderr: [
        expect.stringMatching(/^mock-llm: Unknown option '--prot'/),
        "usage: burnrate-mock-llm [--port 4399] [--host 127.0.0.1]   (--port 0 picks a free port)",
        "",
      ],
    });
  });

  it("refuses a port it cannot use, in one line", async () => {
    const { child, stderr } = await start(["--port", "70000"]);
    const [code] = await once(child, "exit");
    expect({ code, stderr: stderr() }).toEqual({
      code: 2,
      stderr: 'mock-llm: --port must be an integer from 0 to 65535, got "70000"\n',
    });
  });
});
