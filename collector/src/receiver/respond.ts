import type { ServerResponse } from "node:http";
import { encodeStatus } from "../otlp/index.js";
import { rpcCodeFor } from "./http-error.js";

export type Format = "protobuf" | "json";

/** Answers with a google.rpc.Status body in the request's format, as OTLP/HTTP asks for errors. */
export function sendStatus(
  res: ServerResponse,
  format: Format,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = encodeStatus(format, rpcCodeFor(status), message);
  res.writeHead(status, {
    ...headers,
    "content-type": format === "protobuf" ? "application/x-protobuf" : "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** A plain JSON answer, for the collector's own endpoints. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
