/**
 * Folders as a browser hands them to a drop (the File and Directory Entries API, which jsdom lacks): a tree
 * of entries whose folders answer `readEntries` in pieces, as Chrome does (100 at a time there, 2 here so
 * tests see the paging), and whose files answer `file()` later, never at once.
 */

/** A folder's contents: a file, or a subfolder by name; `"unreadable"` is a file the browser cannot read. */
export interface FolderTree {
  readonly [name: string]: File | FolderTree | "unreadable";
}

const later = (run: () => void) => void Promise.resolve().then(run);

function fileEntry(name: string, fullPath: string, file: File | "unreadable"): FileSystemEntry {
  const entry = {
    isFile: true,
    isDirectory: false,
    name,
    fullPath,
    file(success: (file: File) => void, failure?: (error: DOMException) => void) {
      later(() =>
        file === "unreadable"
          ? failure?.(new DOMException("A requested file or directory could not be found.", "NotFoundError"))
          : success(file),
      );
    },
  };
  return entry as unknown as FileSystemEntry;
}

/** A folder entry named `name` holding `tree`, at `/name` (a dropped folder's path), or under `parent`. */
export function folderEntry(name: string, tree: FolderTree, parent = ""): FileSystemEntry {
  const fullPath = `${parent}/${name}`;
  const children = Object.entries(tree).map(([child, value]) =>
    value instanceof File || value === "unreadable"
      ? fileEntry(child, `${fullPath}/${child}`, value)
      : folderEntry(child, value, fullPath),
  );
  const entry = {
    isFile: false,
    isDirectory: true,
    name,
    fullPath,
    createReader() {
      let next = 0;
      return {
        readEntries(success: (entries: FileSystemEntry[]) => void) {
          const piece = children.slice(next, next + 2);
          next += piece.length;
          later(() => success(piece));
        },
      };
    },
  };
  return entry as unknown as FileSystemEntry;
}

/** A dropped file as an entry (what `webkitGetAsEntry` answers for a file). */
export function droppedFileEntry(file: File): FileSystemEntry {
  return fileEntry(file.name, `/${file.name}`, file);
}

/**
 * The `dataTransfer` of a drop of these entries, for `fireEvent.drop`: each item answers its entry. `files`
 * holds what a browser lists there for a folder: a placeholder that cannot be read as a file.
 */
export function dropOfEntries(entries: readonly FileSystemEntry[]) {
  return {
    types: ["Files"],
    files: entries.map((e) => new File([], e.name)),
    items: entries.map((entry) => ({
      kind: "file",
      type: "",
      webkitGetAsEntry: () => entry,
      getAsFile: () => null,
    })),
  };
}

/** A file chosen with a folder picker (`webkitdirectory`): its `webkitRelativePath` says where it was. */
export function fileInFolder(relativePath: string, content: string): File {
  const file = new File([content], relativePath.split("/").pop() ?? relativePath);
  Object.defineProperty(file, "webkitRelativePath", { value: relativePath });
  return file;
}
