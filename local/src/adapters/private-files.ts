/**
 * Local mode's data folder holds every tenant's documents, password hashes and the session secret: only the
 * user running the platform may read it. Folders are made 0700 and files 0600 whatever the umask, and a
 * folder made by an older version with looser modes is tightened when it is opened again.
 */
import fs from "node:fs";
import { AppError } from "@alchemist/functions/platform/errors";

export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** Creates `dir` (and missing parents) owner-only, and makes an existing one owner-only too. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: privateDirMode });
  tighten(dir, privateDirMode);
}

/** Makes an existing file or folder owner-only; one that does not exist (yet) is not an error. */
export function tighten(target: string, mode: number): void {
  try {
    if ((fs.statSync(target).mode & 0o777) !== mode) fs.chmodSync(target, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/**
 * A write that failed because the disk is full (or the database reached its size limit), as the 503 it is:
 * the platform still reads, and says plainly why it cannot save. Other errors pass through unchanged.
 */
export function storageWriteError(e: unknown): unknown {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  if (code === "SQLITE_FULL" || code === "ENOSPC" || code === "EDQUOT") {
    return new AppError(
      "unavailable",
      "The platform's storage is full: nothing new can be saved until space is freed. Reading still works.",
      { reason: "storage-full" },
    );
  }
  if (typeof code === "string" && code.startsWith("SQLITE_IOERR")) {
    return new AppError(
      "unavailable",
      "The platform's storage cannot be written right now (an I/O error). Reading still works.",
      { reason: "storage-io-error" },
    );
  }
  return e;
}
