import { describe, expect, it } from "vitest";
import { droppedFileEntry, fileInFolder, folderEntry, type FolderTree } from "../../test/folderEntries";
import { collectChosen, collectDropped, droppedItems, pickedNotice } from "./droppedFiles";

const md = (name: string, text = "# Policy\n\nEmployees receive 25 vacation days.\n") =>
  new File([text], name);

const handbook: FolderTree = {
  "travel.md": md("travel.md"),
  ".DS_Store": md(".DS_Store", "\u0000\u0001"),
  ".git": { HEAD: md("HEAD", "ref: refs/heads/main\n") },
  policies: {
    "leave.md": md("leave.md"),
    "expenses.csv": md("expenses.csv", "item,limit\nmeals,45\n"),
    archive: { "2023": { "leave.md": md("leave.md", "# Old leave policy\n") } },
  },
  "benefits.pdf": md("benefits.pdf"),
};

describe("a dropped folder", () => {
  it("brings every file in it, subfolders too, in name order, each with its path, hidden ones left out", async () => {
    const picked = await collectDropped([{ entry: folderEntry("handbook", handbook) }]);
    expect(picked.files.map((f) => f.path)).toEqual([
      "handbook/benefits.pdf",
      "handbook/policies/archive/2023/leave.md",
      "handbook/policies/expenses.csv",
      "handbook/policies/leave.md",
      "handbook/travel.md",
    ]);
    expect(picked.files.map((f) => f.file.name)).toContain("expenses.csv");
    expect(picked).toMatchObject({ truncated: false, unreadable: 0 });
    expect(pickedNotice(picked)).toBeUndefined();
  });

  it("takes dropped files and folders together, and a hidden file dropped by itself", async () => {
    const picked = await collectDropped([
      { entry: droppedFileEntry(md(".env.md")) },
      { entry: folderEntry("policies", { "leave.md": md("leave.md") }) },
      { file: md("faq.md") },
    ]);
    expect(picked.files.map((f) => f.path)).toEqual([".env.md", "policies/leave.md", "faq.md"]);
  });

  it("stops at the cap and says so, rather than queueing a whole disk", async () => {
    const many: Record<string, File> = {};
    for (let i = 1; i <= 12; i += 1) many[`note-${i}.md`] = md(`note-${i}.md`);
    const picked = await collectDropped([{ entry: folderEntry("notes", { deeper: many }) }], 10);
    expect(picked.files).toHaveLength(10);
    // Numbers in names sort as people count: note-2 before note-10.
    expect(picked.files.slice(0, 3).map((f) => f.file.name)).toEqual(["note-1.md", "note-2.md", "note-3.md"]);
    expect(picked.truncated).toBe(true);
    expect(pickedNotice(picked, 10)).toBe(
      "Only the first 10 files were added: there are more. Add the rest a folder at a time.",
    );

    const exactly = await collectDropped([{ entry: folderEntry("notes", many) }], 12);
    expect(exactly).toMatchObject({ truncated: false });
  });

  it("leaves out a file the browser cannot read, and says how many", async () => {
    const picked = await collectDropped([
      { entry: folderEntry("handbook", { "gone.md": "unreadable", "leave.md": md("leave.md") }) },
    ]);
    expect(picked.files.map((f) => f.path)).toEqual(["handbook/leave.md"]);
    expect(pickedNotice(picked)).toBe("1 file or folder could not be read and was left out.");
  });

  it("reads the drop's files where the browser gives no entries", () => {
    const files = [md("leave.md"), md("faq.md")];
    const data = { files, items: undefined, types: ["Files"] } as unknown as DataTransfer;
    expect(droppedItems(data)).toEqual([{ file: files[0] }, { file: files[1] }]);
  });
});

describe("a chosen folder", () => {
  it("keeps each file's path inside the folder and leaves hidden ones out", () => {
    const picked = collectChosen([
      fileInFolder("handbook/leave.md", "# Leave"),
      fileInFolder("handbook/.git/config", "[core]"),
      fileInFolder("handbook/policies/.DS_Store", "\u0000"),
      fileInFolder("handbook/policies/travel.md", "# Travel"),
    ]);
    expect(picked.files.map((f) => f.path)).toEqual(["handbook/leave.md", "handbook/policies/travel.md"]);
    expect(collectChosen([fileInFolder(".notes/todo.md", "- a")]).files).toHaveLength(1);
  });

  it("stops at the cap", () => {
    const files = Array.from({ length: 5 }, (_, i) => fileInFolder(`notes/n${i}.md`, "x"));
    expect(collectChosen(files, 3)).toMatchObject({ truncated: true });
    expect(collectChosen(files, 3).files).toHaveLength(3);
  });
});
