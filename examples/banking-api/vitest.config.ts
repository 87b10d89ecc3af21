import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    // Each file starts its own server on an ephemeral port: files run in parallel safely.
    testTimeout: 10_000,
  },
});
