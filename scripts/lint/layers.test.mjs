// The house rules refuse what they are for: each case below is a violation `npm run lint` must report, over a
// small fixture tree of the same shape as the repository (written to a temp folder per run).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RuleTester } from "eslint";
import tseslint from "typescript-eslint";
import { afterAll, describe, it } from "vitest";
import plugin, { layerOf } from "./layers.mjs";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const root = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-layers-"));
const tree = {
  "functions/src/index.ts": 'export * as agents from "./agents/functions.js";\n',
  "functions/src/agents/agents.ts":
    'import type { Deps } from "../platform/deps.js";\nexport type A = Deps;\n',
  "functions/src/agents/functions.ts": 'export { type A } from "./agents.js";\n',
  "functions/src/agents/testing/fake.ts": "export const fake = 1;\n",
  "functions/src/knowledge/search.ts": "export const search = 1;\n",
  "functions/src/knowledge/cycle-a.ts": 'import type { B } from "./cycle-b.js";\nexport type A = B[];\n',
  "functions/src/knowledge/cycle-b.ts": 'import type { A } from "./cycle-a.js";\nexport type B = A | null;\n',
  "functions/src/platform/deps.ts": "export interface Deps { readonly id: string }\n",
  "functions/src/platform/models/local-embedder.ts": "export const embed = 1;\n",
  "functions/src/platform/firebase/deps.ts": "export const open = 1;\n",
  "functions/src/platform/payments/stripe-payments.ts": "export const openStripePayments = 1;\n",
  "local/src/adapters/deps.ts": "export const openLocal = 1;\n",
  "local/src/runtime/host.ts": "export const host = 1;\n",
  "web/src/data/firebase/sdk.ts": "export const sdk = 1;\n",
  "web/src/data/agents.ts": "export const agents = 1;\n",
  "web/src/components/Page.tsx": "export const Page = 1;\n",
};
for (const [file, text] of Object.entries(tree)) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: "module" },
  settings: { alchemist: { root } },
});
const at = (file) => path.join(root, file);

describe("layerOf", () => {
  it("places wiring above services above the platform", ({ expect }) => {
    const rank = (f) => layerOf(f).rank;
    expect(rank("functions/src/agents/functions.ts")).toBeGreaterThan(
      rank("functions/src/privacy/privacy.ts"),
    );
    expect(rank("functions/src/agents/turn.ts")).toBeGreaterThan(
      rank("functions/src/accountability/assess.ts"),
    );
    // Agents render prompt templates; the Prompt Engine reads traces and feedback, never agents.
    expect(rank("functions/src/agents/agents.ts")).toBeGreaterThan(
      rank("functions/src/prompts/templates.ts"),
    );
    expect(rank("functions/src/tuning/export.ts")).toBeGreaterThan(rank("functions/src/sandbox/datasets.ts"));
    expect(rank("functions/src/sandbox/runs.ts")).toBeGreaterThan(rank("functions/src/agents/turn.ts"));
    expect(rank("functions/src/prompts/results.ts")).toBeGreaterThan(
      rank("functions/src/accountability/feedback.ts"),
    );
    expect(rank("functions/src/accountability/assess.ts")).toBeGreaterThan(
      rank("functions/src/knowledge/search.ts"),
    );
    expect(rank("functions/src/knowledge/search.ts")).toBeGreaterThan(
      rank("functions/src/platform/ports.ts"),
    );
    expect(rank("local/src/runtime/host.ts")).toBeGreaterThan(rank("functions/src/index.ts"));
    expect(layerOf("functions/src/platform/firebase/deps.ts").adapter).toBe(true);
    expect(layerOf("functions/src/platform/payments/stripe-payments.ts").adapter).toBe(true);
    expect(layerOf("local/src/adapters/database.ts").adapter).toBe(true);
  });
});

