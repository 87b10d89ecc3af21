import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";
import { billingKey, billingToolSet } from "../test/toolFixtures";
// Compiled with the test file: the lazy routes' first load would otherwise count against the first test's time.
import "./tools";
import "./tool-set";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const specUrl = "https://billing.acme.example/v2/openapi.yaml";
const fetchedToolSet = {
  ...billingToolSet,
  id: "ts_new",
  source: { ...billingToolSet.source, url: specUrl },
};

function platformWithTools(overrides: Parameters<typeof stubPlatform>[0] = {}) {
  return stubPlatform({
    "GET /v1/tool-sets": () => jsonResponse({ toolSets: [billingToolSet] }),
    "GET /v1/tool-credentials": () => jsonResponse({ credentials: [billingKey] }),
    ...overrides,
  });
}

async function openImportByUrl() {
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name: "Import OpenAPI" }));
  const dialog = await screen.findByRole("dialog", { name: "Import an OpenAPI document" });
  await user.click(within(dialog).getByRole("radio", { name: "Its URL" }));
  expect(within(dialog).queryByRole("textbox", { name: "Or paste the document" })).not.toBeInTheDocument();
  return { user, dialog, url: within(dialog).getByRole("textbox", { name: "Document URL" }) };
}

describe("Tools: importing from a URL", { timeout: 30_000 }, () => {
  it("sends the URL instead of a document and opens the tool set, which says where it came from", async () => {
    const platform = platformWithTools({
      "POST /v1/tool-sets/import": () => jsonResponse({ ...fetchedToolSet, warnings: [] }, 201),
      "GET /v1/tool-sets/ts_new": () => jsonResponse(fetchedToolSet),
    });
    renderApp("/tools");

    const { user, dialog, url } = await openImportByUrl();
    await user.click(url);
    await user.paste(specUrl);
    await user.click(within(dialog).getByRole("radio", { name: /The reads/ }));
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Acme Billing API" })).toBeInTheDocument();
    expect(
      screen.getByText(new RegExp(`Imported from Acme Billing API \\(OpenAPI 3\\.1\\.0\\) at ${specUrl}`)),
    ).toBeInTheDocument();
    expect(platform.sent("POST /v1/tool-sets/import").map((r) => r.body)).toEqual([
      { url: specUrl, enable: "read" },
    ]);
  });

  it("asks for an http(s) URL before sending anything", async () => {
    const platform = platformWithTools();
    renderApp("/tools");

    const { user, dialog, url } = await openImportByUrl();
    await user.click(within(dialog).getByRole("button", { name: "Import" }));
    expect(url).toHaveAccessibleDescription("Give the document's URL, or upload the document instead.");
    await user.click(url);
    await user.paste("ftp://files.acme.example/openapi.yaml");
    await user.click(within(dialog).getByRole("button", { name: "Import" }));
    expect(url).toHaveAccessibleDescription(/An http:\/\/ or https:\/\/ address/);
    expect(platform.sent("POST /v1/tool-sets/import")).toHaveLength(0);
  });

  it("shows why the platform could not fetch it under the field, and keeps the dialog open", async () => {
    const refusal =
      "The URL cannot be fetched: 10.0.0.12 is a private network address (10.0.0.0/8); only public internet hosts may be called";
    platformWithTools({
      "POST /v1/tool-sets/import": () =>
        errorResponse(400, "invalid-argument", refusal, { issues: [{ path: "url", message: refusal }] }),
    });
    renderApp("/tools");

    const { user, dialog, url } = await openImportByUrl();
    await user.click(url);
    await user.paste("http://10.0.0.12/openapi.yaml");
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The document was not imported");
    expect(url).toHaveAccessibleDescription(refusal);
    expect(url).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("dialog", { name: "Import an OpenAPI document" })).toBeInTheDocument();
  });
});
