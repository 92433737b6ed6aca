import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // chDB binds one data directory per process, so every test file runs in its own fork.
    pool: "forks",
    include: ["*/src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
