import { act, cleanup, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { localHealth } from "../test/fixtures";
import { connectionRefused, jsonResponse, stubFetch } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { pageRequests } from "../test/environmentFixtures";
import { signInAs } from "../test/session";

/** The paths of the requests `fetch` was called with, without the shell's once-per-session questions. */
const pageRequestsOf = (calls: readonly (readonly unknown[])[]) =>
  pageRequests(calls.map(([input]) => ({ path: new URL(String(input), window.location.origin).pathname })));

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/**
 * Fakes the refresh timer. The fake clock still follows the real one, because Testing Library's async
 * queries wait on `setTimeout(0)` between checks; `advanceTimersByTimeAsync` then jumps ahead.
 */
function fakeTimeouts() {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"], shouldAdvanceTime: true });
}

function healthCard() {
  return screen.getByRole("region", { name: "Platform health" });
}

describe("Overview", () => {
  it("shows the platform's status, run mode, version, checks and models", async () => {
    stubFetch((path) => (path === "/health" ? jsonResponse(localHealth) : jsonResponse({}, 404)));
    renderApp("/");

    expect(screen.getByRole("heading", { level: 1, name: "Alchemist" })).toBeInTheDocument();
    const checks = await screen.findByRole("table", { name: "Checks" });
    const card = healthCard();
    expect(within(card).getByText("Local (one Node process, embedded store)")).toBeInTheDocument();
    expect(within(card).getByText("0.1.0")).toBeInTheDocument();

    const docStore = within(checks).getByRole("row", { name: /docStore/ });
    expect(within(docStore).getByText("SQLite at emulator-data/local/alchemist.db")).toBeInTheDocument();
    expect(within(docStore).getByText("OK")).toBeInTheDocument();
    expect(within(docStore).getByText("2 ms")).toBeInTheDocument();
    expect(within(within(checks).getByRole("row", { name: /chatModel/ })).getByText("—")).toBeInTheDocument();

    expect(
      within(card).getByText("Local extractive responder (quotes retrieved passages)"),
    ).toBeInTheDocument();
    expect(within(card).getByText(/not a generative model/)).toBeInTheDocument();
    expect(within(card).getByText("local-hash · hash-256 · 256 dimensions")).toBeInTheDocument();
    // A platform older than the reranker sends none: the studio says there is none.
    expect(within(card).getByText("None")).toBeInTheDocument();
  });

  it("names the local models of an instance with LOCAL_MODELS_DIR, and says what each one is", async () => {
    const withModels = {
      ...localHealth,
      models: {
        ...localHealth.models,
        embedder: {
          provider: "local-onnx",
          model: "bge-small-en",
          dimensions: 384,
          label: "bge-small-en (local ONNX embedder, 384 dimensions)",
        },
        reranker: {
          provider: "local-onnx",
          model: "ms-marco-MiniLM",
          label: "ms-marco-MiniLM (local ONNX cross-encoder)",
        },
      },
    };
    stubFetch((path) => (path === "/health" ? jsonResponse(withModels) : jsonResponse({}, 404)));
    renderApp("/");

    await screen.findByRole("table", { name: "Checks" });
    const card = healthCard();
    expect(within(card).getByText("local-onnx · bge-small-en · 384 dimensions")).toBeInTheDocument();
    expect(
      within(card).getByText(/neural embedding model from this instance's LOCAL_MODELS_DIR/),
    ).toBeInTheDocument();
    expect(within(card).getByText("ms-marco-MiniLM (local ONNX cross-encoder)")).toBeInTheDocument();
    expect(within(card).getByText(/reorders the best 20 search results/)).toBeInTheDocument();
  });

  it("treats a malformed reranker in the health report as an invalid report", async () => {
    const bad = { ...localHealth, models: { ...localHealth.models, reranker: { provider: 3 } } };
    stubFetch(() => jsonResponse(bad));
    renderApp("/");
    expect(await screen.findByRole("alert")).toHaveTextContent(/not a health report \(models.reranker\)/);
  });

  it("shows a 'down' report answered with HTTP 503 as health, not as a failed request", async () => {
    const down = {
      ...localHealth,
      status: "down",
      checks: { docStore: { status: "down", detail: "SQLITE_CANTOPEN: unable to open database file" } },
    };
    stubFetch(() => jsonResponse(down, 503));
    renderApp("/");

    expect(await screen.findByText("SQLITE_CANTOPEN: unable to open database file")).toBeInTheDocument();
    expect(within(healthCard()).getAllByText("Down")).toHaveLength(2);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says it cannot reach the platform, offers Retry, and recovers when Retry succeeds", async () => {
    const user = userEvent.setup();
    const fetchMock = stubFetch(connectionRefused);
    renderApp("/");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(`Cannot reach the platform at ${window.location.origin}`);
    expect(alert).toHaveTextContent("npm start");

    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse(localHealth)));
    await user.click(within(alert).getByRole("button", { name: "Retry" }));

    expect(await screen.findByRole("table", { name: "Checks" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("tells a platform that is not running apart from one that answers with an error", async () => {
    // What `vite dev` and `vite preview` answer when nothing listens on the runtime's port.
    const fetchMock = stubFetch(() => new Response("", { status: 502 }));
    renderApp("/");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Is the runtime running? Locally, start it with npm start.",
    );
    cleanup();

    fetchMock.mockImplementation(() =>
      Promise.resolve(jsonResponse({ error: { code: "internal", message: "The store is locked" } }, 500)),
    );
    renderApp("/");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("GET /health answered HTTP 500: The store is locked");
    expect(alert).not.toHaveTextContent("npm start");
  });

  it("treats a page that is not a health report (a misrouted SPA fallback) as an error", async () => {
    stubFetch(
      () =>
        new Response("<!doctype html><title>Alchemist</title>", { headers: { "Content-Type": "text/html" } }),
    );
    renderApp("/");

    expect(await screen.findByRole("alert")).toHaveTextContent("GET /health did not answer with JSON.");
  });

  it("refreshes the health every 10 seconds", async () => {
    fakeTimeouts();
    const fetchMock = stubFetch(() => jsonResponse(localHealth));
    // The shell's once-per-session questions aside.
    const healthChecks = () => pageRequestsOf(fetchMock.mock.calls).length;
    renderApp("/");
    await screen.findByRole("table", { name: "Checks" });
    expect(healthChecks()).toBe(1);

    fetchMock.mockImplementation(() => Promise.resolve(jsonResponse({ ...localHealth, status: "degraded" })));
    await act(() => vi.advanceTimersByTimeAsync(9_000));
    expect(healthChecks()).toBe(1);
    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(healthChecks()).toBe(2);
    expect(await within(healthCard()).findByText("Degraded")).toBeInTheDocument();
  });

  it("keeps the last report on screen, marked stale, when a refresh fails", async () => {
    fakeTimeouts();
    const fetchMock = stubFetch(() => jsonResponse(localHealth));
    renderApp("/");
    await screen.findByRole("table", { name: "Checks" });

    fetchMock.mockImplementation(connectionRefused);
    await act(() => vi.advanceTimersByTimeAsync(10_000));

    expect(await screen.findByRole("alert")).toHaveTextContent(/Showing what it reported at/);
    expect(screen.getByRole("table", { name: "Checks" })).toBeInTheDocument();
  });

  it("shows the curl commands with this page's origin and where the API key comes from", async () => {
    stubFetch(() => jsonResponse(localHealth));
    renderApp("/");

    const getStarted = screen.getByRole("region", { name: "Get started" });
    expect(getStarted).toHaveTextContent("emulator-data/local/credentials.json");
    expect(getStarted).toHaveTextContent(`curl -X POST ${window.location.origin}/v1/knowledge-bases`);
    expect(getStarted).toHaveTextContent('-H "Authorization: Bearer $ALCHEMIST_API_KEY"');
    expect(within(getStarted).getByRole("heading", { name: "3. Ask an agent" })).toBeInTheDocument();
    await screen.findByRole("table", { name: "Checks" });
  });
});
