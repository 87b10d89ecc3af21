/**
 * Hostile files, built in the tests (nothing binary is committed): decompression bombs that are a few
 * hundred kilobytes on disk and 100+ MB unpacked, a PDF that keeps pdf.js busy forever, a CSV a million
 * columns wide, and ZIPs that are cut off or lie about their sizes. Test-only, left out of the build.
 */
import zlib from "node:zlib";

const mb = 1024 * 1024;

/**
 * `unit` repeated to `totalBytes`, deflated without ever holding the whole: one megabyte is compressed once
 * (ending on a byte boundary with a sync flush) and repeated, then a final empty block closes the stream.
 * Each piece references only its own bytes, so the concatenation is one valid deflate stream.
 */
export function repeatedDeflate(
  unit: string,
  totalBytes: number,
  format: "raw" | "zlib",
): { data: Uint8Array; crc32: number } {
  const piece = Buffer.from(unit.repeat(Math.ceil(mb / unit.length)).slice(0, mb), "latin1");
  const times = Math.ceil(totalBytes / piece.length);
  const segment = zlib.deflateRawSync(piece, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const parts: Buffer[] = [];
  if (format === "zlib") parts.push(Buffer.from([0x78, 0xda]));
  for (let i = 0; i < times; i++) parts.push(segment);
  parts.push(Buffer.from([0x03, 0x00])); // a final, empty fixed-Huffman block
  let crc = 0;
  let a = 1;
  let b = 0;
  for (let i = 0; i < times; i++) {
    crc = zlib.crc32(piece, crc);
    if (format === "zlib") {
      for (const byte of piece) {
        a = (a + byte) % 65521;
        b = (b + a) % 65521;
      }
    }
  }
  if (format === "zlib") {
    const adler = Buffer.alloc(4);
    adler.writeUInt32BE(((b << 16) | a) >>> 0);
    parts.push(adler);
  }
  return { data: new Uint8Array(Buffer.concat(parts)), crc32: crc };
}

interface ZipFile {
  readonly name: string;
  /** Compressed bytes (or the stored bytes when `method` is 0). */
  readonly data: Uint8Array;
  readonly method: 0 | 8;
  readonly crc32: number;
  /** The uncompressed size written in the headers: the truth, or a lie. */
  readonly declaredSize: number;
}

function zip(files: readonly ZipFile[]): Uint8Array {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(f.method, 8);
    local.writeUInt32LE(f.crc32 >>> 0, 14);
    local.writeUInt32LE(f.data.byteLength, 18);
    local.writeUInt32LE(f.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(f.method, 10);
    entry.writeUInt32LE(f.crc32 >>> 0, 16);
    entry.writeUInt32LE(f.data.byteLength, 20);
    entry.writeUInt32LE(f.declaredSize, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, name, Buffer.from(f.data));
    directory.push(entry, name);
    offset += local.length + name.length + f.data.byteLength;
  }
  const central = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, central, end]));
}

const deflated = (name: string, text: string): ZipFile => {
  const raw = Buffer.from(text);
  return {
    name,
    data: zlib.deflateRawSync(raw),
    method: 8,
    crc32: zlib.crc32(raw),
    declaredSize: raw.length,
  };
};

const packageParts = (): ZipFile[] => [
  deflated(
    "[Content_Types].xml",
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  ),
  deflated(
    "_rels/.rels",
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  ),
];

const paragraph = "<w:p><w:r><w:t>Quarterly figures are attached. </w:t></w:r></w:p>";

/**
 * A small, well-formed DOCX whose `word/document.xml` inflates to `unpackedMb` megabytes of paragraphs.
 * With `lie`, both directory and local headers declare the part as 1 KB: only counting real output stops it.
 */
