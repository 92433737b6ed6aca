import { join } from "node:path";
import { defineConfig } from "vitest/config";

// CI (.ci/run) names a directory here: each pass of `npm test` then also writes its results as
// JSON there, the second pass (ClickHouse 24.8's setting defaults) under a name of its own.
const resultsDir = process.env.BURNRATE_TEST_RESULTS_DIR;
const pass = process.env.BURNRATE_TEST_COMPATIBILITY
  ? `compat-${process.env.BURNRATE_TEST_COMPATIBILITY}`
  : "main";

export default defineConfig({
  test: {
    // chDB binds one data directory per process, so every test file runs in its own fork.
    pool: "forks",
    include: ["*/src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    ...(resultsDir
      ? { reporters: ["default", "json"], outputFile: { json: join(resultsDir, `vitest-${pass}.json`) } }
      : {}),
  },
});
