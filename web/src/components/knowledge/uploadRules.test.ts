import { describe, expect, it } from "vitest";
import { uploadRefusal } from "./uploadRules";

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
