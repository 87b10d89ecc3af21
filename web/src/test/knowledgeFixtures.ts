/**
 * Knowledge as the platform answers it (shapes copied from a local runtime's `GET /v1/knowledge-bases/…`
 * answers), and a live listing the test feeds, as the platform streams one over server-sent events.
 */

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export const handbookKb = {
  id: "kb_handbook",
  name: "Acme Corp employee handbook",
  description: "Time off, working hours, equipment, travel and expenses at Acme Corp.",
  documentCount: 2,
  createdAt: minutesAgo(3 * 24 * 60),
  updatedAt: minutesAgo(5),
};

export const productKb = {
  id: "kb_product",
  name: "Router X200 manual",
  description: "",
  documentCount: 0,
  createdAt: minutesAgo(2 * 24 * 60),
  updatedAt: minutesAgo(2 * 24 * 60),
};

type Doc = Record<string, unknown> & { readonly id: string; readonly name: string };

/** A Markdown handbook, indexed and searchable. */
export const handbookDoc = {
  id: "doc_handbook",
  name: "employee-handbook.md",
  type: "markdown",
  size: 2427,
  version: 1,
  activeVersion: 1,
  status: "ready",
  stage: "done",
  progress: 1,
  chunkCount: 8,
  tags: [],
  versions: [{ version: 1, size: 2427, createdAt: minutesAgo(60) }],
  createdAt: minutesAgo(60),
  updatedAt: minutesAgo(60),
} satisfies Doc;

/** A travel policy uploaded three times; the third upload restored the first. */
export const travelDoc = {
  id: "doc_travel",
  name: "travel-and-expenses.pdf",
  type: "pdf",
  size: 482_113,
  version: 3,
  activeVersion: 3,
  status: "ready",
  stage: "done",
  progress: 1,
  chunkCount: 14,
  tags: ["travel"],
  versions: [
    { version: 1, size: 480_002, createdAt: minutesAgo(3 * 24 * 60) },
    { version: 2, size: 491_870, createdAt: minutesAgo(24 * 60) },
    { version: 3, size: 482_113, createdAt: minutesAgo(30), restoredFrom: 1 },
  ],
  createdAt: minutesAgo(3 * 24 * 60),
  updatedAt: minutesAgo(30),
} satisfies Doc;

/** A document as the platform answers its upload: version `version`, queued for ingestion. */
export function queuedDoc(id: string, name: string, size: number, overrides: Partial<Doc> = {}): Doc {
  const now = new Date().toISOString();
  return {
    id,
    name,
    type: name.endsWith(".pdf") ? "pdf" : name.endsWith(".md") ? "markdown" : "text",
    size,
    version: 1,
    activeVersion: null,
    status: "queued",
    stage: "upload",
    progress: 0,
    chunkCount: 0,
    tags: [],
    versions: [{ version: 1, size, createdAt: now }],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A search result as `POST /v1/knowledge-bases/{kbId}/search` answers it. */
export const vacationPassage = {
  docId: "doc_handbook",
  docName: "employee-handbook.md",
  chunkId: "doc_handbook-v1-2",
  text:
    "Acme Corp Employee Handbook > Time off > Vacation\n\nFull-time employees receive 25 vacation days per " +
    "calendar year. Up to 5 unused vacation days can be carried over into the next calendar year.",
  score: 0.4814,
  vectorScore: 0.4088,
  keywordScore: 0.4995,
  location: {
    startOffset: 666,
    endOffset: 1170,
    headingPath: ["Acme Corp Employee Handbook", "Time off", "Vacation"],
  },
};

export const perDiemPassage = {
  docId: "doc_travel",
  docName: "travel-and-expenses.pdf",
  chunkId: "doc_travel-v3-5",
  text: "On business trips you receive a daily meal allowance of 45 euros.",
  score: 0.2133,
  vectorScore: 0.31,
  keywordScore: 0.19,
  location: { startOffset: 3020, endOffset: 3150, headingPath: [], page: 4, pageEnd: 5 },
};

/**
 * A live listing: the `Response` a route answers (an event stream that stays open), and `send` to push the
 * next snapshot, as the platform does after every change.
 */
export function liveListing(first: unknown) {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const pending: Uint8Array[] = [];
  const frame = (body: unknown) => encoder.encode(`event: snapshot\ndata: ${JSON.stringify(body)}\n\n`);
  const response = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
          for (const chunk of pending.splice(0)) c.enqueue(chunk);
        },
      }),
      { status: 200, headers: { "Content-Type": "text/event-stream; charset=utf-8" } },
    );
  const send = (body: unknown) => {
    if (controller) controller.enqueue(frame(body));
    else pending.push(frame(body));
  };
  send(first);
  return { response, send };
}

type BatchResult =
  | { readonly fileName: string; readonly document: Doc }
  | { readonly fileName: string; readonly error: { readonly code: string; readonly message: string } };

/**
 * The platform's answer to an upload of several files (`files` parts): one result per file in the order
 * sent, the document or why that file was refused; sent with 207 when some were refused, 202 otherwise.
 */
export function batchAnswer(results: readonly BatchResult[]) {
  const refused = results.filter((r) => "error" in r).length;
  return { accepted: results.length - refused, refused, results };
}

/** Every file accepted: each a queued document named after it. */
export function acceptedBatch(files: readonly File[]) {
  return batchAnswer(
    files.map((file, i) => ({
      fileName: file.name,
      document: queuedDoc(`doc_${i}_${file.name}`, file.name, file.size),
    })),
  );
}
