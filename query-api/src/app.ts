import type { ClickHouse } from "@burnrate/storage";
import express, { type Express } from "express";

export interface QueryApiOptions {
  db: ClickHouse;
}

/** The query API as an express app. Listening is the caller's job. */
export function createQueryApi(options: QueryApiOptions): Express {
  const { db } = options;
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", async (_req, res) => {
    try {
      await db.ping();
      res.json({ status: "ok" });
    } catch (error) {
      res.status(503).json({ status: "unavailable", error: (error as Error).message });
    }
  });
  return app;
}
