import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openApiDocument } from "../test/fixtures";
import { connectionRefused, jsonResponse, stubFetch } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function routesIn(tag: string) {
  const section = screen.getByRole("region", { name: tag });
  return within(section)
    .getAllByRole("listitem")
    .map((item) => item.textContent);
}

describe("API reference", () => {
  it("lists every route grouped by tag, in the document's tag order, with method, path, summary and key need", async () => {
    stubFetch((path) =>
      path === "/v1/openapi.json" ? jsonResponse(openApiDocument) : jsonResponse({}, 404),
    );
    renderApp("/api");

    expect(await screen.findByRole("heading", { level: 1, name: "API reference" })).toBeInTheDocument();
    await screen.findByRole("region", { name: "Knowledge" });
    const groupHeadings = screen.getAllByRole("heading", { level: 2 }).map((h) => h.textContent);
    expect(groupHeadings.slice(-3)).toEqual(["Knowledge", "Agents", "Platform"]);

    expect(routesIn("Knowledge")).toEqual([
      "POST/v1/knowledge-basesCreate a knowledge baseAPI key",
      "DELETE/v1/knowledge-bases/{kbId}Delete a knowledge base and its documentsAPI key",
      "GET/v1/knowledge-bases/{kbId}/documentsList the documents of a knowledge baseAPI key",
      "POST/v1/knowledge-bases/{kbId}/documentsUpload a documentAPI key",
    ]);
    expect(routesIn("Agents")).toHaveLength(3);
    expect(routesIn("Platform")).toEqual([
      "GET/healthPlatform healthPublic",
      "GET/v1/openapi.jsonThis documentPublic",
    ]);
    expect(screen.getByText("Authorization: Bearer <key>")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "/v1/openapi.json" })).toHaveAttribute(
      "href",
      "/v1/openapi.json",
    );
  });

  it("filters routes by what is typed in the search box", async () => {
    const user = userEvent.setup();
    stubFetch(() => jsonResponse(openApiDocument));
    renderApp("/api");
    const search = await screen.findByRole("searchbox", { name: "Filter routes" });

    await user.type(search, "documents");
    expect(routesIn("Knowledge")).toEqual([
      "DELETE/v1/knowledge-bases/{kbId}Delete a knowledge base and its documentsAPI key",
      "GET/v1/knowledge-bases/{kbId}/documentsList the documents of a knowledge baseAPI key",
      "POST/v1/knowledge-bases/{kbId}/documentsUpload a documentAPI key",
    ]);
    expect(screen.queryByRole("region", { name: "Agents" })).not.toBeInTheDocument();
    expect(screen.getByText("3 of 9 routes")).toBeInTheDocument();

    await user.clear(search);
    await user.type(search, "delete");
    expect(routesIn("Knowledge")).toHaveLength(1);

    await user.clear(search);
    await user.type(search, "webhooks");
    expect(screen.getByText("No routes match “webhooks”.")).toBeInTheDocument();
    expect(screen.queryAllByRole("listitem")).toHaveLength(0);
  });

  it("says so when the platform describes no routes", async () => {
    stubFetch(() =>
      jsonResponse({ openapi: "3.1.0", info: { title: "Alchemist API", version: "0.1.0" }, paths: {} }),
    );
    renderApp("/api");

    expect(await screen.findByText("The platform describes no routes yet.")).toBeInTheDocument();
  });

  it("shows an error with Retry when the document cannot be loaded, and recovers", async () => {
    const user = userEvent.setup();
    const fetchMock = stubFetch(connectionRefused);
    renderApp("/api");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(`Cannot reach the platform at ${window.location.origin}`);
    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(openApiDocument)));
    await user.click(within(alert).getByRole("button", { name: "Retry" }));

    expect(await screen.findByRole("region", { name: "Agents" })).toBeInTheDocument();
  });
});
