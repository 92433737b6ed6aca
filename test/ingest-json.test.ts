import { describe } from "vitest";
import { pricingEndToEnd } from "./support/pricing-e2e.js";

describe("OTel SDK → OTLP/HTTP JSON → collector → chDB", () => {
  pricingEndToEnd("json");
});
