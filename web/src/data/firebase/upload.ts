/**
 * Knowledge uploads in Firebase mode: the file goes straight to Cloud Storage (`uploadBytesResumable`, with
 * progress), at the path the backend's `onDocumentUploaded` trigger parses (`uploadPath`/`parseUploadPath`,
 * functions/src/knowledge/schema.ts). The trigger (`startIngestion` → `registerDirectUpload`,
 * functions/src/knowledge/ingest.ts and documents.ts) creates the document record only for a *new* document:
 * version 1, whose id is `documentIdFor(name)` of the file name in the path. A file whose name is already a
 * document (a new version) is ignored there, so that one goes through the API, which versions it.
 */
import { PlatformRequestError } from "../platform";

/** `safeFileName` of functions/src/knowledge/parse.ts: the name the platform stores a file under. */
export function storedFileName(name: string): string | undefined {
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = [...base]
    .filter((ch) => ch.charCodeAt(0) > 0x1f && ch.charCodeAt(0) !== 0x7f)
    .join("")
    .replace(/^\.+/, "")
    .trim()
    .slice(0, 200);
  return cleaned === "" ? undefined : cleaned;
}

/** `documentIdFor` of functions/src/knowledge/documents.ts: base64url of the name's SHA-256, 24 characters. */
export async function documentIdFor(name: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name.normalize("NFC"))),
  );
  const base64 = btoa(String.fromCharCode(...digest));
  return base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "").slice(0, 24);
}

/** Content types storage.rules accepts, by extension; a name without one is sent as text, as the API reads it. */
const contentTypes: Readonly<Record<string, string>> = {
  "": "text/plain",
  ".txt": "text/plain",
  ".text": "text/plain",
  ".log": "text/plain",
  ".md": "text/markdown",
  ".markdown": "text/markdown",
  ".html": "text/html",
  ".htm": "text/html",
  ".csv": "text/csv",
  ".tsv": "text/tab-separated-values",
  ".json": "application/json",
  ".jsonl": "application/x-ndjson",
  ".ndjson": "application/x-ndjson",
  ".pdf": "application/pdf",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
};

/** The content type to store `name` with, or `undefined` when storage.rules would refuse every type for it. */
export function uploadContentType(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  const extension = dot <= 0 ? "" : name.slice(dot).toLowerCase();
  return contentTypes[extension];
}

/** storage.rules: `request.resource.size < 25 * 1024 * 1024`, and not empty. */
export const storageUploadLimit = 25 * 1024 * 1024;

/** How a file is sent: straight to Storage (a new document), or through the API. */
export type UploadRoute =
  | { readonly via: "storage"; readonly name: string; readonly docId: string; readonly contentType: string }
  | { readonly via: "api" };

/**
 * Storage when the trigger will register the file (a name that is no document yet, a type and size
 * storage.rules accept); the API otherwise, which versions an existing document and explains any refusal
 * in the platform's words. `documentExists` reads the document the name maps to.
 */
export async function chooseUploadRoute(
  file: { readonly name: string; readonly size: number },
  documentExists: (docId: string) => Promise<boolean>,
): Promise<UploadRoute> {
  const name = storedFileName(file.name);
  if (name === undefined || file.size === 0 || file.size >= storageUploadLimit) return { via: "api" };
  const contentType = uploadContentType(name);
  if (contentType === undefined) return { via: "api" };
  const docId = await documentIdFor(name);
  if (await documentExists(docId)) return { via: "api" };
  return { via: "storage", name, docId, contentType };
}

/** How long to wait for the trigger to register an upload: a cold start of the function can take a while. */
export const registrationTimeoutMs = 120_000;

export function notRegisteredError(path: string, name: string): PlatformRequestError {
  const reason =
    `"${name}" was uploaded, but the platform has not registered it yet (its storage trigger has not run). ` +
    "It appears in the list as soon as it does; if it never does, the file was not a readable document.";
  return new PlatformRequestError("http", path, reason, 504, { code: "deadline-exceeded", reason });
}
