import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dropOfEntries, fileInFolder, folderEntry } from "../test/folderEntries";
import {
  acceptedBatch,
  batchAnswer,
  handbookDoc,
  handbookKb,
  liveListing,
  perDiemPassage,
  queuedDoc,
  travelDoc,
  vacationPassage,
} from "../test/knowledgeFixtures";
import { errorResponse, jsonResponse, stubPlatform, type PlatformRoute } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import { stubXhr } from "../test/xhr";
// Compiled with the test file: the lazy route's first load would otherwise count against the first test's time.
import "./knowledge-base";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const documentsRoute = "GET /v1/knowledge-bases/kb_handbook/documents";

/** The handbook's page, its documents live from `live`; more routes as a test needs them. */
function openHandbook(live: ReturnType<typeof liveListing>, routes: Record<string, PlatformRoute> = {}) {
  const platform = stubPlatform({
    "GET /v1/knowledge-bases/kb_handbook": () => jsonResponse(handbookKb),
    [documentsRoute]: () => live.response(),
    ...routes,
  });
  const rendered = renderApp("/knowledge/kb_handbook");
  return { platform, ...rendered };
}

function rowOf(name: string) {
  return screen.getByRole("row", { name: new RegExp(name.replace(/[.]/g, "\\.")) });
}

function uploadItem(name: string) {
  return within(screen.getByRole("list", { name: "Uploads" })).getByRole("listitem", { name });
}

const fileOf = (name: string, size: number) => new File([new Uint8Array(size).fill(65)], name);

