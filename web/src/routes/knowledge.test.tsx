import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handbookKb, liveListing, productKb } from "../test/knowledgeFixtures";
import { deferredResponse, errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
// Compiled with the test file: the lazy routes' first load would otherwise count against the first test's time.
import "./knowledge";
import "./knowledge-base";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function rowOf(name: string) {
  return screen.getByRole("row", { name: new RegExp(name) });
}

// Each test renders the whole studio and walks a flow through it; on a busy 2-core machine that can take a while.
describe("Knowledge", { timeout: 30_000 }, () => {
  it("lists each knowledge base with its description, searchable documents and last change", async () => {
    const live = liveListing({ knowledgeBases: [handbookKb, productKb] });
    stubPlatform({ "GET /v1/knowledge-bases": () => live.response() });
    renderApp("/knowledge");

    const table = await screen.findByRole("table", { name: "Knowledge bases" });
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    const handbook = rowOf("Acme Corp employee handbook");
    expect(within(handbook).getByRole("link", { name: "Acme Corp employee handbook" })).toHaveAttribute(
      "href",
      "/knowledge/kb_handbook",
    );
    expect(handbook).toHaveTextContent("Time off, working hours, equipment, travel and expenses");
    expect(within(handbook).getAllByRole("cell")[1]).toHaveTextContent("2");
    expect(within(handbook).getByText("5 minutes ago")).toHaveAttribute("dateTime", handbookKb.updatedAt);
    expect(within(rowOf("Router X200 manual")).getByText("2 days ago")).toBeInTheDocument();
    await waitFor(() => expect(document.title).toBe("Knowledge · Alchemist"));
  });

  it("shows a knowledge base created elsewhere as soon as the platform reports it", async () => {
    const live = liveListing({ knowledgeBases: [handbookKb] });
    stubPlatform({ "GET /v1/knowledge-bases": () => live.response() });
    renderApp("/knowledge");
    await screen.findByRole("link", { name: "Acme Corp employee handbook" });

    live.send({ knowledgeBases: [productKb, { ...handbookKb, documentCount: 3 }] });

    expect(await screen.findByRole("link", { name: "Router X200 manual" })).toBeInTheDocument();
    expect(within(rowOf("Acme Corp employee handbook")).getAllByRole("cell")[1]).toHaveTextContent("3");
  });

  it("shows that it is loading until the platform answers", async () => {
    const answer = deferredResponse();
    stubPlatform({ "GET /v1/knowledge-bases": () => answer.promise });
    renderApp("/knowledge");

    expect(await screen.findByText("Loading knowledge bases…")).toBeInTheDocument();
    answer.resolve(liveListing({ knowledgeBases: [handbookKb] }).response());
    expect(await screen.findByRole("table", { name: "Knowledge bases" })).toBeInTheDocument();
    expect(screen.queryByText("Loading knowledge bases…")).not.toBeInTheDocument();
  });

  it("says why the list could not load, and Retry recovers", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/knowledge-bases": () =>
        errorResponse(403, "permission-denied", "You are not a member of acme."),
    });
    renderApp("/knowledge");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(
      "GET /v1/knowledge-bases answered HTTP 403: You are not a member of acme.",
    );

    platform.routes["GET /v1/knowledge-bases"] = () =>
      liveListing({ knowledgeBases: [handbookKb] }).response();
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("link", { name: "Acme Corp employee handbook" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("creates a knowledge base and opens it", async () => {
    const user = userEvent.setup();
    const created = {
      ...productKb,
      id: "kb_new",
      name: "Support FAQ",
      description: "Answers for customers.",
    };
    const platform = stubPlatform({
      "GET /v1/knowledge-bases": () => liveListing({ knowledgeBases: [handbookKb] }).response(),
      "POST /v1/knowledge-bases": () => jsonResponse({ id: "kb_new" }, 201),
      "GET /v1/knowledge-bases/kb_new": () => jsonResponse(created),
      "GET /v1/knowledge-bases/kb_new/documents": () => liveListing({ documents: [] }).response(),
    });
    renderApp("/knowledge");

    await user.click(await screen.findByRole("button", { name: "Create knowledge base" }));
    const dialog = await screen.findByRole("dialog", { name: "Create a knowledge base" });
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(within(dialog).getByRole("textbox", { name: /Name/ })).toHaveAccessibleDescription(
      "Give the knowledge base a name.",
    );
    expect(platform.sent("POST /v1/knowledge-bases")).toHaveLength(0);

    // Pasted rather than typed key by key: the same events for the form, a fraction of the time.
    await user.click(within(dialog).getByRole("textbox", { name: /Name/ }));
    await user.paste("  Support FAQ ");
    await user.click(within(dialog).getByRole("textbox", { name: /Description/ }));
    await user.paste("Answers for customers.");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Support FAQ" })).toBeInTheDocument();
    expect(platform.sent("POST /v1/knowledge-bases").map((r) => r.body)).toEqual([
      { name: "Support FAQ", description: "Answers for customers." },
    ]);
    expect(await screen.findByText("No documents yet")).toBeInTheDocument();
  });

  it("keeps the dialog open with the platform's reason when creating fails", async () => {
    const user = userEvent.setup();
    stubPlatform({
      "GET /v1/knowledge-bases": () => liveListing({ knowledgeBases: [] }).response(),
      "POST /v1/knowledge-bases": () =>
        errorResponse(400, "invalid-argument", "Invalid request body: name: too long", {
          issues: [{ path: "name", message: "At most 120 characters." }],
        }),
    });
    renderApp("/knowledge");

    const empty = await screen.findByRole("region", { name: "No knowledge bases yet" });
    await user.click(within(empty).getByRole("button", { name: "Create knowledge base" }));
    const dialog = await screen.findByRole("dialog", { name: "Create a knowledge base" });
    await user.click(within(dialog).getByRole("textbox", { name: /Name/ }));
    await user.paste("Handbook");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));

    expect(await within(dialog).findByText("The knowledge base was not created")).toBeInTheDocument();
    expect(dialog).toHaveTextContent("Invalid request body: name: too long");
    expect(within(dialog).getByRole("textbox", { name: /Name/ })).toHaveAccessibleDescription(
      "At most 120 characters.",
    );
  });

  it("does not offer to create knowledge bases to a viewer", async () => {
    signInAs(annSession({ role: "viewer" }));
    stubPlatform({ "GET /v1/knowledge-bases": () => liveListing({ knowledgeBases: [] }).response() });
    renderApp("/knowledge");

    const empty = await screen.findByRole("region", { name: "No knowledge bases yet" });
    expect(empty).toHaveTextContent(
      "Knowledge bases appear here once an editor of this workspace creates one.",
    );
    expect(screen.queryByRole("button", { name: "Create knowledge base" })).not.toBeInTheDocument();
  });

  it("offers to create knowledge bases to an editor once some exist", async () => {
    signInAs(annSession({ role: "editor" }));
    stubPlatform({
      "GET /v1/knowledge-bases": () => liveListing({ knowledgeBases: [handbookKb] }).response(),
    });
    renderApp("/knowledge");

    await screen.findByRole("table", { name: "Knowledge bases" });
    expect(screen.getByRole("button", { name: "Create knowledge base" })).toBeInTheDocument();
  });
});
