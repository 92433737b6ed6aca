export { type Collector, type CollectorOptions, createCollector } from "./collector.js";
export { type CollectorConfig, collectorConfigSchema } from "./config.js";
export { loadPriceOverrides } from "./price-overrides.js";
export type { Logger } from "./writer/writer.js";
