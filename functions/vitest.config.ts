import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests host the functions in the local runtime (`local/`), read from its sources, not its build.
  ssr: { resolve: { conditions: ["alchemist-source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    // Attacks on the built runtime measure its latency: they run alone (vitest.hostile.config.ts).
    exclude: ["src/hostile/**", "**/node_modules/**"],
    environment: "node",
    // SQLite-backed suites and child-process runtimes: keep the two cores busy, not oversubscribed.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
