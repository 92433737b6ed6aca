import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The collector's own telemetry, served at GET /metrics in Prometheus text format. */
export function createMetrics() {
  const registry = new Registry();
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    spansReceived: counter("burnrate_spans_received_total", "Spans received in export requests."),
    spansAccepted: counter("burnrate_spans_accepted_total", "Spans accepted and spooled for storage."),
    spansRejected: counter("burnrate_spans_rejected_total", "Spans rejected as invalid (partial success)."),
    spansDeduplicated: counter(
      "burnrate_spans_deduplicated_total",
      "Spans dropped as already received (retried exports).",
    ),
    spansWritten: counter("burnrate_spans_written_total", "Spans written to ClickHouse."),
    callsWritten: counter("burnrate_llm_calls_written_total", "New LLM calls written to ClickHouse."),
    requests: counter(
      "burnrate_otlp_requests_total",
      "OTLP export requests by HTTP status (`aborted`: the client hung up before sending its whole body).",
      ["status"],
    ),
    batchesWritten: counter("burnrate_batches_written_total", "Batches written to ClickHouse."),
    writeErrors: counter(
      "burnrate_write_errors_total",
      "Failed writes, by kind: transient (storage), rejected (by storage, dead-lettered) or local (the spool's own files).",
      ["kind"],
    ),
    priceMisses: counter("burnrate_price_misses_total", "LLM calls no price was found for, by model.", [
      "provider",
      "model",
    ]),
    writeSeconds: new Histogram({
      name: "burnrate_write_duration_seconds",
      help: "Time to write one batch to ClickHouse.",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    processorSeconds: new Histogram({
      name: "burnrate_processor_duration_seconds",
      help: "Time each pipeline processor spends per batch.",
      labelNames: ["processor"],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
      registers: [registry],
    }),
    decisions: counter("burnrate_decisions_total", "Decisions published, by detector and action.", [
      "detector",
      "action",
    ]),
    runsTracked: new Gauge({
      name: "burnrate_detection_runs_tracked",
      help: "Runs (traces and sessions) the detectors hold state for.",
      registers: [registry],
    }),
    spoolBytes: new Gauge({
      name: "burnrate_spool_bytes",
      help: "Bytes held in the on-disk spool.",
      registers: [registry],
    }),
  };
}

export type CollectorMetrics = ReturnType<typeof createMetrics>;