// Each test renders the whole studio and walks a flow through it; on a busy 2-core machine that can take a while.
describe("A knowledge base", { timeout: 30_000 }, () => {
  it("lists its documents with type, size, version and status", async () => {
    const failed = {
      ...queuedDoc("doc_faq", "it-faq.json", 880),
      type: "json",
      status: "failed",
      stage: "parse",
      progress: 0.05,
      error:
        "This JSON file is not valid JSON (it ends before its last value is complete); fix it and upload it again",
    };
    openHandbook(liveListing({ documents: [handbookDoc, failed, travelDoc] }));

    expect(
      await screen.findByRole("heading", { level: 1, name: "Acme Corp employee handbook" }),
    ).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Acme Corp employee handbook · Alchemist"));
    const table = await screen.findByRole("table", { name: "Documents" });
    expect(within(table).getAllByRole("row")).toHaveLength(4);

    const handbook = rowOf("employee-handbook.md");
    expect(handbook).toHaveTextContent("Markdown");
    expect(handbook).toHaveTextContent("2.4 KB");
    expect(handbook).toHaveTextContent("v1");
    expect(within(handbook).getByText("Ready")).toBeInTheDocument();
    expect(handbook).toHaveTextContent("Searchable: 8 passages");

    const travel = rowOf("travel-and-expenses.pdf");
    expect(travel).toHaveTextContent("PDF");
    expect(travel).toHaveTextContent("471 KB");
    expect(travel).toHaveTextContent("v3");

    const faq = rowOf("it-faq.json");
    expect(within(faq).getByText("Failed")).toBeInTheDocument();
    expect(faq).toHaveTextContent("Failed while reading the file");
    expect(faq).toHaveTextContent("This JSON file is not valid JSON");
  });

  it("follows a document through parse, embed and index as the platform reports it", async () => {
    const live = liveListing({
      documents: [
        { ...handbookDoc, status: "processing", stage: "parse", progress: 0.05, activeVersion: null },
      ],
    });
    openHandbook(live);

    const row = await screen.findByRole("row", { name: /employee-handbook\.md/ });
    expect(within(row).getByText("Processing")).toBeInTheDocument();
    expect(row).toHaveTextContent("Reading the file · 5%");
    expect(within(row).getByRole("progressbar", { name: "Processing employee-handbook.md" })).toHaveAttribute(
      "aria-valuenow",
      "5",
    );

    live.send({
      documents: [
        { ...handbookDoc, status: "processing", stage: "embed", progress: 0.6, activeVersion: null },
      ],
    });
    expect(await within(row).findByText("Embedding passages · 60%")).toBeInTheDocument();

    live.send({ documents: [handbookDoc] });
    expect(await within(row).findByText("Ready")).toBeInTheDocument();
    expect(row).toHaveTextContent("Searchable: 8 passages");
    expect(within(row).queryByRole("progressbar")).not.toBeInTheDocument();
  });

  it("says which version stays searchable while a new one is processed", async () => {
    const newVersion = {
      ...travelDoc,
      version: 4,
      activeVersion: 3,
      status: "processing",
      stage: "embed",
      progress: 0.4,
    };
    openHandbook(liveListing({ documents: [newVersion] }));
    const row = await screen.findByRole("row", { name: /travel-and-expenses\.pdf/ });
    expect(row).toHaveTextContent("Version 3 stays searchable until this one is ready.");
  });

  it("sends small files together in one request, each with its own progress through to ready", async () => {
    const user = userEvent.setup();
    const xhr = stubXhr();
    const live = liveListing({ documents: [handbookDoc] });
    openHandbook(live);
    await screen.findByRole("table", { name: "Documents" });

    const names = ["leave.md", "travel.pdf", "security.txt", "benefits.md"];
    await user.upload(
      screen.getByLabelText("Files to upload"),
      names.map((name) => fileOf(name, 2048)),
    );

    await waitFor(() => expect(xhr.sentRequests()).toEqual([names]));
    const [request] = xhr.requests;
    expect(request).toMatchObject({
      method: "POST",
      url: "/v1/knowledge-bases/kb_handbook/documents",
      headers: { authorization: "Bearer als_ann_acme.signature", accept: "application/json" },
      file: undefined,
    });

    // Parts go in order: 3 KB of the body is all of leave.md and half of travel.pdf.
    request!.progress(3072);
    expect(
      await within(uploadItem("leave.md")).findByText("Sent; waiting for the platform to accept it"),
    ).toBeInTheDocument();
    expect(uploadItem("travel.pdf")).toHaveTextContent("Uploading: 1 KB of 2 KB (50%)");
    expect(
      within(uploadItem("travel.pdf")).getByRole("progressbar", { name: "travel.pdf progress" }),
    ).toHaveAttribute("aria-valuenow", "50");
    expect(uploadItem("security.txt")).toHaveTextContent("Uploading: 0 B of 2 KB (0%)");

    // 207: the platform took three and refused one, in its own words.
    const refusal = '"travel.pdf" is named like a PDF but holds plain text; export it again as PDF';
    request!.respond(
      207,
      batchAnswer([
        { fileName: "leave.md", document: queuedDoc("doc_leave", "leave.md", 2048) },
        { fileName: "travel.pdf", error: { code: "invalid-argument", message: refusal } },
        { fileName: "security.txt", document: queuedDoc("doc_security", "security.txt", 2048) },
        { fileName: "benefits.md", document: queuedDoc("doc_benefits", "benefits.md", 2048) },
      ]),
    );
    const travel = uploadItem("travel.pdf");
    expect(await within(travel).findByText(/Upload failed/)).toHaveTextContent(`Upload failed: ${refusal}`);
    expect(uploadItem("leave.md")).toHaveTextContent("Uploaded; waiting to be read (0%)");
    expect(uploadItem("benefits.md")).toHaveTextContent("Uploaded; waiting to be read (0%)");
    expect(screen.getByText("3 files of 4 in progress, 1 needs attention.")).toBeInTheDocument();

    live.send({
      documents: [
        handbookDoc,
        queuedDoc("doc_leave", "leave.md", 2048, { status: "processing", stage: "embed", progress: 0.6 }),
      ],
    });
    expect(
      await within(uploadItem("leave.md")).findByText("Uploaded; embedding passages (60%)"),
    ).toBeInTheDocument();
    live.send({
      documents: [
        handbookDoc,
        queuedDoc("doc_leave", "leave.md", 2048, {
          status: "ready",
          stage: "done",
          progress: 1,
          chunkCount: 3,
          activeVersion: 1,
        }),
      ],
    });
    expect(
      await within(uploadItem("leave.md")).findByText("Searchable: 3 passages (version 1)"),
    ).toBeInTheDocument();
    expect(rowOf("leave.md")).toHaveTextContent("Ready");

    // Retry sends the refused file again, alone (the single-file form); nothing else is sent twice.
    await user.click(within(travel).getByRole("button", { name: "Retry travel.pdf" }));
    await waitFor(() => expect(xhr.requests).toHaveLength(2));
    expect(xhr.requests[1]!.file?.name).toBe("travel.pdf");
    xhr.uploadOf("travel.pdf").respond(202, queuedDoc("doc_travel_new", "travel.pdf", 2048));
    expect(
      await within(uploadItem("travel.pdf")).findByText("Uploaded; waiting to be read (0%)"),
    ).toBeInTheDocument();
    expect(xhr.sentFiles().filter((n) => n === "leave.md")).toHaveLength(1);
  });

  it("sends hundreds of files in a few requests, at most three at a time", async () => {
    const user = userEvent.setup();
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [] }));
    await screen.findByText("No documents yet");

    const files = Array.from({ length: 305 }, (_, i) =>
      fileOf(`note-${String(i + 1).padStart(3, "0")}.md`, 900),
    );
    await user.upload(screen.getByLabelText("Files to upload"), files);

    // 305 files: requests of 100, three at a time; the fourth waits for a free place.
    // Reading 305 files takes a while on a busy machine: wait for what a person would see, not for a second.
    await waitFor(() => expect(xhr.requests).toHaveLength(3), { timeout: 8000 });
    expect(xhr.sentRequests().map((names) => names.length)).toEqual([100, 100, 100]);
    expect(uploadItem("note-301.md")).toHaveTextContent("Waiting to upload");

    const first = xhr.requests[0]!;
    first.respond(202, acceptedBatch(first.files));
    await waitFor(() => expect(xhr.requests).toHaveLength(4), { timeout: 8000 });
    expect(xhr.sentRequests()[3]).toEqual([
      "note-301.md",
      "note-302.md",
      "note-303.md",
      "note-304.md",
      "note-305.md",
    ]);
    expect(uploadItem("note-001.md")).toHaveTextContent("Uploaded; waiting to be read (0%)");

    for (const request of xhr.requests.slice(1)) request.respond(202, acceptedBatch(request.files));
    expect(await within(uploadItem("note-305.md")).findByText(/Uploaded/)).toBeInTheDocument();
    expect(xhr.requests).toHaveLength(4);
    expect(new Set(xhr.sentFiles()).size).toBe(305);
  });

  it("sends large files one by one, at most three at a time", async () => {
    const user = userEvent.setup();
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [] }));
    await screen.findByText("No documents yet");

    const manuals = ["a.pdf", "b.pdf", "c.pdf", "d.pdf"].map((name) => fileOf(name, 5 * 1024 * 1024));
    await user.upload(screen.getByLabelText("Files to upload"), manuals);

    await waitFor(() => expect(xhr.sentRequests()).toEqual([["a.pdf"], ["b.pdf"], ["c.pdf"]]));
    expect(xhr.requests.map((r) => r.file?.name)).toEqual(["a.pdf", "b.pdf", "c.pdf"]);
    xhr.uploadOf("b.pdf").fail();
    await waitFor(() => expect(xhr.sentFiles()).toContain("d.pdf"));
    expect(await within(uploadItem("b.pdf")).findByText(/Upload failed/)).toHaveTextContent(
      "POST /v1/knowledge-bases/kb_handbook/documents got no response.",
    );
  });

  it("waits for the upload budget when the platform answers 429, then sends the same files again", async () => {
    vi.useFakeTimers({
      toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
      shouldAdvanceTime: true,
    });
    const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [] }));
    await screen.findByText("No documents yet");

    const files = [fileOf("leave.md", 2048), fileOf("travel.md", 2048)];
    await user.upload(screen.getByLabelText("Files to upload"), files);
    await waitFor(() => expect(xhr.requests).toHaveLength(1));
    xhr.requests[0]!.respond(
      429,
      {
        error: {
          code: "resource-exhausted",
          message: "Rate limit exceeded for this tenant's uploads; retry in 30 s",
          details: { retryAfterSeconds: 30 },
        },
      },
      { "Retry-After": "30" },
    );

    expect(await screen.findByText(/Waiting for the upload budget, retrying in 30 s\./)).toBeInTheDocument();
    expect(uploadItem("leave.md")).toHaveTextContent("Waiting for the upload budget");
    expect(uploadItem("travel.md")).toHaveTextContent("Waiting for the upload budget");
    expect(screen.getByText("2 files of 2 in progress, waiting for the upload budget.")).toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(20_000));
    expect(screen.getByText(/Waiting for the upload budget, retrying in ([1-9]|10) s\./)).toBeInTheDocument();
    expect(xhr.requests).toHaveLength(1);

    await act(() => vi.advanceTimersByTimeAsync(10_000));
    await waitFor(() => expect(xhr.requests).toHaveLength(2));
    expect(xhr.sentRequests()[1]).toEqual(["leave.md", "travel.md"]);
    expect(screen.queryByText(/retrying in/)).not.toBeInTheDocument();
    xhr.requests[1]!.respond(202, acceptedBatch(xhr.requests[1]!.files));
    expect(
      await within(uploadItem("travel.md")).findByText("Uploaded; waiting to be read (0%)"),
    ).toBeInTheDocument();
  });

  it("sends each file alone when the platform refuses a request of several as too large", async () => {
    const user = userEvent.setup();
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [] }));
    await screen.findByText("No documents yet");

    await user.upload(screen.getByLabelText("Files to upload"), [
      fileOf("leave.md", 3000),
      fileOf("travel.md", 3000),
    ]);
    await waitFor(() => expect(xhr.requests).toHaveLength(1));
    // A platform configured with MAX_UPLOAD_BYTES=4000: the two together are over its body limit.
    xhr.requests[0]!.respond(413, {
      error: { code: "payload-too-large", message: "The upload exceeds the limit of 1052576 bytes" },
    });

    await waitFor(() =>
      expect(xhr.sentRequests()).toEqual([["leave.md", "travel.md"], ["leave.md"], ["travel.md"]]),
    );
    xhr.uploadOf("leave.md").respond(202, queuedDoc("doc_leave", "leave.md", 3000));
    xhr.uploadOf("travel.md").respond(202, queuedDoc("doc_travel", "travel.md", 3000));
    expect(
      await within(uploadItem("travel.md")).findByText("Uploaded; waiting to be read (0%)"),
    ).toBeInTheDocument();
    expect(uploadItem("leave.md")).toHaveTextContent("Uploaded; waiting to be read (0%)");
  });

  it("cancels one file of a request and sends the others again without it", async () => {
    const user = userEvent.setup();
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [] }));
    await screen.findByText("No documents yet");

    await user.upload(screen.getByLabelText("Files to upload"), [
      fileOf("leave.md", 2048),
      fileOf("draft.md", 2048),
      fileOf("travel.md", 2048),
    ]);
    await waitFor(() => expect(xhr.requests).toHaveLength(1));
    const first = xhr.requests[0]!;
    first.progress(1024);

    await user.click(within(uploadItem("draft.md")).getByRole("button", { name: "Cancel draft.md" }));
    expect(first.aborted).toBe(true);
    await waitFor(() => expect(xhr.sentRequests()[1]).toEqual(["leave.md", "travel.md"]));
    expect(
      within(screen.getByRole("list", { name: "Uploads" })).queryByRole("listitem", { name: "draft.md" }),
    ).toBeNull();
    xhr.requests[1]!.respond(202, acceptedBatch(xhr.requests[1]!.files));
    expect(
      await within(uploadItem("leave.md")).findByText("Uploaded; waiting to be read (0%)"),
    ).toBeInTheDocument();
  });

  it("walks a dropped folder with its subfolders and uploads every file it can, saying why not for others", async () => {
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [handbookDoc] }));
    await screen.findByRole("table", { name: "Documents" });

    const text = (name: string) => fileOf(name, 1200);
    const folder = folderEntry("handbook", {
      "travel.md": text("travel.md"),
      "scan.png": text("scan.png"),
      ".DS_Store": text(".DS_Store"),
      "moved.md": "unreadable",
      policies: {
        "leave.md": text("leave.md"),
        archive: { "2023": { "leave.md": text("leave.md"), "parking.txt": text("parking.txt") } },
      },
    });
    const zone = screen.getByRole("group", { name: "Drop files or folders to upload" });
    expect(zone).toHaveTextContent("Drag files or folders here, or");
    expect(zone).toHaveTextContent("A folder brings every file in it, subfolders too.");
    fireEvent.drop(zone, { dataTransfer: dropOfEntries([folder]) });

    // Depth first in name order: handbook/policies/archive/2023/… comes before handbook/policies/leave.md.
    await waitFor(() => expect(xhr.sentRequests()).toEqual([["leave.md", "parking.txt", "travel.md"]]));
    expect(uploadItem("parking.txt")).toHaveTextContent("in handbook/policies/archive/2023");
    expect(uploadItem("scan.png")).toHaveTextContent("Not uploaded: Images cannot be read (no OCR yet)");
    // Two files named leave.md: one document each would be one document, the second replacing the first.
    const leaves = within(screen.getByRole("list", { name: "Uploads" })).getAllByRole("listitem", {
      name: "leave.md",
    });
    expect(leaves).toHaveLength(2);
    expect(leaves[0]).toHaveTextContent("in handbook/policies/archive/2023");
    expect(leaves[1]).toHaveTextContent("in handbook/policies");
    expect(leaves[1]).toHaveTextContent(
      "Not uploaded: handbook/policies/archive/2023/leave.md has the same name, and a document is known by its file name",
    );
    expect(screen.queryByRole("listitem", { name: ".DS_Store" })).not.toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(
      "1 file or folder could not be read and was left out.",
    );
  });

  it("uploads a chosen folder, keeping each file's place in it", async () => {
    const user = userEvent.setup();
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [] }));
    await screen.findByText("No documents yet");

    expect(screen.getByRole("button", { name: "Choose folder" })).toBeEnabled();
    const picker = screen.getByLabelText("Folder to upload");
    expect(picker).toHaveAttribute("webkitdirectory");
    await user.upload(picker, [
      fileInFolder("handbook/leave.md", "# Leave\n\nEmployees receive 25 vacation days.\n"),
      fileInFolder("handbook/.git/HEAD", "ref: refs/heads/main\n"),
      fileInFolder("handbook/policies/travel.md", "# Travel\n\nMeals: 45 euros a day.\n"),
    ]);

    await waitFor(() => expect(xhr.sentRequests()).toEqual([["leave.md", "travel.md"]]));
    expect(uploadItem("travel.md")).toHaveTextContent("in handbook/policies");
  });

  it("asks before leaving while files are still being sent", async () => {
    const user = userEvent.setup();
    const xhr = stubXhr();
    const { router } = openHandbook(liveListing({ documents: [] }));
    await screen.findByText("No documents yet");
    await user.upload(screen.getByLabelText("Files to upload"), fileOf("leave.md", 2048));
    await waitFor(() => expect(xhr.sentFiles()).toEqual(["leave.md"]));

    await user.click(screen.getByRole("link", { name: "Overview" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave while uploading?" });
    expect(dialog).toHaveTextContent("1 file is still being sent.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(
      screen.getByRole("heading", { level: 1, name: "Acme Corp employee handbook" }),
    ).toBeInTheDocument();

    expect(router.state.location.pathname).toBe("/knowledge/kb_handbook");

    await user.click(screen.getByRole("link", { name: "Overview" }));
    await user.click(
      within(await screen.findByRole("dialog", { name: "Leave while uploading?" })).getByRole("button", {
        name: "Leave and cancel uploads",
      }),
    );
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(xhr.uploadOf("leave.md").aborted).toBe(true);
  });

  it("says in the platform's words why it refused an upload", async () => {
    const user = userEvent.setup();
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [] }));
    await screen.findByText("No documents yet");

    await user.upload(screen.getByLabelText("Files to upload"), fileOf("minutes.docx", 300));
    await waitFor(() => expect(xhr.sentFiles()).toEqual(["minutes.docx"]));
    xhr.uploadOf("minutes.docx").respond(400, {
      error: {
        code: "invalid-argument",
        message:
          '"minutes.docx" is named like a Word document but holds plain text; download or export it again',
      },
    });

    const item = uploadItem("minutes.docx");
    expect(await within(item).findByText(/Upload failed/)).toHaveTextContent(
      'Upload failed: "minutes.docx" is named like a Word document but holds plain text',
    );
    expect(within(item).getByRole("button", { name: "Retry minutes.docx" })).toBeInTheDocument();
  });

  it("refuses files the platform cannot read before sending them, saying why for each", async () => {
    const xhr = stubXhr();
    openHandbook(liveListing({ documents: [handbookDoc] }));
    await screen.findByRole("table", { name: "Documents" });

    const dropped = [
      fileOf("scan.png", 1000),
      fileOf("budget.xlsx", 1000),
      fileOf("empty.txt", 0),
      fileOf("huge.pdf", 26 * 1024 * 1024),
      fileOf("faq.md", 1000),
    ];
    fireEvent.drop(screen.getByRole("group", { name: "Drop files or folders to upload" }), {
      dataTransfer: { files: dropped, types: ["Files"] },
    });

    expect(await within(uploadItem("scan.png")).findByText(/Not uploaded/)).toHaveTextContent(
      "Not uploaded: Images cannot be read (no OCR yet): upload a PDF with selectable text instead.",
    );
    expect(uploadItem("budget.xlsx")).toHaveTextContent("save each sheet as CSV and upload that");
    expect(uploadItem("empty.txt")).toHaveTextContent("The file is empty (0 bytes).");
    expect(uploadItem("huge.pdf")).toHaveTextContent("The file is 26 MB; the limit is 25 MB.");
    await waitFor(() => expect(xhr.sentFiles()).toEqual(["faq.md"]));
    expect(within(uploadItem("scan.png")).queryByRole("button", { name: /Retry/ })).not.toBeInTheDocument();

    await userEvent.click(within(uploadItem("scan.png")).getByRole("button", { name: "Dismiss scan.png" }));
    expect(
      within(screen.getByRole("list", { name: "Uploads" })).queryByRole("listitem", { name: "scan.png" }),
    ).toBeNull();
  });

  it("deletes a document after confirmation", async () => {
    const user = userEvent.setup();
    const live = liveListing({ documents: [handbookDoc, travelDoc] });
    const { platform } = openHandbook(live, {
      "DELETE /v1/knowledge-bases/kb_handbook/documents/doc_travel": () =>
        new Response(null, { status: 204 }),
    });
    const row = await screen.findByRole("row", { name: /travel-and-expenses\.pdf/ });

    await user.click(within(row).getByRole("button", { name: "Delete travel-and-expenses.pdf" }));
    let dialog = await screen.findByRole("dialog", { name: "Delete travel-and-expenses.pdf?" });
    expect(dialog).toHaveTextContent("its 3 versions and its passages are removed");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent("DELETE /v1/knowledge-bases/kb_handbook/documents/doc_travel")).toHaveLength(0);

    await user.click(within(rowOf("travel-and-expenses.pdf")).getByRole("button", { name: /Delete/ }));
    dialog = await screen.findByRole("dialog", { name: "Delete travel-and-expenses.pdf?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete document" }));

    // Closed once the platform confirmed; the page behind is readable again only once it has faded out.
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(
      screen.queryByRole("row", { name: /travel-and-expenses\.pdf/, hidden: true }),
    ).not.toBeInTheDocument();
    expect(platform.sent("DELETE /v1/knowledge-bases/kb_handbook/documents/doc_travel")).toHaveLength(1);
    expect(screen.getByText("travel-and-expenses.pdf was deleted.")).toBeInTheDocument();
    expect(rowOf("employee-handbook.md")).toBeInTheDocument();

    // Uploaded again later under the same name (so the same id): a new document, shown.
    live.send({ documents: [handbookDoc] });
    live.send({ documents: [handbookDoc, queuedDoc("doc_travel", "travel-and-expenses.pdf", 480_002)] });
    expect(await screen.findByRole("row", { name: /travel-and-expenses\.pdf/ })).toHaveTextContent("Queued");
  });

  it("keeps the document and says why when deleting fails", async () => {
    const user = userEvent.setup();
    openHandbook(liveListing({ documents: [handbookDoc] }), {
      "DELETE /v1/knowledge-bases/kb_handbook/documents/doc_handbook": () =>
        errorResponse(503, "unavailable", "The document store is busy; try again in a moment"),
    });
    const row = await screen.findByRole("row", { name: /employee-handbook\.md/ });
    await user.click(within(row).getByRole("button", { name: "Delete employee-handbook.md" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete employee-handbook.md?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete document" }));

    expect(await within(dialog).findByText("The document was not deleted")).toBeInTheDocument();
    expect(dialog).toHaveTextContent("The document store is busy; try again in a moment");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(rowOf("employee-handbook.md")).toHaveTextContent("Ready");
  });

  it("lists a document's versions and restores an earlier one after confirmation", async () => {
    const user = userEvent.setup();
    const live = liveListing({ documents: [travelDoc] });
    const restored = {
      ...travelDoc,
      version: 4,
      status: "queued",
      stage: "upload",
      progress: 0,
      versions: [
        ...travelDoc.versions,
        { version: 4, size: 491_870, createdAt: new Date().toISOString(), restoredFrom: 2 },
      ],
    };
    const { platform } = openHandbook(live, {
      "POST /v1/knowledge-bases/kb_handbook/documents/doc_travel/restore": () => jsonResponse(restored, 202),
    });
    const row = await screen.findByRole("row", { name: /travel-and-expenses\.pdf/ });

    await user.click(within(row).getByRole("button", { name: "Versions of travel-and-expenses.pdf" }));
    const dialog = await screen.findByRole("dialog", { name: "Versions of travel-and-expenses.pdf" });
    const items = within(dialog).getAllByRole("listitem");
    expect(items.map((item) => item.textContent?.match(/^Version \d/)?.[0])).toEqual([
      "Version 3",
      "Version 2",
      "Version 1",
    ]);
    expect(items[0]).toHaveTextContent("Searchable");
    expect(items[0]).toHaveTextContent("restored from version 1");
    expect(items[1]).toHaveTextContent("480 KB");
    expect(within(items[0]!).queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "Restore version 2" }));
    const confirm = await screen.findByRole("dialog", { name: "Restore version 2?" });
    expect(confirm).toHaveTextContent("indexed again as version 4");
    expect(confirm).toHaveTextContent("Version 3 stays searchable until it is ready.");
    await user.click(within(confirm).getByRole("button", { name: "Restore" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(
      platform.sent("POST /v1/knowledge-bases/kb_handbook/documents/doc_travel/restore").map((r) => r.body),
    ).toEqual([{ version: 2 }]);
    expect(
      screen.getByText("Version 2 of travel-and-expenses.pdf is being indexed again as version 4."),
    ).toBeInTheDocument();

    live.send({ documents: [{ ...restored, status: "processing", stage: "embed", progress: 0.5 }] });
    expect(
      await within(rowOf("travel-and-expenses.pdf")).findByText("Embedding passages · 50%"),
    ).toBeInTheDocument();
    expect(rowOf("travel-and-expenses.pdf")).toHaveTextContent("v4");
  });

  it("finds passages for a question, with where they are, their score and the matched words", async () => {
    const user = userEvent.setup();
    const { platform } = openHandbook(liveListing({ documents: [handbookDoc, travelDoc] }), {
      "POST /v1/knowledge-bases/kb_handbook/search": (request) =>
        jsonResponse({
          results:
            (request.body as { query: string }).query === "parking" ? [] : [vacationPassage, perDiemPassage],
        }),
    });
    await screen.findByRole("table", { name: "Documents" });

    const search = screen.getByRole("search");
    await user.click(within(search).getByRole("searchbox", { name: "Question or keywords" }));
    await user.paste("How many vacation days?");
    await user.click(within(search).getByRole("button", { name: "Search" }));

    const results = await screen.findByRole("list", { name: "Search results" });
    const [first, second] = within(results).getAllByRole("listitem");
    expect(first).toHaveAccessibleName("employee-handbook.md, score 0.48");
    expect(
      within(first!).getByRole("heading", { level: 3, name: "employee-handbook.md" }),
    ).toBeInTheDocument();
    expect(first).toHaveTextContent("Acme Corp Employee Handbook › Time off › Vacation");
    expect(first).toHaveTextContent("Score 0.48");
    expect(first).toHaveTextContent("Full-time employees receive 25 vacation days per calendar year.");
    const marked = Array.from(first!.querySelectorAll("mark")).map((m) => m.textContent);
    expect(marked).toEqual(["vacation", "days", "vacation", "days"]);
    expect(second).toHaveTextContent("travel-and-expenses.pdf");
    expect(second).toHaveTextContent("Pages 4–5");
    expect(platform.sent("POST /v1/knowledge-bases/kb_handbook/search").map((r) => r.body)).toEqual([
      { query: "How many vacation days?", k: 8 },
    ]);

    await user.clear(within(search).getByRole("searchbox"));
    await user.paste("parking");
    await user.keyboard("{Enter}");
    expect(await screen.findByText(/No passage matches “parking”/)).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Search results" })).not.toBeInTheDocument();
  });

  it("lets a viewer read and search, but not upload, delete or restore", async () => {
    signInAs(annSession({ role: "viewer" }));
    const user = userEvent.setup();
    openHandbook(liveListing({ documents: [travelDoc] }));

    const row = await screen.findByRole("row", { name: /travel-and-expenses\.pdf/ });
    expect(screen.queryByRole("heading", { name: "Add documents" })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Files to upload")).not.toBeInTheDocument();
    expect(within(row).queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
    expect(screen.getByRole("search")).toBeInTheDocument();

    await user.click(within(row).getByRole("button", { name: "Versions of travel-and-expenses.pdf" }));
    const dialog = await screen.findByRole("dialog", { name: "Versions of travel-and-expenses.pdf" });
    expect(within(dialog).getAllByRole("listitem")).toHaveLength(3);
    expect(within(dialog).queryByRole("button", { name: /Restore/ })).not.toBeInTheDocument();
  });

  it("says when the knowledge base does not exist", async () => {
    stubPlatform({
      "GET /v1/knowledge-bases/kb_gone": () =>
        errorResponse(404, "not-found", "Knowledge base kb_gone not found"),
      "GET /v1/knowledge-bases/kb_gone/documents": () =>
        errorResponse(404, "not-found", "Knowledge base kb_gone not found"),
    });
    renderApp("/knowledge/kb_gone");

    expect(
      await screen.findByRole("heading", { level: 1, name: "Knowledge base not found" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "See all knowledge bases" })).toHaveAttribute(
      "href",
      "/knowledge",
    );
  });

  it("says when the documents cannot be listed, and Retry recovers", async () => {
    const user = userEvent.setup();
    const { platform } = openHandbook(liveListing({ documents: [] }), {
      [documentsRoute]: () => errorResponse(403, "permission-denied", "This API key cannot read knowledge."),
    });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This API key cannot read knowledge.");

    platform.routes[documentsRoute] = () => liveListing({ documents: [handbookDoc] }).response();
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("row", { name: /employee-handbook\.md/ })).toBeInTheDocument();
  });
});
