import { describe, expect, it, vi } from "vitest";
import { uploadPath } from "./paths";
import { chooseUploadRoute, documentIdFor, storedFileName, uploadContentType } from "./upload";

/** `parseUploadPath`'s pattern in functions/src/knowledge/schema.ts: what the storage trigger accepts. */
const triggerPattern =
  /^tenants\/([A-Za-z0-9_-]{1,128})\/knowledgeBases\/([A-Za-z0-9_-]{1,128})\/documents\/([A-Za-z0-9_-]{1,128})\/v(\d{1,6})\/[^/]+$/;

describe("where a direct upload goes", () => {
  it("names the document as the platform does (sha256 of the NFC name, base64url, 24 characters)", async () => {
    // Computed with the backend's documentIdFor (node:crypto).
    expect(await documentIdFor("handbook.md")).toBe("oKHKFe-ToyjMIMhyk2Ls8XMR");
    expect(await documentIdFor("Politique de congés.pdf")).toBe("Ugsxrij7i6MG2u_GNzZR-khL");
    // "é" typed as e + combining accent is the same name.
    expect(await documentIdFor("Cafe\u0301 menu.txt")).toBe("hN3XQ11lPJOBd9a_IPxHM00_");
  });

  it("stores the file under the name the platform would keep", () => {
    expect(storedFileName("C:\\Users\\ann\\Documents\\handbook.md")).toBe("handbook.md");
    expect(storedFileName("..hidden.txt")).toBe("hidden.txt");
    expect(storedFileName("  report\u0007 2025.pdf ")).toBe("report 2025.pdf");
    expect(storedFileName("...")).toBeUndefined();
  });

  it("builds the path the storage trigger parses back, version 1 of the document", async () => {
    const path = uploadPath("acme", "kb_handbook", await documentIdFor("handbook.md"), 1, "handbook.md");
    expect(path).toBe(
      "tenants/acme/knowledgeBases/kb_handbook/documents/oKHKFe-ToyjMIMhyk2Ls8XMR/v1/handbook.md",
    );
    expect(triggerPattern.exec(path)?.slice(1, 5)).toEqual([
      "acme",
      "kb_handbook",
      "oKHKFe-ToyjMIMhyk2Ls8XMR",
      "1",
    ]);
    expect(() => uploadPath("acme", "../other", "doc", 1, "a.md")).toThrow(/knowledge base id/);
  });

  it("sends a content type storage.rules accepts for every readable format", () => {
    const rulesPattern =
      /^(text\/(plain|markdown|html|csv|tab-separated-values)|application\/(pdf|json|x-ndjson|vnd[.]openxmlformats-officedocument[.]wordprocessingml[.]document))$/;
    for (const name of [
      "a.pdf",
      "a.docx",
      "a.txt",
      "a.md",
      "a.html",
      "a.htm",
      "a.csv",
      "a.tsv",
      "a.json",
      "a.jsonl",
      "README",
    ]) {
      expect(uploadContentType(name), name).toMatch(rulesPattern);
    }
    expect(uploadContentType("photo.png")).toBeUndefined();
  });
});

describe("choosing Storage or the API", () => {
  const file = (name: string, size = 2048) => ({ name, size });

  it("uploads a new document straight to Storage", async () => {
    const exists = vi.fn(() => Promise.resolve(false));
    expect(await chooseUploadRoute(file("handbook.md"), exists)).toEqual({
      via: "storage",
      name: "handbook.md",
      docId: "oKHKFe-ToyjMIMhyk2Ls8XMR",
      contentType: "text/markdown",
    });
    expect(exists).toHaveBeenCalledWith("oKHKFe-ToyjMIMhyk2Ls8XMR");
  });

  it("sends a new version of an existing document through the API, which versions it", async () => {
    expect(await chooseUploadRoute(file("handbook.md"), () => Promise.resolve(true))).toEqual({ via: "api" });
  });

  it("lets the API explain a file Storage would refuse (its type, an empty or oversized file)", async () => {
    const never = vi.fn(() => Promise.resolve(false));
    expect(await chooseUploadRoute(file("scan.png"), never)).toEqual({ via: "api" });
    expect(await chooseUploadRoute(file("empty.md", 0), never)).toEqual({ via: "api" });
    expect(await chooseUploadRoute(file("huge.pdf", 25 * 1024 * 1024), never)).toEqual({ via: "api" });
    expect(never).not.toHaveBeenCalled();
  });
});
