import { describe, expect, it } from "vitest";
import type { KnowledgeDocument } from "../../data/knowledge";
import { parseDocuments, parseSearchResults } from "../../data/rest/knowledge";
import { handbookDoc, perDiemPassage, vacationPassage } from "../../test/knowledgeFixtures";
import { describeLocation, formatBytes, ingestionStep, markSearchTerms, passageText } from "./describe";

const path = "/v1/knowledge-bases/kb_handbook/documents";

function documentOf(raw: Record<string, unknown>): KnowledgeDocument {
  const [doc] = parseDocuments({ documents: [raw] }, path);
  if (!doc) throw new Error("no document");
  return doc;
}

describe("ingestion as people read it", () => {
  it("names each step with how far the whole ingestion is", () => {
    const steps = [
      { status: "queued", stage: "upload", progress: 0 },
      { status: "processing", stage: "parse", progress: 0.05 },
      { status: "processing", stage: "embed", progress: 0.6 },
      { status: "processing", stage: "done", progress: 1 },
      { status: "ready", stage: "done", progress: 1 },
    ].map((s) => ingestionStep(documentOf({ ...handbookDoc, ...s })));
    expect(steps).toEqual([
      { label: "Waiting to be read", percent: 0 },
      { label: "Reading the file", percent: 5 },
      { label: "Embedding passages", percent: 60 },
      { label: "Indexing", percent: 100 },
      { label: "Searchable: 8 passages", percent: 100 },
    ]);
  });

  it("says at which step a document failed", () => {
    const failed = documentOf({ ...handbookDoc, status: "failed", stage: "parse", progress: 0.05 });
    expect(ingestionStep(failed).label).toBe("Failed while reading the file");
  });

  it("writes sizes as file managers do", () => {
    expect([54, 2427, 482_113, 31 * 1024 * 1024].map(formatBytes)).toEqual([
      "54 B",
      "2.4 KB",
      "471 KB",
      "31 MB",
    ]);
  });
});

describe("search results", () => {
  const [vacation, perDiem] = parseSearchResults({ results: [vacationPassage, perDiemPassage] }, "/search");

  it("says where a passage is", () => {
    expect(describeLocation(vacation!.location)).toBe("Acme Corp Employee Handbook › Time off › Vacation");
    expect(describeLocation(perDiem!.location)).toBe("Pages 4–5");
    expect(describeLocation({ headingPath: [], page: null, pageEnd: null, row: 12, rowEnd: 14 })).toBe(
      "Rows 12–14",
    );
  });

  it("shows a passage without the heading trail the location already gives", () => {
    expect(passageText(vacation!)).toMatch(/^Full-time employees receive 25 vacation days/);
    expect(passageText(perDiem!)).toBe(perDiemPassage.text);
  });

  it("marks the query's words and their forms, not the common words", () => {
    const marked = markSearchTerms(
      "Vacation days: 25 unused vacations carry over to the next year.",
      "How many vacation days?",
    );
    expect(marked.filter((p) => p.match).map((p) => p.text)).toEqual(["Vacation", "days", "vacations"]);
    expect(marked.map((p) => p.text).join("")).toBe(
      "Vacation days: 25 unused vacations carry over to the next year.",
    );
  });

  it("marks numbers, and nothing when the query has only common words", () => {
    expect(
      markSearchTerms("Up to 5 days", "5 days")
        .filter((p) => p.match)
        .map((p) => p.text),
    ).toEqual(["5", "days"]);
    expect(markSearchTerms("What is it?", "what is it")).toEqual([{ text: "What is it?", match: false }]);
  });
});
