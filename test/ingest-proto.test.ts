import { describe } from "vitest";
import { pricingEndToEnd } from "./support/pricing-e2e.js";

describe("OTel SDK → OTLP/HTTP protobuf → collector → chDB", () => {
  pricingEndToEnd("proto");
});
