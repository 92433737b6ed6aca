/**
 * Preloaded into `burnrate start` by the detect benchmark (`node --import <this file>
 * cli/bin/burnrate.js start`, with an IPC channel), so the collector's own code is run
 * unchanged. It timestamps, on the machine-wide monotonic clock:
 * - each POST /v1/traces when the HTTP server emits it, and when its body has been read,
 *   keeping the body so the parent can tell which request carried which span;
 * - each decision written to a GET /v1/decisions/stream response;
 * and it samples the collector's event-loop delay.
 * Recording costs a clock read and a reference to each body chunk; decoding happens in the
 * parent, after the trials. The parent collects the records with a `take` message.
 */
import { type IncomingMessage, Server, type ServerResponse } from "node:http";
import { takeLoopDelay, watchLoopDelay } from "./loop-delay.js";
import type { DecisionWrite, ProbeRecords, TakeCommand, TracesArrival } from "./protocol.js";

/** Enough for thousands of trials between takes; past it, records are counted as dropped. */
const MAX_RECORDS = 50_000;

interface Pending extends Omit<TracesArrival, "body"> {
  chunks: Buffer[];
}

let arrivals: Pending[] = [];
let writes: DecisionWrite[] = [];
let dropped = 0;

const emit = Server.prototype.emit;
Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === "request") {
    const at = process.hrtime.bigint();
    const req = args[0] as IncomingMessage;
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "POST" && path === "/v1/traces") watchBody(req, args[1] as ServerResponse, at);
    else if (req.method === "GET" && path === "/v1/decisions/stream") watchStream(args[1] as ServerResponse);
  }
  return (emit as (this: Server, ...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof emit;

/**
 * Keeps the body's chunks by watching the request's own `data` events, which a stream emits
 * however it is read (the collector reads it with `for await`), so nothing is consumed here.
 */
function watchBody(req: IncomingMessage, res: ServerResponse, at: bigint): void {
  if (arrivals.length >= MAX_RECORDS) {
    dropped++;
    return;
  }
  const pending: Pending = {
    at,
    bodyEndAt: 0n,
    answeredAt: 0n,
    contentEncoding: String(req.headers["content-encoding"] ?? "identity"),
    chunks: [],
  };
  arrivals.push(pending);
  res.once("finish", () => {
    pending.answeredAt = process.hrtime.bigint();
  });
  const own = req.emit;
  req.emit = function (this: IncomingMessage, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "data") pending.chunks.push(args[0] as Buffer);
    else if (event === "end") pending.bodyEndAt = process.hrtime.bigint();
    return own.call(this, event, ...args);
  } as typeof own;
}

/** Timestamps each decision event just before the stream writes it. */
function watchStream(res: ServerResponse): void {
  const write = res.write;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === "string" && chunk.includes("\nevent: decision\n")) {
      const at = process.hrtime.bigint();
      const id = /"decision_id":"([^"]+)"/.exec(chunk)?.[1];
      if (id && writes.length < MAX_RECORDS) writes.push({ at, decisionId: id });
      else if (id) dropped++;
    }
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof write;
}

const loopDelay = watchLoopDelay();

if (process.send) {
  process.on("message", (message: TakeCommand) => {
    if (message?.type !== "take") return;
    const records: ProbeRecords = {
      type: "taken",
      arrivals: arrivals.map(({ chunks, ...rest }) => ({ ...rest, body: Buffer.concat(chunks) })),
      writes,
      loopDelay: takeLoopDelay(loopDelay),
      dropped,
    };
    arrivals = [];
    writes = [];
    dropped = 0;
    process.send!(records);
  });
  // The channel must not keep the collector alive; `burnrate start` exits on its own terms.
  process.channel?.unref();
}
