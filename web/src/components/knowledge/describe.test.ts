import { describe, expect, it } from "vitest";
import {
  handbookDoc,
  travelDoc,
  vacationPassage,
  perDiemPassage,
  queuedDoc,
} from "../test/knowledgeFixtures";
import {
  describeLocation,
  formatBytes,
  ingestionStep,
  markSearchTerms,
  parseDocuments,
  parseSearchResults,
  parseUploadedDocument,
  passageText,
  uploadRefusal,
  type KnowledgeDocument,
} from "./knowledge";
import { PlatformRequestError } from "./platform";

const path = "/v1/knowledge-bases/kb_handbook/documents";

function documentOf(raw: Record<string, unknown>): KnowledgeDocument {
  const [doc] = parseDocuments({ documents: [raw] }, path);
  if (!doc) throw new Error("no document");
  return doc;
}

describe("the platform's knowledge shapes", () => {
  it("reads documents with their versions, a restored one saying where it came from", () => {
    const travel = documentOf(travelDoc);
    expect(travel).toMatchObject({ id: "doc_travel", status: "ready", activeVersion: 3, error: null });
    expect(travel.versions.map((v) => [v.version, v.restoredFrom])).toEqual([
      [1, null],
      [2, null],
      [3, 1],
    ]);
  });

  it("reads a failed document's reason", () => {
    const failed = documentOf({
      ...handbookDoc,
      status: "failed",
      stage: "parse",
      error: "The PDF is encrypted",
    });
    expect(failed.error).toBe("The PDF is encrypted");
  });

  it("refuses a listing whose document has a status it does not know, naming the field", () => {
    expect(() => parseDocuments({ documents: [{ ...handbookDoc, status: "indexed" }] }, path)).toThrow(
      new PlatformRequestError(
        "invalid-response",
        path,
        `GET ${path} answered with something that is not a list of documents (status).`,
      ),
    );
  });

  it("tells a duplicate upload from a new version", () => {
    expect(
      parseUploadedDocument({ ...queuedDoc("doc_a", "a.md", 10), duplicate: true }, path).duplicate,
    ).toBe(true);
    expect(parseUploadedDocument(queuedDoc("doc_a", "a.md", 10), path).duplicate).toBe(false);
  });

  it("reads search results with pages, rows and headings where the platform gives them", () => {
    const [vacation, perDiem] = parseSearchResults({ results: [vacationPassage, perDiemPassage] }, "/search");
    expect(vacation?.location).toEqual({
      headingPath: ["Acme Corp Employee Handbook", "Time off", "Vacation"],
      page: null,
      pageEnd: null,
      row: null,
      rowEnd: null,
    });
    expect(perDiem?.location).toMatchObject({ page: 4, pageEnd: 5 });
  });
});

describe("files the platform would refuse", () => {
  const file = (name: string, size = 1200) => ({ name, size });

  it("accepts the formats the platform reads, whatever the case of the extension", () => {
    for (const name of ["a.pdf", "b.DOCX", "c.txt", "d.md", "e.html", "f.csv", "g.json", "README"]) {
      expect(uploadRefusal(file(name)), name).toBeUndefined();
    }
  });

  it("says what to do instead for formats people often try", () => {
    expect(uploadRefusal(file("scan.png"))).toBe(
      "Images cannot be read (no OCR yet): upload a PDF with selectable text instead.",
    );
    expect(uploadRefusal(file("budget.xlsx"))).toBe(
      "Excel workbooks cannot be read: save each sheet as CSV and upload that.",
    );
    expect(uploadRefusal(file("setup.exe"))).toBe(
      ".exe files cannot be read. Upload PDF, Word (DOCX), text, Markdown, HTML, CSV or JSON files.",
    );
  });

  it("refuses empty files and files over the upload limit", () => {
    expect(uploadRefusal(file("notes.txt", 0))).toBe("The file is empty (0 bytes).");
    expect(uploadRefusal(file("scan.pdf", 31 * 1024 * 1024))).toBe(
      "The file is 31 MB; the limit is 25 MB. Split it into smaller files.",
    );
    expect(uploadRefusal(file("scan.pdf", 25 * 1024 * 1024))).toBeUndefined();
  });
});

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
