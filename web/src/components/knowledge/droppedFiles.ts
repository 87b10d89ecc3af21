/**
 * The files in what was dropped on the page or chosen with the pickers, folders included: a dropped folder
 * is walked (subfolders too) through the File and Directory Entries API (`webkitGetAsEntry`), a chosen one
 * arrives as a flat list (`webkitdirectory`). Either way each file keeps the path it had inside, and a walk
 * stops at a cap, saying so, rather than queueing a whole disk.
 */

/** A file to upload, with where it was in what was dropped or chosen ("policies/leave.md"; else its name). */
export interface PickedFile {
  readonly file: File;
  readonly path: string;
}

export interface PickedFiles {
  readonly files: PickedFile[];
  /** The drop held more files than the cap: only the first ones (in name order) are in `files`. */
  readonly truncated: boolean;
  /** Files or folders the browser could not read (moved or deleted meanwhile, no permission). */
  readonly unreadable: number;
}

/**
 * At most this many files from one drop or one choice (of files or of a folder): a person means a folder of
 * documents, not a home directory, and each file is a line on the page and a document in the knowledge base.
 */
export const maxPickedFiles = 1000;
/** Entries (files and folders, hidden ones too) looked at in one walk before it stops, whatever it found. */
const maxWalkedEntries = 10 * maxPickedFiles;
/** Deeper than this is a loop or a generated tree, not a folder of documents. */
const maxFolderDepth = 32;

/**
 * Hidden files and folders inside a folder (".git", ".DS_Store", ".obsidian") are left out: they are never
 * documents, and a `.git` folder alone can hold thousands of files. One dropped or chosen by itself is kept.
 */
const isHidden = (name: string) => name.startsWith(".");

/** One thing dropped: a file or folder entry to walk, or a plain file where the browser gives no entries. */
export type DroppedItem = { readonly entry: FileSystemEntry } | { readonly file: File };

/**
 * What a drop carries, read at once: the browser empties `dataTransfer.items` when the drop event ends, so
 * this must run inside the handler, and the walk (`collectDropped`) after.
 */
export function droppedItems(data: DataTransfer): DroppedItem[] {
  // `items` (with entries) is missing from older browsers and from test doubles: the flat list then.
  const items = Array.from((data.items as DataTransferItemList | undefined) ?? []).filter(
    (item) => item.kind === "file",
  );
  if (items.length === 0 || items.some((item) => typeof item.webkitGetAsEntry !== "function")) {
    return Array.from(data.files).map((file) => ({ file }));
  }
  return items.flatMap((item): DroppedItem[] => {
    const entry = item.webkitGetAsEntry();
    if (entry) return [{ entry }];
    const file = item.getAsFile();
    return file ? [{ file }] : [];
  });
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** A folder's entries: `readEntries` answers in pieces (100 at a time in Chrome) until it answers none. */
function entriesOf(folder: FileSystemDirectoryEntry, enough: number): Promise<FileSystemEntry[]> {
  const reader = folder.createReader();
  return new Promise((resolve, reject) => {
    const entries: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((piece) => {
        entries.push(...piece);
        if (piece.length === 0 || entries.length >= enough) resolve(entries);
        else next();
      }, reject);
    next();
  });
}

const byName = (a: FileSystemEntry, b: FileSystemEntry) =>
  a.name.localeCompare(b.name, "en", { numeric: true });

/** The files of a drop, folders walked depth first in name order, up to `limit` files. */
export async function collectDropped(
  items: readonly DroppedItem[],
  limit = maxPickedFiles,
): Promise<PickedFiles> {
  const files: PickedFile[] = [];
  let truncated = false;
  let unreadable = 0;
  let walked = 0;

  const take = (file: File, path: string) => {
    if (files.length >= limit) truncated = true;
    else files.push({ file, path });
  };

  const visit = async (entry: FileSystemEntry, depth: number): Promise<void> => {
    if (truncated) return;
    walked += 1;
    if (walked > maxWalkedEntries) {
      truncated = true;
      return;
    }
    if (entry.isFile) {
      try {
        // `fullPath` is "/folder/sub/name.md" from the dropped entry's parent.
        take(await fileOf(entry as FileSystemFileEntry), entry.fullPath.replace(/^\/+/, "") || entry.name);
      } catch {
        unreadable += 1;
      }
      return;
    }
    if (!entry.isDirectory || depth >= maxFolderDepth) return;
    let children: FileSystemEntry[];
    try {
      children = await entriesOf(entry as FileSystemDirectoryEntry, maxWalkedEntries - walked + 1);
    } catch {
      unreadable += 1;
      return;
    }
    for (const child of children.filter((c) => !isHidden(c.name)).sort(byName)) {
      await visit(child, depth + 1);
      if (truncated) return;
    }
  };

  for (const item of items) {
    if ("file" in item) take(item.file, item.file.name);
    else await visit(item.entry, 0);
    if (truncated) break;
  }
  return { files, truncated, unreadable };
}

/**
 * The files of a file picker: with `webkitdirectory`, a folder's every file, each with its
 * `webkitRelativePath` ("handbook/policies/leave.md"); hidden ones are left out, as in a dropped folder.
 */
export function collectChosen(chosen: readonly File[], limit = maxPickedFiles): PickedFiles {
  const files: PickedFile[] = [];
  for (const file of chosen) {
    const path = file.webkitRelativePath || file.name;
    // The first segment is the chosen folder itself, kept even when its name starts with a dot.
    if (path.split("/").slice(1).some(isHidden)) continue;
    if (files.length >= limit) return { files, truncated: true, unreadable: 0 };
    files.push({ file, path });
  }
  return { files, truncated: false, unreadable: 0 };
}

/** What to tell the person about a walk that left files out; undefined when nothing was left out. */
export function pickedNotice(picked: PickedFiles, limit = maxPickedFiles): string | undefined {
  const parts: string[] = [];
  if (picked.truncated) {
    parts.push(
      `Only the first ${limit.toLocaleString("en")} files were added: there are more. ` +
        "Add the rest a folder at a time.",
    );
  }
  if (picked.unreadable > 0) {
    parts.push(
      picked.unreadable === 1
        ? "1 file or folder could not be read and was left out."
        : `${picked.unreadable} files or folders could not be read and were left out.`,
    );
  }
  return parts.length > 0 ? parts.join(" ") : undefined;
}
