import { defineConfig } from "vitest/config";

// `npm run test:hostile` (and a suite of its own in `npm test`): attacks on the built runtime, measured while
// they run. Alone and one file at a time, so what the runtime's latency shows is the attack, not the suite.
export default defineConfig({
  // Tests host the functions in the local runtime (`local/`), read from its sources, not its build.
  ssr: { resolve: { conditions: ["alchemist-source"] } },
  test: {
    include: ["src/hostile/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
