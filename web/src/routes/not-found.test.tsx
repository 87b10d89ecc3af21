import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { localHealth, openApiDocument } from "../test/fixtures";
import { jsonResponse, stubFetch } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("App shell and unknown routes", () => {
  it("shows a 404 page, inside the shell, for a route that does not exist", async () => {
    const user = userEvent.setup();
    stubFetch(() => jsonResponse(localHealth));
    renderApp("/billing/invoices");

    expect(screen.getByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByText("/billing/invoices")).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
    expect(document.title).toBe("Page not found · Alchemist");

    await user.click(screen.getByRole("link", { name: "Go to the overview" }));
    expect(screen.getByRole("heading", { level: 1, name: "Alchemist" })).toBeInTheDocument();
  });

  it("moves between pages with the keyboard through the main navigation, marking the current page", async () => {
    const user = userEvent.setup();
    stubFetch((path) => jsonResponse(path === "/health" ? localHealth : openApiDocument));
    renderApp("/");
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(screen.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");

    await user.tab(); // skip link
    expect(screen.getByRole("link", { name: "Skip to content" })).toHaveFocus();
    await user.tab(); // brand
    await user.tab(); // Overview
    await user.tab(); // Agents
    await user.tab(); // Knowledge
    await user.tab(); // Tools
    await user.tab(); // Improve (a menu: Prompts, Experiments, Evaluations)
    await user.tab(); // Conversations
    await user.tab(); // Analytics
    await user.tab(); // Health (an owner's)
    await user.tab(); // Settings
    await user.tab();
    const apiLink = screen.getByRole("link", { name: "API" });
    expect(apiLink).toHaveFocus();
    expect(nav).toContainElement(apiLink);

    await user.keyboard("{Enter}");
    expect(await screen.findByRole("heading", { level: 1, name: "API reference" })).toBeInTheDocument();
    expect(apiLink).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("link", { name: "Overview" })).not.toHaveAttribute("aria-current");
  });

  it("puts the navigation in a menu on narrow screens", async () => {
    const user = userEvent.setup();
    // A phone: every `max-width` media query matches (MUI's `down("md")`).
    vi.stubGlobal(
      "matchMedia",
      (query: string) =>
        ({
          matches: query.includes("max-width"),
          media: query,
          addEventListener: () => undefined,
          removeEventListener: () => undefined,
          addListener: () => undefined,
          removeListener: () => undefined,
          onchange: null,
          dispatchEvent: () => false,
        }) as MediaQueryList,
    );
    stubFetch((path) => jsonResponse(path === "/health" ? localHealth : openApiDocument));
    renderApp("/");
    expect(screen.queryByRole("navigation", { name: "Main" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Menu (current page: Overview)" }));
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(screen.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
    await user.click(screen.getByRole("link", { name: "API" }));

    expect(await screen.findByRole("heading", { level: 1, name: "API reference" })).toBeInTheDocument();
    await waitFor(() => expect(nav).not.toBeInTheDocument());
    expect(screen.getByRole("button", { name: "Menu (current page: API)" })).toBeInTheDocument();
  });
});
