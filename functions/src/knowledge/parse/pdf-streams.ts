/**
 * What a PDF's streams unpack to, counted before pdf.js reads any of them. pdf.js inflates a page's content
 * stream whole and then interprets it, so a 300 KB file whose one page inflates to 100 MB would keep it busy
 * for minutes; this scan decodes each stream's filters itself with a running cap and refuses the file at the
 * limit. Images are skipped (text extraction never decodes them, and a photo legitimately inflates to tens of
 * megabytes), as are attached files. Streams that do not decode here (encrypted, or damaged) are left to the
 * worker's own memory and time limits.
 */
import zlib from "node:zlib";
import { pdfStreamTooLarge, pdfTooLargeUnpacked, type ParseLimits } from "./limits.js";

/** Thrown by a decoder whose output would pass its cap; a signal inside this module, never seen outside. */
class OverCap {}

const isOverBudget = (e: unknown): boolean =>
  e instanceof RangeError && (e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";

/** A growable output buffer that refuses to pass `cap` bytes. */
class Output {
  private buf: Uint8Array;
  length = 0;
  constructor(
    private readonly cap: number,
    sizeHint: number,
  ) {
    this.buf = new Uint8Array(Math.max(64, Math.min(cap, sizeHint)));
  }
  private room(n: number): void {
    if (this.length + n > this.cap) throw new OverCap();
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.min(this.cap, Math.max(this.length + n, this.buf.length * 2)));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  push(byte: number): void {
    this.room(1);
    this.buf[this.length++] = byte;
  }
  fill(byte: number, n: number): void {
    this.room(n);
    this.buf.fill(byte, this.length, this.length + n);
    this.length += n;
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

function flate(data: Uint8Array, cap: number): Uint8Array {
  try {
    // Z_SYNC_FLUSH: a stream cut short still yields what it holds, as pdf.js reads it.
    return zlib.inflateSync(data, { maxOutputLength: cap + 1, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (e) {
    if (isOverBudget(e)) throw new OverCap();
    throw e;
  }
}

/** LZWDecode as PDF defines it (9-12 bit codes, 256 clears, 257 ends, EarlyChange 1). */
function lzw(data: Uint8Array, cap: number): Uint8Array {
  const out = new Output(cap, data.length * 3);
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  const first = new Uint8Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
    first[i] = i;
  }
  let next = 258;
  let width = 9;
  let previous = -1;
  let bitBuffer = 0;
  let bits = 0;
  let p = 0;
  const write = (code: number): void => {
    const n = length[code] as number;
    const start = out.length;
    out.fill(0, n);
    const bytes = out.bytes();
    for (let c = code, i = start + n - 1; c >= 0; c = prefix[c] as number, i--)
      bytes[i] = suffix[c] as number;
  };
  for (;;) {
    while (bits < width && p < data.length) {
      bitBuffer = ((bitBuffer << 8) | (data[p++] as number)) >>> 0;
      bits += 8;
    }
    if (bits < width) break;
    const code = (bitBuffer >>> (bits - width)) & ((1 << width) - 1);
    bits -= width;
    if (code === 256) {
      next = 258;
      width = 9;
      previous = -1;
      continue;
    }
    if (code === 257) break;
    // A new entry is the previous string plus the first byte of this one (of itself, for the code being made).
    const add = (firstByte: number): void => {
      prefix[next] = previous;
      suffix[next] = firstByte;
      length[next] = (length[previous] as number) + 1;
      first[next] = first[previous] as number;
      next++;
    };
    if (code < next) {
      write(code);
      if (previous >= 0 && next < 4096) add(first[code] as number);
    } else if (code === next && previous >= 0 && next < 4096) {
      add(first[previous] as number);
      write(code);
    } else break; // not a code this table knows: the data is damaged, and pdf.js stops here too
    previous = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out.bytes();
}

function runLength(data: Uint8Array, cap: number): Uint8Array {
  const out = new Output(cap, data.length * 2);
  for (let p = 0; p < data.length;) {
    const n = data[p++] as number;
    if (n === 128) break;
    if (n < 128) {
      const run = data.subarray(p, p + n + 1);
      for (const b of run) out.push(b);
      p += n + 1;
    } else {
      if (p >= data.length) break;
      out.fill(data[p++] as number, 257 - n);
    }
  }
  return out.bytes();
}

function asciiHex(data: Uint8Array): Uint8Array {
  const out = new Output(data.length, data.length / 2 + 1);
  let high = -1;
  for (const c of data) {
    if (c === 0x3e) break; // '>'
    const v =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x41 && c <= 0x46
          ? c - 55
          : c >= 0x61 && c <= 0x66
            ? c - 87
            : -1;
    if (v < 0) continue;
    if (high < 0) high = v;
    else {
      out.push((high << 4) | v);
      high = -1;
    }
  }
  if (high >= 0) out.push(high << 4);
  return out.bytes();
}

function ascii85(data: Uint8Array, cap: number): Uint8Array {
  const out = new Output(cap, data.length);
  let group = 0;
  let n = 0;
  for (const c of data) {
    if (c === 0x7e) break; // '~>' ends the data
    if (c === 0x7a && n === 0) {
      out.fill(0, 4); // 'z'
      continue;
    }
    if (c < 0x21 || c > 0x75) continue;
    group = group * 85 + (c - 0x21);
    if (++n === 5) {
      out.push((group >>> 24) & 255);
      out.push((group >>> 16) & 255);
      out.push((group >>> 8) & 255);
      out.push(group & 255);
      group = 0;
      n = 0;
    }
  }
  if (n > 1) {
    for (let i = n; i < 5; i++) group = group * 85 + 84;
    for (let i = 0; i < n - 1; i++) out.push((group >>> (24 - 8 * i)) & 255);
  }
  return out.bytes();
}

/** Decoders by filter name (full and abbreviated); image codecs are absent on purpose: never decoded. */
const decoders: Record<string, (data: Uint8Array, cap: number) => Uint8Array> = {
  FlateDecode: flate,
  Fl: flate,
  LZWDecode: lzw,
  LZW: lzw,
  RunLengthDecode: runLength,
  RL: runLength,
  ASCIIHexDecode: asciiHex,
  AHx: asciiHex,
  ASCII85Decode: ascii85,
  A85: ascii85,
};

/** The dictionary just before a `stream` keyword at `at`, found by matching `<<`/`>>` backwards. */
function dictionaryBefore(text: string, at: number): string | null {
  let end = at - 1;
  while (end > 0 && /\s/.test(text[end] as string)) end--;
  if (text[end] !== ">" || text[end - 1] !== ">") return null;
  let depth = 0;
  const lowest = Math.max(0, end - 65_536);
  for (let i = end; i > lowest; i--) {
    if (text[i] === ">" && text[i - 1] === ">") {
      depth++;
      i--;
    } else if (text[i] === "<" && text[i - 1] === "<") {
      depth--;
      i--;
      if (depth === 0) return text.slice(i, end + 1);
    }
  }
  return null;
}

/**
 * Decodes every stream that text extraction may read, with running caps, and throws the limit's error when
 * one stream or all of them together unpack past it. Returns the total, for tests and logs.
 */
export function checkPdfStreams(bytes: Uint8Array, limits: ParseLimits): number {
  // latin1 maps each byte to one character, so string offsets are byte offsets.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  const keyword = /(?<![A-Za-z])stream(\r\n|\n|\r)/g;
  let total = 0;
  for (let m = keyword.exec(text); m; m = keyword.exec(text)) {
    const dict = dictionaryBefore(text, m.index);
    if (dict === null) continue;
    if (/\/Subtype\s*\/Image\b/.test(dict) || /\/Type\s*\/EmbeddedFile\b/.test(dict)) continue;
    const start = m.index + m[0].length;
    const declared = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
    let end = declared ? start + Number(declared[1]) : -1;
    if (end < start || end > text.length || !/^\s*endstream/.test(text.slice(end, end + 32))) {
      end = text.indexOf("endstream", start);
      if (end < 0) end = text.length;
    }
    keyword.lastIndex = end;
    const filterSpec = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(dict)?.[1] ?? "";
    const filters = [...filterSpec.matchAll(/\/([A-Za-z0-9]+)/g)].map((f) => f[1] as string);
    let data = bytes.subarray(start, end);
    const streamCap = Math.min(limits.maxPdfStreamBytes, limits.maxPdfUnpackedBytes - total);
    for (const filter of filters) {
      const decode = decoders[filter];
      if (!decode) break; // an image codec or an unknown filter: pdf.js does not expand it for text
      try {
        data = decode(data, streamCap);
      } catch (e) {
        if (!(e instanceof OverCap)) break; // damaged or encrypted data: left to the worker's limits
        throw streamCap < limits.maxPdfStreamBytes ? pdfTooLargeUnpacked(limits) : pdfStreamTooLarge(limits);
      }
    }
    if (data.byteLength > streamCap) {
      throw streamCap < limits.maxPdfStreamBytes ? pdfTooLargeUnpacked(limits) : pdfStreamTooLarge(limits);
    }
    total += data.byteLength;
  }
  return total;
}
