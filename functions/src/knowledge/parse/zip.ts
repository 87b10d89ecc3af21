/**
 * Reads the names in a ZIP archive's central directory without inflating anything: enough to tell a DOCX
 * (`word/document.xml`) from an XLSX or a plain archive, and to see a truncated one, in microseconds.
 */

export interface ZipEntry {
  readonly name: string;
  /** Uncompressed size as declared by the archive. */
  readonly size: number;
}

const endOfDirectory = 0x06054b50;
const directoryEntry = 0x02014b50;

/** The archive's entries, or null when its central directory is missing or damaged (e.g. a cut-off file). */
export function zipEntries(bytes: Uint8Array): ZipEntry[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.byteLength - 22 - 0xffff); // the record ends with a comment of up to 64 KB
  let eocd = -1;
  for (let i = bytes.byteLength - 22; i >= lowest; i--) {
    if (view.getUint32(i, true) === endOfDirectory) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = view.getUint16(eocd + 10, true);
  const size = view.getUint32(eocd + 12, true);
  const offset = view.getUint32(eocd + 16, true);
  if (offset + size > eocd) return null;
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let p = offset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== directoryEntry) return null;
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (p + 46 + nameLength > eocd) return null;
    entries.push({
      name: decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength)),
      size: view.getUint32(p + 24, true),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
