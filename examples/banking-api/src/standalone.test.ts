import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The example stands alone: the Tool Forge imports it as an outside service, so it may use Node's own modules
// and its own files, never the platform's workspaces (nor any runtime package: it has none).
describe("the example's imports", () => {
  it("are Node built-ins, its own modules, or Vitest in tests", () => {
    const folder = new URL("./", import.meta.url);
    const files = readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((file) =>
      file.endsWith(".ts"),
    );
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const source = readFileSync(new URL(file, folder), "utf8");
      const statements =
        /^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|^import\s+"([^"]+)"|\bimport\(\s*"([^"]+)"/gms;
      for (const match of source.matchAll(statements)) {
        const specifier = match[1] ?? match[2] ?? match[3] ?? "";
        const allowed =
          specifier.startsWith("node:") ||
          (specifier.startsWith(".") && !specifier.includes("../../")) ||
          (file.endsWith(".test.ts") && specifier === "vitest");
        expect(allowed, `${file} imports ${specifier}`).toBe(true);
      }
    }
  });
});