tester.run("alchemist/layers", plugin.rules.layers, {
  valid: [
    {
      filename: at("functions/src/agents/turn.ts"),
      code: 'import { search } from "../knowledge/search.js";',
    },
    {
      filename: at("functions/src/agents/turn.ts"),
      code: 'import type { Deps } from "../platform/deps.js";',
    },
    { filename: at("functions/src/platform/process-deps.ts"), code: 'await import("./firebase/deps.js");' },
    {
      filename: at("functions/src/platform/firebase/x.ts"),
      code: 'import { getApp } from "firebase-admin/app";',
    },
    {
      filename: at("functions/src/agents/functions.ts"),
      code: 'import { onCall } from "firebase-functions/v2/https";',
    },
    { filename: at("local/src/adapters/database.ts"), code: 'import Database from "better-sqlite3";' },
    {
      filename: at("functions/src/platform/payments/stripe-payments.ts"),
      code: 'const { Stripe } = await import("stripe");',
    },
    // Test helpers may use an SDK to play its server (the fake Stripe signs webhooks with it).
    {
      filename: at("functions/src/platform/testing/fake-stripe-server.ts"),
      code: 'import Stripe from "stripe";',
    },
    {
      filename: at("local/src/adapters/onnx-models.ts"),
      code: 'const tf = await import("@huggingface/transformers");',
    },
    { filename: at("local/src/runtime/host.ts"), code: 'import { openLocal } from "../adapters/deps.js";' },
    // Function wiring translates a Firebase event with its adapter's helpers.
    {
      filename: at("functions/src/knowledge/functions.ts"),
      code: 'import { open } from "../platform/firebase/deps.js";',
    },
    // Tests may reach up and use helpers.
    { filename: at("functions/src/platform/x.test.ts"), code: 'import { A } from "../agents/agents.js";' },
    {
      filename: at("functions/src/agents/x.test.ts"),
      code: 'import { openLocal } from "@alchemist/local/adapters/deps";',
    },
    { filename: at("web/src/data/firebase/sdk.ts"), code: 'import { getAuth } from "firebase/auth";' },
    { filename: at("web/src/components/Page.tsx"), code: 'import { agents } from "../data/agents";' },
  ],
  invalid: [
    {
      name: "the platform imports a service",
      filename: at("functions/src/platform/auth.ts"),
      code: 'import { search } from "../knowledge/search.js";',
      errors: [{ message: /Dependencies point down: the platform .* may not import the knowledge service/ }],
    },
    {
      name: "a lower service imports a higher one",
      filename: at("functions/src/knowledge/documents.ts"),
      code: 'import type { A } from "../agents/agents.js";',
      errors: [{ message: /the knowledge service .* may not import the agents service/ }],
    },
    {
      name: "a service imports a model adapter",
      filename: at("functions/src/agents/turn.ts"),
      code: 'import { embed } from "../platform/models/local-embedder.js";',
      errors: [{ message: /use the port on Deps instead/ }],
    },
    {
      name: "a service imports a Firebase adapter",
      filename: at("functions/src/knowledge/ingest.ts"),
      code: 'import { open } from "../platform/firebase/deps.js";',
      errors: [{ message: /use the port on Deps instead/ }],
    },
    {
      name: "functions code imports the local workspace",
      filename: at("functions/src/platform/process-deps.ts"),
      code: 'await import("@alchemist/local/adapters/deps");',
      errors: [{ message: /the platform .* may not import a local adapter/ }],
    },
    {
      name: "a service imports the functions' entry point",
      filename: at("functions/src/agents/agents.ts"),
      code: 'import * as all from "../index.js";',
      errors: [{ message: /may not import the functions' entry point/ }],
    },
    {
      name: "firebase-admin outside platform/firebase",
      filename: at("functions/src/identity/claims.ts"),
      code: 'const { getAuth } = await import("firebase-admin/auth");',
      errors: [{ message: /Only platform\/firebase .* may import 'firebase-admin\/auth'/ }],
    },
    {
      name: "firebase-functions in a service module",
      filename: at("functions/src/knowledge/ingest.ts"),
      code: 'import { HttpsError } from "firebase-functions/v2/https";',
      errors: [{ message: /Only function wiring/ }],
    },
    {
      name: "a service imports the payments adapter",
      filename: at("functions/src/knowledge/ingest.ts"),
      code: 'import { openStripePayments } from "../platform/payments/stripe-payments.js";',
      errors: [{ message: /use the port on Deps instead/ }],
    },
    {
      name: "billing imports the payments adapter (it sits under knowledge, still above the adapters)",
      filename: at("functions/src/billing/stripe.ts"),
      code: 'import { openStripePayments } from "../platform/payments/stripe-payments.js";',
      errors: [{ message: /use the port on Deps instead/ }],
    },
    {
      name: "billing imports a service above it",
      filename: at("functions/src/billing/limits.ts"),
      code: 'import { search } from "../knowledge/search.js";',
      errors: [{ message: /the billing service .* may not import the knowledge service/ }],
    },
    {
      name: "stripe outside platform/payments",
      filename: at("functions/src/knowledge/search.ts"),
      code: 'import Stripe from "stripe";',
      errors: [{ message: /Only platform\/payments .* may import 'stripe'/ }],
    },
    {
      name: "better-sqlite3 outside the local adapters",
      filename: at("local/src/runtime/host.ts"),
      code: 'import Database from "better-sqlite3";',
      errors: [{ message: /Only local\/src\/adapters/ }],
    },
    {
      name: "the model runtime outside the local-models adapter",
      filename: at("functions/src/knowledge/search.ts"),
      code: 'import { pipeline } from "@huggingface/transformers";',
      errors: [{ message: /Only local\/src\/adapters\/onnx-models.ts/ }],
    },
    {
      name: "the web SDK outside data/firebase/sdk.ts",
      filename: at("web/src/data/agents.ts"),
      code: 'import { getFirestore } from "firebase/firestore";',
      errors: [{ message: /Only web\/src\/data\/firebase\/sdk.ts/ }],
    },
    {
      name: "the studio's data layer imports a component",
      filename: at("web/src/data/agents.ts"),
      code: 'import { Page } from "../components/Page";',
      errors: [{ message: /the studio's data layer .* may not import the studio's components/ }],
    },
    {
      name: "production code imports a test helper",
      filename: at("functions/src/agents/turn.ts"),
      code: 'import { fake } from "./testing/fake.js";',
      errors: [{ message: /Test helpers are for tests/ }],
    },
  ],
});

tester.run("alchemist/no-cycle", plugin.rules["no-cycle"], {
  valid: [
    { filename: at("functions/src/agents/functions.ts"), code: 'export { type A } from "./agents.js";' },
  ],
  invalid: [
    {
      name: "a type-only circle",
      filename: at("functions/src/knowledge/cycle-a.ts"),
      code: 'import type { B } from "./cycle-b.js";\nexport type A = B[];',
      errors: [{ message: /Import circle: .*cycle-a.ts → .*cycle-b.ts → .*cycle-a.ts/ }],
    },
  ],
});
