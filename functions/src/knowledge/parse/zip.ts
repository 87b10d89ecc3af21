/**
 * ZIP archives, read by hand: the central directory names the package (DOCX, XLSX, a plain archive) in
 * microseconds without inflating anything, and `unpackEntries` inflates the entries a parser will read,
 * counting the bytes that actually come out against a budget (sizes an archive declares can lie).
 */
import zlib from "node:zlib";
import type { AppError } from "../../platform/errors.js";

export interface ZipEntry {
  readonly name: string;
  /** Uncompressed size as declared by the archive: informative only, never trusted. */
  readonly size: number;
  readonly compressedSize: number;
  /** 0 stored, 8 deflated; anything else is not read. */
  readonly method: number;
  /** General purpose flags; bit 0 marks an encrypted entry. */
  readonly flags: number;
  /** Where the entry's local header starts. */
  readonly localOffset: number;
}

const endOfDirectory = 0x06054b50;
const directoryEntry = 0x02014b50;
const localEntry = 0x04034b50;

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
      compressedSize: view.getUint32(p + 20, true),
      method: view.getUint16(p + 10, true),
      flags: view.getUint16(p + 8, true),
      localOffset: view.getUint32(p + 42, true),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The errors unpacking ends in, worded by the format being read (a DOCX says "Word document"). */
export interface UnpackErrors {
  /** The running total passed the budget. */
  readonly tooLarge: () => AppError;
  /** An entry cannot be read: damaged, cut off, encrypted, ZIP64 or an unknown compression method. */
  readonly damaged: () => AppError;
}

/** Node's own signal that inflating stopped at `maxOutputLength`. */
const isOverBudget = (e: unknown): boolean =>
  e instanceof RangeError && (e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";

/**
 * Inflates each entry, in directory order, and counts what comes out: inflation stops the moment the
 * running total passes `budget`, so a 300 KB file claiming 1 KB but holding 100 MB costs at most `budget`.
 * Every entry counts, including several directory entries that point at the same data (overlapping bombs).
 */
export function unpackEntries(
  bytes: Uint8Array,
  entries: readonly ZipEntry[],
  budget: number,
  errors: UnpackErrors,
): Map<ZipEntry, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<ZipEntry, Uint8Array>();
  let left = budget;
  for (const entry of entries) {
    const at = entry.localOffset;
    if ((entry.flags & 1) !== 0 || at + 30 > bytes.byteLength || view.getUint32(at, true) !== localEntry) {
      throw errors.damaged();
    }
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    // ZIP64 (0xffffffff) never occurs in an Office document under the upload limit.
    if (entry.compressedSize === 0xffffffff || start + entry.compressedSize > bytes.byteLength) {
      throw errors.damaged();
    }
    const data = bytes.subarray(start, start + entry.compressedSize);
    let content: Uint8Array;
    if (entry.method === 0) content = data;
    else if (entry.method === 8) {
      try {
        // maxOutputLength must be positive; one byte more than what is left is the first byte too many.
        content = zlib.inflateRawSync(data, { maxOutputLength: left + 1 });
      } catch (e) {
        if (isOverBudget(e)) throw errors.tooLarge();
        throw errors.damaged();
      }
    } else throw errors.damaged();
    if (content.byteLength > left) throw errors.tooLarge();
    left -= content.byteLength;
    out.set(entry, content);
  }
  return out;
}

/**
 * A ZIP of stored (uncompressed) entries: how a DOCX reaches mammoth once its parts are unpacked and
 * counted, so mammoth inflates nothing itself.
 */
export function storedZip(files: readonly (readonly [name: string, data: Uint8Array])[]): Uint8Array {
  const encoder = new TextEncoder();
  const names = files.map(([name]) => encoder.encode(name));
  const total =
    files.reduce(
      (n, [, data], i) => n + 30 + 46 + 2 * (names[i] as Uint8Array).byteLength + data.byteLength,
      0,
    ) + 22;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let p = 0;
  const offsets: number[] = [];
  const crcs = files.map(([, data]) => zlib.crc32(data));
  files.forEach(([, data], i) => {
    const name = names[i] as Uint8Array;
    offsets.push(p);
    view.setUint32(p, localEntry, true);
    view.setUint16(p + 4, 20, true);
    view.setUint32(p + 14, crcs[i] as number, true);
    view.setUint32(p + 18, data.byteLength, true);
    view.setUint32(p + 22, data.byteLength, true);
    view.setUint16(p + 26, name.byteLength, true);
    out.set(name, p + 30);
    out.set(data, p + 30 + name.byteLength);
    p += 30 + name.byteLength + data.byteLength;
  });
  const directoryStart = p;
  files.forEach(([, data], i) => {
    const name = names[i] as Uint8Array;
    view.setUint32(p, directoryEntry, true);
    view.setUint16(p + 4, 20, true);
    view.setUint16(p + 6, 20, true);
    view.setUint32(p + 16, crcs[i] as number, true);
    view.setUint32(p + 20, data.byteLength, true);
    view.setUint32(p + 24, data.byteLength, true);
    view.setUint16(p + 28, name.byteLength, true);
    view.setUint32(p + 42, offsets[i] as number, true);
    out.set(name, p + 46);
    p += 46 + name.byteLength;
  });
  view.setUint32(p, endOfDirectory, true);
  view.setUint16(p + 8, files.length, true);
  view.setUint16(p + 10, files.length, true);
  view.setUint32(p + 12, p - directoryStart, true);
  view.setUint32(p + 16, directoryStart, true);
  return out;
}
