import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";
import alchemist from "./scripts/lint/layers.mjs";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "functions/lib/**",
      "local/lib/**",
      "examples/*/lib/**",
      "web/dist/**",
      "emulator-data/**",
      "coverage/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["functions/**/*.ts", "local/**/*.ts", "scripts/**/*.{js,mjs}", "*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["web/**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The house rules: one-way layers and no import circles (scripts/lint/layers.mjs, docs/architecture.md).
    files: ["functions/src/**/*.ts", "local/src/**/*.ts", "web/src/**/*.{ts,tsx}"],
    plugins: { alchemist },
    rules: { "alchemist/layers": "error", "alchemist/no-cycle": "error" },
  },
);
