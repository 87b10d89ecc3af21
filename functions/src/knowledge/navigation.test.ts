/**
 * Navigation matter (a table of contents, a licence) matches a question's words without answering it: the
 * default search ranks it below the passage that does, in keyword and hybrid modes alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { addDocument } from "./documents.js";
import { createKnowledgeBase } from "./knowledge-bases.js";
import { searchKnowledgeBases } from "./search.js";

let platform: TestPlatform;
let kbId: string;

const readme = [
  "# qsx",
  "",
  "## Table of Contents",
  "",
  "- [Parameter limit](#parameter-limit)",
  "- [Parameter limit errors](#parameter-limit-errors)",
  "- [Parameter depth limit](#depth)",
  "- [Array parameter limit](#arrays)",
  "",
  "## Limits",
  "",
  "By default qsx parses at most 1000 parameters from one query string; parameterLimit raises the limit.",
  "",
  "## License",
  "",
  "Permission is hereby granted, free of charge, to any person obtaining a copy of this software, to parse",
  "any parameter with no limit on its use.",
].join("\n");

beforeAll(async () => {
  platform = await startTestPlatform();
  kbId = (await createKnowledgeBase(platform.deps, "acme", { name: "Docs" })).id;
  await addDocument(platform.deps, "acme", kbId, {
    fileName: "qsx.md",
    bytes: new TextEncoder().encode(readme),
  });
  // Other documents, so that the question's words are as rare as in a real knowledge base.
  for (const topic of ["Cookies", "Streams", "Tokens", "Versions", "Sockets", "Colours", "Dates", "Files"]) {
    const text = `# ${topic}\n\n${topic} are handled by their own module. Read the guide before you start.\n`;
    await addDocument(platform.deps, "acme", kbId, {
      fileName: `${topic.toLowerCase()}.md`,
      bytes: new TextEncoder().encode(text),
    });
  }
  await platform.host.runner.idle(60_000);
});
afterAll(async () => {
  await platform?.close();
});

const headings = async (options: Parameters<typeof searchKnowledgeBases>[5]) =>
  (await searchKnowledgeBases(platform.deps, "acme", [kbId], "What is the parameter limit?", 3, options)).map(
    (r) => r.location.headingPath.at(-1),
  );

describe("navigation matter in search", () => {
  it("outranks the answer on words alone (the reason for the rule)", async () => {
    expect((await headings({ mode: "keyword", lexical: false }))[0]).toBe("Table of Contents");
  });

  it("a question about the licence still finds it first", async () => {
    const ranked = await searchKnowledgeBases(
      platform.deps,
      "acme",
      [kbId],
      "Which license is qsx under?",
      3,
      {},
    );
    expect(ranked[0]?.location.headingPath.at(-1)).toBe("License");
  });

  it("comes after the answer by default, in keyword and hybrid modes", async () => {
    for (const mode of ["keyword", "hybrid"] as const) {
      const ranked = await headings({ mode });
      expect(ranked[0], mode).toBe("Limits");
      expect(ranked.slice(1).sort(), mode).toEqual(["License", "Table of Contents"]);
    }
  });
});
