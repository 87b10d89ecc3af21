import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The embeddable chat widget (widget/src), built after the studio into the same dist/ as one file with a
// stable name: customers' pages load https://PLATFORM/widget.js, so it cannot carry a content hash.
// `npm run build` then checks its gzipped size against the budget (scripts/widget-size.mjs).
export default defineConfig({
  publicDir: false,
  build: {
    outDir: "dist",
    // dist/ already holds the studio: keep it.
    emptyOutDir: false,
    target: "es2020",
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL("./widget/src/main.ts", import.meta.url)),
      name: "AlchemistWidget",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
