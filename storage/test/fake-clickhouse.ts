import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the stand-in received it. */
export interface FakeRequest {
  method: string;
  path: string;
  /** The URL's parameters, decoded: `query`, `database`, `query_id`, settings, `param_*`. */
  params: Record<string, string>;
  /** The longest raw (still %-encoded) URL parameter value, which ClickHouse caps. */
  longestField: number;
  body: string;
  /** `user:password` from the Basic authorization header. */
  auth: string;
}

export type FakeAnswer = (request: FakeRequest, res: ServerResponse, req: IncomingMessage) => void;

export interface FakeClickHouse {
  url: string;
  /** Every request but /ping, in order. */
  requests: FakeRequest[];
  /** How the stand-in answers from now on; the default is an empty 200, an accepted statement. */
  answer(handler: FakeAnswer): void;
  close(): Promise<void>;
}

/**
 * ClickHouse's `http_max_field_value_size` default: the HTTP interface refuses any URL
 * parameter whose raw value is longer, before it parses any SQL.
 */
export const FIELD_VALUE_LIMIT = 128 * 1024;

/** What ClickHouse 25.8 answers for such a parameter: a Poco exception, code 1000, status 500. */
export const FIELD_TOO_LONG =
  "Poco::Exception. Code: 1000, e.code() = 0, HTML Form Exception: Field value too long (version 25.8.1.8 (official build))\n";

/**
 * A stand-in for ClickHouse's HTTP interface on 127.0.0.1, for tests of the server driver
 * where no server runs. Like ClickHouse, /ping says "Ok." without looking at credentials, and
 * a URL parameter over `FIELD_VALUE_LIMIT` is refused before the handler sees it.
 */
export async function startFakeClickHouse(): Promise<FakeClickHouse> {
  const requests: FakeRequest[] = [];
  let handler: FakeAnswer = (_request, res) => void res.end();
  // ClickHouse reads URLs up to 1 MiB (http_max_uri_size); Node's default stops at 16 KiB.
  const server = createServer({ maxHeaderSize: 2 * 1024 * 1024 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/ping") return void res.end("Ok.\n");
      const basic = (req.headers.authorization ?? "").replace(/^Basic /, "");
      const request: FakeRequest = {
        method: req.method ?? "",
        path: url.pathname,
        params: Object.fromEntries(url.searchParams),
        longestField: Math.max(
          0,
          ...url.search
            .slice(1)
            .split("&")
            .map((kv) => kv.length - kv.indexOf("=") - 1),
        ),
        body: Buffer.concat(chunks).toString(),
        auth: Buffer.from(basic, "base64").toString(),
      };
      requests.push(request);
      if (request.longestField > FIELD_VALUE_LIMIT) {
        res.writeHead(500, { "X-ClickHouse-Exception-Code": "1000" });
        return void res.end(FIELD_TOO_LONG);
      }
      handler(request, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer(next) {
      handler = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The statement of a request: the `query` parameter, or the body when the URL has none. */
export function statementOf(request: FakeRequest): string {
  return request.params.query ?? request.body;
}

/** Answers as ClickHouse does when it refuses a statement before sending anything. */
export function refuse(res: ServerResponse, status: number, code: number, text: string): void {
  res.writeHead(status, { "X-ClickHouse-Exception-Code": String(code) });
  res.end(`Code: ${code}. DB::Exception: ${text} (version 25.8.1.8 (official build))\n`);
}
