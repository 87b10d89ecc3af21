/**
 * Document and collection paths. Every adapter validates paths here, so an id taken from a request can
 * never address a document outside the collection it was meant for.
 */
import { AppError } from "./errors.js";

const segmentPattern = /^(?!\.\.?$)(?!__.*__$)[^/]{1,1500}$/;

export function segments(path: string): string[] {
  if (typeof path !== "string" || path.length === 0 || path.startsWith("/") || path.endsWith("/")) {
    throw new AppError("invalid-argument", `Invalid path "${String(path)}"`);
  }
  const parts = path.split("/");
  for (const part of parts) {
    if (!segmentPattern.test(part))
      throw new AppError("invalid-argument", `Invalid path segment in "${path}"`);
  }
  return parts;
}

/** A document path has an even number of segments: `collection/doc[/collection/doc...]`. */
export function assertDocPath(path: string): string[] {
  const parts = segments(path);
  if (parts.length % 2 !== 0) throw new AppError("invalid-argument", `"${path}" is not a document path`);
  return parts;
}

export function assertCollectionPath(path: string): string[] {
  const parts = segments(path);
  if (parts.length % 2 !== 1) throw new AppError("invalid-argument", `"${path}" is not a collection path`);
  return parts;
}

export function parentCollection(docPath: string): string {
  const parts = assertDocPath(docPath);
  return parts.slice(0, -1).join("/");
}

export function docId(docPath: string): string {
  const parts = assertDocPath(docPath);
  return parts[parts.length - 1] as string;
}

/** The last segment of a collection path, which collection-group queries match on. */
export function collectionId(collectionPath: string): string {
  const parts = assertCollectionPath(collectionPath);
  return parts[parts.length - 1] as string;
}
