/**
 * Realistic documents built in the tests themselves: PDFs with pdf-lib, Word files with docx, and the few
 * files no library writes on purpose (an encrypted PDF, a hand-made ZIP). Test-only: pdf-lib and docx are
 * devDependencies and this folder is left out of the build.
 */
import { Document, HeadingLevel, Packer, Paragraph, TextRun } from "docx";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";

/**
 * A text PDF: one entry per page, each a list of lines; an empty line leaves a paragraph gap and a line
 * starting with "# " is set as a 16 pt heading. Body lines are 11 pt Helvetica, 14 pt apart, as a word
 * processor would set them; `footer` adds a running footer ("Policy - Page 2 of 3") to every page.
 */
export async function textPdf(
  pages: readonly (readonly string[])[],
  footer?: (page: number, pageCount: number) => string,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  pages.forEach((lines, i) => {
    const page = doc.addPage([595, 842]);
    let y = 780;
    for (const line of lines) {
      if (line.startsWith("# ")) {
        page.drawText(line.slice(2), { x: 56, y, size: 16, font: bold });
        y -= 26;
      } else if (line) {
        page.drawText(line, { x: 56, y, size: 11, font });
        y -= 14;
      } else {
        y -= 10;
      }
    }
    if (footer) page.drawText(footer(i + 1, pages.length), { x: 56, y: 30, size: 8, font });
  });
  return doc.save();
}

/** What a scanner produces, as far as text goes: pages with drawings and no text layer. */
export async function scannedPdf(pageCount = 2): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pageCount; i++) {
    const page = doc.addPage([595, 842]);
    page.drawRectangle({ x: 40, y: 40, width: 515, height: 762, color: rgb(0.93, 0.93, 0.9) });
  }
  return doc.save();
}

/**
 * A PDF whose trailer points at a Standard security handler with a user password: readers ask for the
 * password before showing anything (pdf-lib cannot write encrypted files, so it is written by hand).
 */
export function encryptedPdf(): Uint8Array {
  const stream = "BT /F1 12 Tf 72 720 Td (Salary bands 2025) Tj ET";
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    `<< /Filter /Standard /V 1 /R 2 /O <${"7a".repeat(32)}> /U <${"3c".repeat(32)}> /P -3904 >>`,
  ];
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  const id = "9f".repeat(16);
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 6 0 R /ID [<${id}> <${id}>] >>\n`;
  pdf += `startxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}

/** An employee handbook in Word: headings, a paragraph with partly bold words, a bullet list. */
export async function handbookDocx(): Promise<Uint8Array> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: "Employee Handbook", heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ text: "Vacation", heading: HeadingLevel.HEADING_2 }),
          new Paragraph({
            children: [
              new TextRun("Full-time employees receive "),
              new TextRun({ text: "25", bold: true }),
              new TextRun(" vacation days per calendar year."),
            ],
          }),
          new Paragraph({ text: "To book time off:" }),
          new Paragraph({ text: "Agree the dates with your manager", bullet: { level: 0 } }),
          new Paragraph({ text: "Enter them in the HR portal", bullet: { level: 0 } }),
          new Paragraph({ text: "Sick leave", heading: HeadingLevel.HEADING_2 }),
          new Paragraph({
            children: [
              new TextRun("Report sick to your manager before "),
              new TextRun({ text: "9", bold: true }),
              new TextRun(":00 on the first day."),
            ],
          }),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Uint8Array): number => {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A ZIP with uncompressed entries, for packages no library here writes (XLSX, odd DOCX parts). */
export function storedZip(files: Record<string, string>): Uint8Array {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const fileName = Buffer.from(name);
    const data = Buffer.from(content);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, fileName, data);
    directory.push(entry, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const central = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, central, end]));
}
