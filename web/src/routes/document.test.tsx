import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  // jsdom lays nothing out and has no scrollIntoView; a test that gives it one takes it back.
  delete (Element.prototype as Partial<Element>).scrollIntoView;
});

/** The handbook's text as the platform extracted it: Markdown headings, paragraphs between them. */
const handbookText = [
  "# Acme Corp Employee Handbook",
  "",
  "## Time off",
  "",
  "### Vacation",
  "",
  "Full-time employees receive 25 vacation days per calendar year.",
  "",
  "### Sick leave",
  "",
  "Tell your manager before 9:00 on the first day of illness.",
].join("\n");
const vacation = "Full-time employees receive 25 vacation days per calendar year.";
const vacationStart = handbookText.indexOf(vacation);

const kb = {
  id: "kb_handbook",
  name: "Acme Corp employee handbook",
  description: "",
  documentCount: 3,
  createdAt: "2026-11-01T09:00:00.000Z",
  updatedAt: "2026-11-20T09:00:00.000Z",
};

function platformWith(
  document: { type: string; version: number; text: string } = {
    type: "markdown",
    version: 2,
    text: handbookText,
  },
) {
  return stubPlatform({
    "GET /v1/knowledge-bases/kb_handbook": () => jsonResponse(kb),
    "GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/text": () =>
      jsonResponse({ docId: "doc_hb", name: "employee-handbook.md", ...document }),
  });
}

describe("Document", () => {
  it("opens the text at the cited passage: marked, in view and focused", async () => {
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    const platform = platformWith();
    renderApp(
      `/knowledge/kb_handbook/documents/doc_hb?version=2&start=${vacationStart}&end=${vacationStart + vacation.length}&heading=Vacation`,
    );

    expect(
      await screen.findByRole("heading", { level: 1, name: "employee-handbook.md" }),
    ).toBeInTheDocument();
    expect(screen.getByText("Markdown · version 2 · the text as the platform read it")).toBeInTheDocument();
    const text = screen.getByRole("article", { name: "Text of employee-handbook.md" });
    expect(text).toHaveTextContent("Tell your manager before 9:00");
    const marked = text.querySelector("mark");
    expect(marked).toHaveTextContent(vacation);
    await waitFor(() => expect(marked).toHaveFocus());
    expect(scrolled).toHaveBeenCalledWith({ block: "center" });
    expect(
      platform.sent("GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/text")[0]?.query.get("version"),
    ).toBe("2");
    const breadcrumb = screen.getByRole("navigation", { name: "Breadcrumb" });
    expect(
      await within(breadcrumb).findByRole("link", { name: "Acme Corp employee handbook" }),
    ).toHaveAttribute("href", "/knowledge/kb_handbook");
  });

  it("goes to the heading when the offsets do not fit this version's text", async () => {
    platformWith();
    renderApp("/knowledge/kb_handbook/documents/doc_hb?start=9000&end=9100&heading=Sick%20leave");

    const text = await screen.findByRole("article", { name: "Text of employee-handbook.md" });
    expect(text.querySelector("mark")).toHaveTextContent(/^### Sick leave$/);
    expect(screen.queryByText(/not in this version/)).not.toBeInTheDocument();
  });

  it("says so, and shows the document from the top, when the place is not in it", async () => {
    platformWith();
    renderApp("/knowledge/kb_handbook/documents/doc_hb?heading=Parking");

    const text = await screen.findByRole("article", { name: "Text of employee-handbook.md" });
    expect(text.querySelector("mark")).toBeNull();
    expect(text).toHaveTextContent("Full-time employees receive 25 vacation days");
    expect(
      screen.getByText(/The cited place is not in this version of the document any more/),
    ).toBeInTheDocument();
  });

  it("offers a PDF's original at the page, and its text for reading here", async () => {
    const opened = vi.fn(() => ({ opener: {} }) as Window);
    vi.stubGlobal("open", opened);
    vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:http://localhost/pdf-3");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    const platform = platformWith({
      type: "pdf",
      version: 1,
      text: "Expenses policy\n\nClaims are paid monthly.",
    });
    platform.routes["GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/file"] = () =>
      new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), {
        headers: { "Content-Type": "application/pdf" },
      });
    renderApp("/knowledge/kb_handbook/documents/doc_hb?page=4");

    expect(await screen.findByText("PDF · version 1 · the text as the platform read it")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Open the PDF at page 4" }));
    await waitFor(() => expect(opened).toHaveBeenCalledWith("blob:http://localhost/pdf-3#page=4", "_blank"));
    expect(
      platform.sent("GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/file")[0]?.query.get("version"),
    ).toBe("1");
  });

  it("says plainly when the document is not in this workspace", async () => {
    stubPlatform({
      "GET /v1/knowledge-bases/kb_handbook": () => jsonResponse(kb),
      "GET /v1/knowledge-bases/kb_handbook/documents/doc_gone/text": () =>
        errorResponse(404, "not-found", "Document doc_gone not found"),
    });
    renderApp("/knowledge/kb_handbook/documents/doc_gone?version=1");

    expect(await screen.findByText("Document doc_gone not found")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "See the knowledge base" })).toHaveAttribute(
      "href",
      "/knowledge/kb_handbook",
    );
  });

  it("says why the text could not load, and Retry recovers", async () => {
    const platform = platformWith();
    platform.routes["GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/text"] = () =>
      errorResponse(503, "unavailable", "The document reader is shutting down");
    renderApp("/knowledge/kb_handbook/documents/doc_hb");

    expect(await screen.findByText(/The document reader is shutting down/)).toBeInTheDocument();
    platform.routes["GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/text"] = () =>
      jsonResponse({
        docId: "doc_hb",
        name: "employee-handbook.md",
        type: "markdown",
        version: 2,
        text: handbookText,
      });
    await userEvent.setup().click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("article", { name: "Text of employee-handbook.md" })).toBeInTheDocument();
  });
});
