import { gunzipSync } from "node:zlib";
import { ATTR_GEN_AI_OPERATION_NAME } from "@burnrate/core";
import { loadRequestType } from "../ingest/request-pool.js";
import type { TracesArrival } from "./protocol.js";

/** When the collector received one LLM-call span: the times of the request that carried it. */
export interface SpanArrival {
  spanId: string;
  /** hrtime the request was emitted by the collector's HTTP server. */
  at: bigint;
  /** hrtime its body had been read. */
  bodyEndAt: bigint;
}

interface DecodedRequest {
  resourceSpans?: {
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        attributes?: { key: string; value: { stringValue?: string } }[];
      }[];
    }[];
  }[];
}

/**
 * The LLM-call spans (`gen_ai.operation.name` = chat) of each trace, in the order the collector
 * received them: requests by arrival, spans in request order, which is the order the detect
 * processor feeds them to the engine. Keyed by trace id (hex); a span sent twice counts once.
 */
export function llmSpanArrivals(arrivals: readonly TracesArrival[]): Map<string, SpanArrival[]> {
  const type = loadRequestType();
  const byTrace = new Map<string, SpanArrival[]>();
  // A retried export carries spans again; the collector drops the copies, and so does this.
  const seen = new Set<string>();
  const ordered = [...arrivals].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const arrival of ordered) {
    let body = Buffer.from(arrival.body.buffer, arrival.body.byteOffset, arrival.body.byteLength);
    if (arrival.contentEncoding.toLowerCase() === "gzip") body = gunzipSync(body);
    const request = type.toObject(type.decode(body), { bytes: String }) as DecodedRequest;
    for (const resource of request.resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          const operation = span.attributes?.find((a) => a.key === ATTR_GEN_AI_OPERATION_NAME);
          if (operation?.value.stringValue !== "chat") continue;
          const traceId = hex(span.traceId);
          const spanId = hex(span.spanId);
          if (seen.has(`${traceId}/${spanId}`)) continue;
          seen.add(`${traceId}/${spanId}`);
          const list = byTrace.get(traceId) ?? [];
          if (list.length === 0) byTrace.set(traceId, list);
          list.push({ spanId, at: arrival.at, bodyEndAt: arrival.bodyEndAt });
        }
      }
    }
  }
  return byTrace;
}

/** protobufjs's `toObject` writes bytes as base64. */
const hex = (base64: string) => Buffer.from(base64, "base64").toString("hex");
