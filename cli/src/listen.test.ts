import { afterEach, describe, expect, it, vi } from "vitest";
import { type Listening, listen } from "./listen.js";

let listening: Listening | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await listening?.close();
  listening = undefined;
});

describe("listen", () => {
  it("reports a server error after it is listening, and keeps serving", async () => {
    listening = await listen((_req, res) => res.end("ok"), "127.0.0.1", 0, "OTLP receiver");
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const error = Object.assign(new Error("accept failed"), { code: "EMFILE" });
    expect(() => listening!.server.emit("error", error)).not.toThrow();
    vi.restoreAllMocks();
    const res = await fetch(listening.url);
    expect({ written, status: res.status, body: await res.text() }).toEqual({
      written: ["burnrate: the OTLP receiver hit an error: EMFILE\n"],
      status: 200,
      body: "ok",
    });
  });

  it("names the port that is taken and the setting that moves the server", async () => {
    listening = await listen((_req, res) => res.end(), "127.0.0.1", 0, "OTLP receiver");
    const port = Number(new URL(listening.url).port);
    await expect(listen((_req, res) => res.end(), "127.0.0.1", port, "query API")).rejects.toThrow(
      `cannot listen on 127.0.0.1:${port} for the query API (EADDRINUSE): the port is taken, perhaps by another burnrate; stop that process or set BURNRATE_API_PORT or server.apiPort to a free port`,
    );
  });

  it("names the host setting when the address is not this machine's", async () => {
    // 192.0.2.0/24 is reserved for documentation (RFC 5737), so no machine has it.
    await expect(listen((_req, res) => res.end(), "192.0.2.1", 0, "OTLP receiver")).rejects.toThrow(
      "cannot listen on 192.0.2.1:0 for the OTLP receiver (EADDRNOTAVAIL): the address is not one of this machine's; set BURNRATE_HOST or server.host to one, such as 127.0.0.1 or 0.0.0.0",
    );
  });
});
