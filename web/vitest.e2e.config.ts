import { defineConfig } from "vitest/config";

// The studio's end-to-end suite (`npm run test:e2e`): Playwright driving Debian's Chromium against the real
// platform, started once by the global setup. Its own config, so the component tests (vite.config.ts,
// src/** in jsdom) never pick it up. One file at a time: the files share one platform and the 2-core machine.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    environment: "node",
    globalSetup: ["./e2e/support/global-setup.ts"],
    fileParallelism: false,
    maxWorkers: 1,
    // Waits are for what a person sees; on a loaded machine a whole flow can take a while.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
