import { defineConfig } from "vitest/config";

export default defineConfig({
  // Tests run the functions' sources (their package exports name this condition), not their build.
  ssr: { resolve: { conditions: ["alchemist-source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    // SQLite-backed suites and child-process runtimes: keep the two cores busy, not oversubscribed.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
