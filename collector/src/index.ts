export { type Collector, type CollectorOptions, createCollector } from "./collector.js";
