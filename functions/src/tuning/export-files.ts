/**
 * Writing one of an export's files, and what its record keeps of it: where it is, its size, its lines and its
 * checksum. Used when an export is made and when examples are withdrawn from it (withdraw.ts).
 */
import { createHash } from "node:crypto";
import type { Deps } from "../platform/deps.js";
import type { TuningExport } from "./schema.js";

export type StoredExportFile = TuningExport["files"]["train"];

export async function storeExportFile(
  deps: Deps,
  path: string,
  text: string,
  lines: number,
  metadata: Record<string, string>,
): Promise<StoredExportFile> {
  const data = Buffer.from(text, "utf8");
  await deps.blobs.put(path, data, { contentType: "application/jsonl", metadata });
  return {
    path,
    bytes: data.byteLength,
    lines,
    sha256: createHash("sha256").update(data).digest("hex"),
  };
}