export function docxBomb(unpackedMb: number, options: { lie?: boolean } = {}): Uint8Array {
  const head =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>';
  // The body is one deflate stream: the XML head, then repeated paragraphs (the tail never arrives: the
  // bomb is refused long before, and a parser would fail on the unclosed document anyway).
  const headSegment = zlib.deflateRawSync(Buffer.from(head), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const body = repeatedDeflate(paragraph, unpackedMb * mb, "raw");
  const data = new Uint8Array(Buffer.concat([headSegment, body.data]));
  const size = options.lie ? 1024 : Math.min(0xfffffffe, head.length + unpackedMb * mb);
  return zip([
    ...packageParts(),
    { name: "word/document.xml", data, method: 8, crc32: body.crc32, declaredSize: size },
  ]);
}

/** A DOCX whose directory is intact but whose document part is cut off halfway through its data. */
export function docxWithTruncatedPart(): Uint8Array {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraph.repeat(400)}</w:body></w:document>`;
  const whole = deflated("word/document.xml", xml);
  const cut = { ...whole, data: whole.data.subarray(0, Math.floor(whole.data.byteLength / 2)) };
  return zip([...packageParts(), cut]);
}

function pdf(objects: readonly (string | Uint8Array)[]): Uint8Array {
  const header = Buffer.from("%PDF-1.7\n");
  const parts: Buffer[] = [header];
  let length = header.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(length);
    const piece = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      Buffer.from(body),
      Buffer.from("\nendobj\n"),
    ]);
    parts.push(piece);
    length += piece.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("") +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref));
  return new Uint8Array(Buffer.concat(parts));
}

const stream = (dictionary: string, data: Uint8Array | string): Uint8Array =>
  new Uint8Array(
    Buffer.concat([
      Buffer.from(
        `<< /Length ${typeof data === "string" ? data.length : data.byteLength} ${dictionary}>>\nstream\n`,
      ),
      Buffer.from(data),
      Buffer.from("\nendstream"),
    ]),
  );

const catalogAndPages = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"];
const font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

/** One page whose content stream (FlateDecode) inflates to `unpackedMb` megabytes of text operators. */
export function pdfBomb(unpackedMb: number, filters: "flate" | "flate-twice" = "flate"): Uint8Array {
  const ops = "BT /F1 12 Tf 72 720 Td (Revenue grew in every region.) Tj ET\n";
  let content = repeatedDeflate(ops, unpackedMb * mb, "zlib").data;
  let filter = "/Filter /FlateDecode";
  if (filters === "flate-twice") {
    content = new Uint8Array(zlib.deflateSync(content));
    filter = "/Filter [/FlateDecode /FlateDecode]";
  }
  return pdf([
    ...catalogAndPages,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    stream(filter, content),
    font,
  ]);
}

/**
 * A PDF of a few kilobytes that pdf.js never finishes reading: the page draws form X1, which draws X2 twice,
 * which draws X3 twice... `depth` levels down, so the text at the bottom is extracted 2^(depth-1) times.
 */
export function pdfThatStalls(depth = 40): Uint8Array {
  const objects: (string | Uint8Array)[] = [
    ...catalogAndPages,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X 6 0 R >> >> >>",
    stream("", "/X Do"),
    font,
  ];
  for (let level = 0; level < depth; level++) {
    const last = level === depth - 1;
    const resources = last
      ? "/Resources << /Font << /F1 5 0 R >> >>"
      : `/Resources << /XObject << /X ${7 + level} 0 R >> >>`;
    objects.push(
      stream(
        `/Type /XObject /Subtype /Form /BBox [0 0 612 792] ${resources} `,
        last ? "BT /F1 12 Tf 72 720 Td (Again and again.) Tj ET" : "/X Do /X Do",
      ),
    );
  }
  return pdf(objects);
}

/** A CSV with `columns` columns (a header row and one data row): about 10 MB for a million. */
export function wideCsv(columns = 1_000_000): Uint8Array {
  const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(",");
  const row = Array.from({ length: columns }, () => "1").join(",");
  return new TextEncoder().encode(`${header}\n${row}\n`);
}
