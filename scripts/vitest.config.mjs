import { defineConfig } from "vitest/config";

// The repository's own tooling (scripts/): the lint rules that keep the layers one-way, and the smoke flow.
export default defineConfig({
  test: { include: ["scripts/**/*.test.mjs"], environment: "node" },
});
