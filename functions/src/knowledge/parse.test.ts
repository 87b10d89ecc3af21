import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors.js";
import { chunkDocument } from "./chunk.js";
import { defaultParseLimits, detectType, parseDocument, type ParsedDocument } from "./parse.js";
import { damagedDocx } from "./parse/docx.js";
import { checkPdfStreams } from "./parse/pdf-streams.js";
import { docxBomb, docxWithTruncatedPart, pdfBomb, repeatedDeflate, wideCsv } from "./parse/testing/bombs.js";
import { encryptedPdf, handbookDocx, scannedPdf, storedZip, textPdf } from "./parse/testing/fixtures.js";
import { unpackEntries, zipEntries } from "./parse/zip.js";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The AppError a call fails with (a raw library error fails the test). */
async function failure(work: () => unknown): Promise<AppError> {
  try {
    await work();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected a failure");
}

const travelPolicy = [
  [
    "# Travel policy",
    "Travel requests must be approved by your manager before anything is booked.",
    "Approval is given in the travel portal and takes one working day.",
  ],
  ["Economy class is required for flights shorter than six hours."],
  ["Receipts must be submitted within 30 days of returning from a trip."],
];

function recordTexts(doc: ParsedDocument): { row: number; text: string }[] {
  return (doc.records ?? []).map((r) => ({ row: r.row, text: doc.text.slice(r.startOffset, r.endOffset) }));
}

describe("detectType", () => {
  it("recognises each supported format by its name", async () => {
    const cases: [string, string, string, string][] = [
      ["notes.txt", "Plain notes", "text", "text/plain"],
      ["guide.md", "# Guide", "markdown", "text/markdown"],
      ["page.html", "<p>Hi</p>", "html", "text/html"],
      ["prices.csv", "name,price\nPro,20", "csv", "text/csv"],
      ["prices.tsv", "name\tprice\nPro\t20", "csv", "text/tab-separated-values"],
      ["plans.json", '[{"name":"Pro"}]', "json", "application/json"],
      ["events.jsonl", '{"a":1}\n{"a":2}', "json", "application/x-ndjson"],
    ];
    for (const [name, content, type, contentType] of cases) {
      expect(detectType(name, utf8(content)), name).toEqual({ type, contentType });
    }
    expect(detectType("policy.pdf", await textPdf(travelPolicy))).toEqual({
      type: "pdf",
      contentType: "application/pdf",
    });
    expect(detectType("handbook.docx", await handbookDocx())).toMatchObject({ type: "docx" });
  });

  it("trusts the bytes over the name: a renamed PDF or DOCX is still one", async () => {
    const pdf = await textPdf(travelPolicy);
    expect(detectType("policy.txt", pdf).type).toBe("pdf");
    expect(detectType("policy", pdf).type).toBe("pdf");
    expect(detectType("handbook.zip", await handbookDocx()).type).toBe("docx");
    expect(detectType("export.md", utf8("<!DOCTYPE html><html><body>Hi</body></html>")).type).toBe("html");
  });

  it("refuses a file whose extension claims a format its content is not", async () => {
    const err = await failure(() =>
      detectType("report.pdf", utf8("<html><body><h1>404 Not Found</h1></body></html>")),
    );
    expect(err.code).toBe("unsupported-media-type");
    expect(err.message).toBe(
      '"report.pdf" is named like a PDF but holds plain text or HTML (often a web page saved under the wrong name); download or export it again, then upload the new copy',
    );
    expect((await failure(() => detectType("contract.docx", utf8("Dear Sir")))).message).toContain(
      '"contract.docx" is named like a Word document but holds plain text',
    );
  });

  it("refuses empty, binary, image and legacy Office files with what to do instead", async () => {
    const empty = await failure(() => detectType("empty.txt", new Uint8Array()));
    expect([empty.code, empty.message]).toEqual(["invalid-argument", '"empty.txt" is empty (0 bytes)']);

    const binary = await failure(() => detectType("data.bin", new Uint8Array([1, 0, 2, 0, 3, 0, 255, 7])));
    expect(binary.code).toBe("unsupported-media-type");
    expect(binary.message).toContain('"data.bin" is not a text document (binary content)');

    const photo = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect((await failure(() => detectType("scan.png", photo))).message).toContain(
      '"scan.png" is an image; OCR is not supported yet',
    );

    const ole = new Uint8Array(1024);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    const doc = await failure(() => detectType("minutes.doc", ole));
    expect(doc.code).toBe("unsupported-media-type");
    expect(doc.message).toBe(
      '"minutes.doc" is a Word 97-2003 document (.doc), which is not supported; open it in Word, save it as DOCX and upload that',
    );
    expect((await failure(() => detectType("budget.xls", ole))).message).toContain("save each sheet as CSV");
  });

  it("tells other ZIP packages apart from Word documents without unpacking them", async () => {
    const xlsx = storedZip({ "[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>" });
    expect((await failure(() => detectType("prices.xlsx", xlsx))).message).toBe(
      '"prices.xlsx" is an Excel workbook (XLSX), which is not supported; save each sheet as CSV and upload that',
    );
    const archive = storedZip({ "a.txt": "one", "b.txt": "two" });
    expect((await failure(() => detectType("bundle.zip", archive))).message).toContain(
      "unpack it and upload the documents inside one by one",
    );
  });

  it("refuses a cut-off PDF or DOCX at upload, before anything is stored", async () => {
    const pdf = await textPdf(travelPolicy);
    const cut = await failure(() => detectType("policy.pdf", pdf.subarray(0, Math.floor(pdf.length * 0.6))));
    expect(cut.code).toBe("invalid-argument");
    expect(cut.message).toContain('"policy.pdf" is an incomplete PDF (the file is cut off before its end)');

    const docx = await handbookDocx();
    const damaged = await failure(() => detectType("handbook.docx", docx.subarray(0, docx.length / 2)));
    expect(damaged.message).toContain("This Word document (DOCX) is damaged or incomplete");
  });

  it("reads UTF-16 text (as Windows tools save it) as text, not binary", async () => {
    const bom = new Uint8Array([0xff, 0xfe]);
    const body = new Uint8Array(Buffer.from("Opening hours: 9 to 5", "utf16le"));
    const bytes = new Uint8Array([...bom, ...body]);
    expect(detectType("hours.txt", bytes).type).toBe("text");
    expect((await parseDocument("text", bytes)).text).toBe("Opening hours: 9 to 5");
  });
});

describe("parseDocument: PDF", () => {
  it("keeps the text layer in reading order with the page each part came from", async () => {
    const doc = await parseDocument("pdf", await textPdf(travelPolicy));
    const sentences = [
      "Travel requests must be approved by your manager before anything is booked.",
      "Economy class is required for flights shorter than six hours.",
      "Receipts must be submitted within 30 days of returning from a trip.",
    ];
    const positions = sentences.map((s) => doc.text.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(doc.pages?.map((p) => p.page)).toEqual([1, 2, 3]);
    expect(doc.pages?.map((p) => doc.text.slice(p.startOffset, p.endOffset))).toEqual([
      "# Travel policy\n\nTravel requests must be approved by your manager before anything is booked.\n" +
        "Approval is given in the travel portal and takes one working day.",
      sentences[1],
      sentences[2],
    ]);
  });

  it("recovers headings from font sizes and drops running footers and page numbers", async () => {
    const handbook = [
      [
        "# Remote work",
        "Employees may work remotely up to three days a week.",
        "",
        "Core hours are 10:00 to 15:00 in your home office's time zone.",
      ],
      [
        "# Equipment",
        "The company pays for a desk chair and a second monitor once.",
        "Laptops are returned on the last working day.",
      ],
      ["Claims for equipment are filed in the finance portal.", "4"],
    ];
    const bytes = await textPdf(
      handbook,
      (page, count) => `Acme Remote Work Policy - Page ${page} of ${count}`,
    );
    const doc = await parseDocument("pdf", bytes);
    expect(doc.text).not.toContain("Acme Remote Work Policy");
    expect(doc.text.split("\n\n")).toEqual([
      "# Remote work",
      "Employees may work remotely up to three days a week.",
      "Core hours are 10:00 to 15:00 in your home office's time zone.",
      "# Equipment",
      "The company pays for a desk chair and a second monitor once.\nLaptops are returned on the last working day.",
      "Claims for equipment are filed in the finance portal.\n4",
    ]);
    const chunks = chunkDocument(doc, { targetChars: 80, maxChars: 400, overlapChars: 0 });
    expect(chunks.map((c) => [c.location.headingPath, c.location.page])).toEqual([
      [["Remote work"], 1],
      [["Equipment"], 2],
      [["Equipment"], 3],
    ]);
  });

  it("gives chunks the page they start on, and the page they end on when it differs", async () => {
    const bytes = await textPdf(travelPolicy);
    const small = chunkDocument(await parseDocument("pdf", bytes), {
      targetChars: 60,
      maxChars: 200,
      overlapChars: 0,
    });
    const pageOf = (needle: string) => small.find((c) => c.text.includes(needle))?.location;
    expect(pageOf("Economy class")).toMatchObject({ page: 2 });
    expect(pageOf("Economy class")?.pageEnd).toBeUndefined();
    expect(pageOf("Receipts must")).toMatchObject({ page: 3 });

    const whole = chunkDocument(await parseDocument("pdf", bytes));
    expect(whole).toHaveLength(1);
    expect(whole[0]?.location).toMatchObject({ page: 1, pageEnd: 3 });
  });

  it("fails a scanned PDF (no text layer) with a reason a user understands", async () => {
    const scan = await scannedPdf();
    const err = await failure(() => parseDocument("pdf", scan));
    expect(err.code).toBe("unsupported-media-type");
    expect(err.message).toContain("This PDF has no text layer (it looks scanned); OCR is not supported yet");
  });

  it("fails a password-protected PDF, asking for the password to be removed", async () => {
    const err = await failure(() => parseDocument("pdf", encryptedPdf()));
    expect(err.code).toBe("failed-precondition");
    expect(err.message).toBe("This PDF is password-protected; remove the password and upload it again");
  });

  it("fails a truncated or damaged PDF without leaking the parser's error", async () => {
    const pdf = await textPdf(travelPolicy);
    const cut = await failure(() => parseDocument("pdf", pdf.subarray(0, Math.floor(pdf.length / 2))));
    expect(cut.code).toBe("invalid-argument");
    expect(cut.message).toContain("This PDF is incomplete");

    const garbled = utf8(`%PDF-1.7\n${"garbage ".repeat(200)}\ntrailer\n<< /Root 9 0 R >>\n%%EOF\n`);
    const damaged = await failure(() => parseDocument("pdf", garbled));
    expect(damaged.code).toBe("invalid-argument");
    expect(damaged.message).toBe(
      "This PDF is damaged and could not be read; open it in a PDF viewer, save a new copy and upload that",
    );
  });

  it("refuses a PDF over the page limit, and text over the size limit, instead of grinding on", async () => {
    const bytes = await textPdf(travelPolicy);
    const pages = await failure(() => parseDocument("pdf", bytes, { ...defaultParseLimits, maxPages: 2 }));
    expect(pages.code).toBe("payload-too-large");
    expect(pages.message).toBe(
      "This PDF has 3 pages; the limit is 2 pages. Split it into smaller files and upload them separately",
    );
    const text = await failure(() =>
      parseDocument("pdf", bytes, { ...defaultParseLimits, maxTextChars: 100 }),
    );
    expect(text.code).toBe("payload-too-large");
    expect(text.message).toContain("more than 100 characters of text; split it into smaller files");
    const csv = utf8("name,plan\n" + "Alice,Pro\n".repeat(50));
    const rows = await failure(() => parseDocument("csv", csv, { ...defaultParseLimits, maxTextChars: 200 }));
    expect(rows.code).toBe("payload-too-large");
  });
});

describe("parseDocument: DOCX", () => {
  it("keeps headings as # lines and list items as - lines", async () => {
    const { text } = await parseDocument("docx", await handbookDocx());
    expect(text).toBe(
      [
        "# Employee Handbook",
        "## Vacation",
        "Full-time employees receive 25 vacation days per calendar year.",
        "To book time off:",
        "- Agree the dates with your manager\n- Enter them in the HR portal",
        "## Sick leave",
        "Report sick to your manager before 9:00 on the first day.",
      ].join("\n\n"),
    );
    const chunks = chunkDocument({ text }, { targetChars: 40, maxChars: 400, overlapChars: 0 });
    const where = (needle: string) => chunks.find((c) => c.text.includes(needle))?.location.headingPath;
    expect(where("25 vacation days")).toEqual(["Employee Handbook", "Vacation"]);
    expect(where("HR portal")).toEqual(["Employee Handbook", "Vacation"]);
    expect(where("before 9:00")).toEqual(["Employee Handbook", "Sick leave"]);
  });

  it("fails a damaged Word document with a clear reason", async () => {
    const broken = storedZip({ "word/document.xml": "<w:document><w:body><w:p>broken" });
    const err = await failure(() => parseDocument("docx", broken));
    expect(err.code).toBe("invalid-argument");
    expect(err.message).toBe(
      "This Word document (DOCX) is damaged or incomplete and could not be read; open it in Word, save it again and upload the new copy",
    );
    const docx = await handbookDocx();
    expect((await failure(() => parseDocument("docx", docx.subarray(0, 2000)))).message).toBe(err.message);
  });
});

describe("parseDocument: CSV", () => {
  it("turns each row into a record named by the header, with its spreadsheet row", async () => {
    const csv = "name,plan,price\nAlice,Pro,20\nBob,Free,0\n";
    const doc = await parseDocument("csv", utf8(csv));
    expect(recordTexts(doc)).toEqual([
      { row: 2, text: "name: Alice; plan: Pro; price: 20" },
      { row: 3, text: "name: Bob; plan: Free; price: 0" },
    ]);
  });

  it("handles quoted commas, line breaks, escaped quotes, a BOM and empty cells", async () => {
    const csv =
      '\uFEFFproduct,description,price\r\n"Desk, standing","Height 70-120 cm\r\nOak top",499\r\n' +
      '"Monitor arm","The ""pro"" model",\r\n\r\nLamp,,25\r\n';
    const doc = await parseDocument("csv", utf8(csv));
    expect(recordTexts(doc)).toEqual([
      { row: 2, text: "product: Desk, standing; description: Height 70-120 cm Oak top; price: 499" },
      { row: 3, text: 'product: Monitor arm; description: The "pro" model' },
      { row: 5, text: "product: Lamp; price: 25" },
    ]);
  });

  it("sniffs semicolon and tab delimiters", async () => {
    const semicolon = "Name;Preis (€, inkl. MwSt.)\nSchreibtisch;499,90\nLampe;25,00\n";
    expect(recordTexts(await parseDocument("csv", utf8(semicolon)))[0]?.text).toBe(
      "Name: Schreibtisch; Preis (€, inkl. MwSt.): 499,90",
    );
    const tabs = "city\tcountry\nLyon\tFrance\n";
    expect(recordTexts(await parseDocument("csv", utf8(tabs)))[0]?.text).toBe("city: Lyon; country: France");
  });

  it("reads a spreadsheet export saved in Windows-1252", async () => {
    const bytes = new Uint8Array([...utf8("name,city\nRen"), 0xe9, ...utf8(",Orl"), 0xe9, ...utf8("ans\n")]);
    expect(recordTexts(await parseDocument("csv", bytes))[0]?.text).toBe("name: René; city: Orléans");
  });

  it("fails a CSV with a quote that never closes, or with no rows, saying where", async () => {
    const open = await failure(() =>
      parseDocument("csv", utf8('name,notes\nAlice,ok\nBob,"unfinished\nCarol,x\n')),
    );
    expect(open.message).toBe(
      "This CSV file has a quoted value that never ends (it opens in row 3); check the quotation marks and upload it again",
    );
    expect((await failure(() => parseDocument("csv", utf8("name,plan\n")))).message).toBe(
      "This CSV file has no data rows below its header row; the first row must name the columns",
    );
  });
});

describe("parseDocument: JSON", () => {
  it("makes one record per element of an array, flattening nested keys with dots", async () => {
    const json = JSON.stringify([
      { name: "Alice", plan: { tier: "Pro", seats: 5 }, tags: ["admin", "billing"], manager: null },
      { name: "Bob", plan: { tier: "Free", seats: 1 }, orders: [{ id: "A-1" }, { id: "A-2" }] },
    ]);
    expect(recordTexts(await parseDocument("json", utf8(json)))).toEqual([
      { row: 1, text: "name: Alice; plan.tier: Pro; plan.seats: 5; tags: admin, billing" },
      { row: 2, text: "name: Bob; plan.tier: Free; plan.seats: 1; orders.0.id: A-1; orders.1.id: A-2" },
    ]);
  });

  it("makes one record per entry of an object, and per item of a list of objects in it", async () => {
    const json = JSON.stringify({
      company: "Acme",
      support: { email: "help@acme.test", hours: "9-17" },
      plans: [
        { name: "Free", price: 0 },
        { name: "Pro", price: 20 },
      ],
    });
    expect(recordTexts(await parseDocument("json", utf8(json))).map((r) => r.text)).toEqual([
      "company: Acme",
      "support.email: help@acme.test; support.hours: 9-17",
      "plans.name: Free; plans.price: 0",
      "plans.name: Pro; plans.price: 20",
    ]);
  });

  it("reads JSON Lines with each record's line number", async () => {
    const jsonl = '{"event":"signup","user":"alice"}\n\n{"event":"upgrade","user":"alice","plan":"Pro"}\n';
    expect(recordTexts(await parseDocument("json", utf8(jsonl)))).toEqual([
      { row: 1, text: "event: signup; user: alice" },
      { row: 3, text: "event: upgrade; user: alice; plan: Pro" },
    ]);
    const bad = await failure(() => parseDocument("json", utf8('{"a":1}\n{"a":2}\n{"a":\n')));
    expect(bad.message).toContain("Line 3 of this JSON Lines file is not valid JSON");
  });

  it("fails invalid JSON with the line and column of the mistake", async () => {
    const err = await failure(() => parseDocument("json", utf8('{\n  "name": "Alice",\n  "plan": Pro\n}')));
    expect(err.code).toBe("invalid-argument");
    expect(err.message).toBe(
      "This JSON file is not valid JSON (the error is at line 3, column 11); fix it and upload it again",
    );
    const cut = await failure(() => parseDocument("json", utf8('[{"name": "Alice"')));
    expect(cut.message).toBe(
      "This JSON file is not valid JSON (it ends before its last value is complete); fix it and upload it again",
    );
  });
});

describe("parseDocument: text, Markdown and HTML", () => {
  it("strips page chrome and scripts from HTML and keeps its headings", async () => {
    const html = `<!doctype html><html><head><style>p{color:red}</style></head><body>
      <nav><a href="/">Home</a> | <a href="/jobs">Jobs</a></nav>
      <header>Acme Corp</header>
      <main><h1>Refund policy</h1><p>Refunds are paid within <b>14</b> days.</p>
      <h2>Exceptions</h2><ul><li>Gift cards</li><li>Sale items</li></ul></main>
      <script>track("pageview")</script><footer>© 2025 Acme</footer></body></html>`;
    const { text } = await parseDocument("html", utf8(html));
    expect(text).toBe(
      "# Refund policy\n\nRefunds are paid within 14 days.\n\n## Exceptions\n\n- Gift cards\n- Sale items",
    );
  });

  it("keeps Markdown heading structure, including underlined headings", async () => {
    const md = "Onboarding\n==========\n\nWelcome aboard.\n\nFirst week\n----------\n\nMeet your buddy.\n";
    const { text } = await parseDocument("markdown", utf8(md));
    expect(text).toBe("# Onboarding\n\nWelcome aboard.\n\n## First week\n\nMeet your buddy.");
  });

  it("fails a document with nothing to index", async () => {
    const blank = await failure(() =>
      parseDocument("html", utf8("<html><body><script>x()</script> </body></html>")),
    );
    expect(blank.message).toBe("The document contains no text to index");
    expect((await failure(() => parseDocument("text", new Uint8Array()))).message).toBe(
      "The file is empty (0 bytes)",
    );
  });
});

describe("parseDocument: hostile files", () => {
  const unpackMessage =
    "This Word document expands to more than 64 MB of content when unpacked (images aside); the limit is 64 MB. Split it into smaller documents and upload them separately";

  it("stops a DOCX bomb at the unpacked-size limit, before the parser sees it", async () => {
    const bomb = docxBomb(110);
    expect(bomb.byteLength).toBeLessThan(400 * 1024);
    const err = await failure(() => parseDocument("docx", bomb));
    expect([err.code, err.message]).toEqual(["payload-too-large", unpackMessage]);
  });

  it("counts what a DOCX part really inflates to, not the size its headers declare", async () => {
    const liar = docxBomb(110, { lie: true });
    expect(detectType("report.docx", liar).type).toBe("docx");
    const err = await failure(() => parseDocument("docx", liar));
    expect(err.message).toBe(unpackMessage);
    // What is counted is what comes out: the same bomb passes a limit above its real size.
    const entries = zipEntries(liar) ?? [];
    const errors = { tooLarge: () => new AppError("payload-too-large", "x"), damaged: damagedDocx };
    const unpacked = unpackEntries(liar, entries, 200 * 1024 * 1024, errors);
    const body = entries.find((e) => e.name === "word/document.xml");
    expect(body?.size).toBe(1024);
    expect(unpacked.get(body as NonNullable<typeof body>)?.byteLength).toBeGreaterThan(110 * 1024 * 1024);
  });

  it("fails a DOCX whose part is cut off inside its data, and one cut off as a file", async () => {
    const err = await failure(() => parseDocument("docx", docxWithTruncatedPart()));
    expect(err.message).toContain("This Word document (DOCX) is damaged or incomplete");
    const whole = await handbookDocx();
    const cut = await failure(() => detectType("handbook.docx", whole.subarray(0, whole.length - 100)));
    expect(cut.message).toContain("damaged or incomplete");
  });

  it("refuses a PDF whose one page inflates to 100 MB, without inflating past the limit", async () => {
    const bomb = pdfBomb(100);
    expect(bomb.byteLength).toBeLessThan(400 * 1024);
    const err = await failure(() => parseDocument("pdf", bomb));
    expect(err.code).toBe("payload-too-large");
    expect(err.message).toBe(
      "This PDF has a part (a page's content, a font or an embedded object) that expands to more than 32 MB when unpacked; the limit is 32 MB per part. Print or export it to a new PDF and upload that",
    );
    // Nested filters (a compressed bomb, compressed again) are decoded stage by stage, each capped.
    expect((await failure(() => parseDocument("pdf", pdfBomb(100, "flate-twice")))).message).toBe(
      err.message,
    );
  });

  it("counts a PDF's streams together, and lets ordinary ones through", async () => {
    const bomb = pdfBomb(20);
    const limits = { ...defaultParseLimits, maxPdfUnpackedBytes: 16 * 1024 * 1024 };
    const err = await failure(() => parseDocument("pdf", bomb, limits));
    expect(err.message).toContain("expands to more than 16 MB of content when unpacked (images aside)");
    expect(checkPdfStreams(await textPdf(travelPolicy), defaultParseLimits)).toBeGreaterThan(0);
    // A 20 MB page is under both limits: counted in full.
    expect(checkPdfStreams(bomb, defaultParseLimits)).toBeGreaterThanOrEqual(20 * 1024 * 1024);
  });

  it("decodes every filter pdf.js would expand for text, and leaves images alone", () => {
    const wrap = (dictionary: string, data: Uint8Array): Uint8Array =>
      new Uint8Array(
        Buffer.concat([
          Buffer.from(`%PDF-1.7\n1 0 obj\n<< /Length ${data.byteLength} ${dictionary} >>\nstream\n`),
          Buffer.from(data),
          Buffer.from("\nendstream\nendobj\n%%EOF\n"),
        ]),
      );
    const limits = { ...defaultParseLimits, maxPdfStreamBytes: 1024 * 1024 };
    const big = repeatedDeflate("BT (x) Tj ET ", 3 * 1024 * 1024, "zlib").data;
    expect(() => checkPdfStreams(wrap("/Filter /FlateDecode", big), limits)).toThrow(/1 MB per part/);
    // A photo inflates to megabytes legitimately; text extraction never decodes it.
    expect(checkPdfStreams(wrap("/Subtype /Image /Filter /FlateDecode", big), limits)).toBe(0);
    // ASCII hex around a compressed stream: both stages decoded.
    const hex = utf8(`${Buffer.from(big).toString("hex")}>`);
    expect(() => checkPdfStreams(wrap("/Filter [/ASCIIHexDecode /FlateDecode]", hex), limits)).toThrow(
      /1 MB per part/,
    );
    // Run-length: 2 bytes for 128 repeated ones.
    const runs = new Uint8Array(2 * 10_000).map((_, i) => (i % 2 === 0 ? 129 : 65));
    expect(() => checkPdfStreams(wrap("/Filter /RunLengthDecode", runs), limits)).toThrow(/1 MB per part/);
    // LZW: a code that keeps growing by repeating itself ("aaaa..."), here 9-bit codes 97, 258, 259, ...
    const codes = [256, 97];
    for (let c = 258; c < 511; c++) codes.push(c);
    let bits = "";
    for (const c of codes) bits += c.toString(2).padStart(9, "0");
    const lzwBytes = new Uint8Array(Math.ceil(bits.length / 8)).map((_, i) =>
      parseInt(bits.slice(i * 8, i * 8 + 8).padEnd(8, "0"), 2),
    );
    const lzwSmall = { ...limits, maxPdfStreamBytes: 16 * 1024 };
    // 253 codes of lengths 2..254 unpack to about 32 KB.
    expect(() => checkPdfStreams(wrap("/Filter /LZWDecode", lzwBytes), lzwSmall)).toThrow(/16 KB|0 MB/);
    expect(checkPdfStreams(wrap("/Filter /LZWDecode", lzwBytes), limits)).toBe(
      1 + codes.slice(2).reduce((n, c) => n + (c - 256), 0),
    );
  });

  it("refuses a CSV a million columns wide at the column limit", async () => {
    const csv = wideCsv();
    expect(csv.byteLength).toBeGreaterThan(9 * 1024 * 1024);
    const err = await failure(() => parseDocument("csv", csv));
    expect([err.code, err.message]).toEqual([
      "payload-too-large",
      "This CSV file has more than 16,384 columns in row 1; the limit is 16,384 columns (as in a spreadsheet). Check that it is split by the right delimiter, or split it into several files",
    ]);
    // As wide as a spreadsheet can be is fine.
    const widest = await parseDocument("csv", wideCsv(16_384));
    expect(widest.records).toHaveLength(1);
  });
});
