import type { PriceBook } from "@burnrate/core";
import type { ClickHouse } from "@burnrate/storage";

/** What every route handler may use. Built once per app by `createQueryApi`. */
export interface ApiContext {
  db: ClickHouse;
  /** Prices quotes, what-ifs and insight estimates; the collector's own book when run by `burnrate start`. */
  priceBook: PriceBook;
  /**
   * The cheaper model suggested per provider name as stored (`openai` → `gpt-4o-mini`). A Map,
   * because the provider is text from a span: a plain object would answer `constructor`.
   */
  routingTargets: ReadonlyMap<string, string>;
  /** The clock; tests pin it. */
  now(): Date;
  /** This API's OpenAPI document (built once, from the routes' schemas). */
  openApiDocument(): Record<string, unknown>;
}
