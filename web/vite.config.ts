import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The local runtime (`npm start`) serves the API on this address; the dev server forwards API calls to it
// so the studio talks to the same origin it will have in production (Firebase Hosting rewrites). It forwards
// Hosting's init.json too, which the runtime answers with local mode (src/data/firebase/mode.ts): without
// it the studio's first request would be the dev server's 404, logged by the browser as an error.
const platform = "http://127.0.0.1:8787";
const proxy = {
  "/v1": platform,
  "/auth": platform,
  "/health": platform,
  "/__/firebase/init.json": platform,
};

export default defineConfig({
  plugins: [react()],
  server: { proxy },
  preview: { proxy },
  build: {
    // The one chunk over Vite's 500 kB warning is the Firebase SDK (about 600 kB, 180 kB gzipped), which only
    // Firebase mode downloads, after start (data/firebase/start.ts). `npm run bench` reports every chunk and
    // checks the first download against its budget.
    chunkSizeWarningLimit: 650,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}", "widget/**/*.test.ts"],
    setupFiles: ["./src/test/setup.ts"],
    // Page tests render the whole studio; the first one in a file also compiles the lazy pages it opens.
    testTimeout: 15_000,
  },
});
