import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform, type PlatformRoute } from "../test/platformFetch";
import { hrPrompt, hrPromptVersions, travelPrompt } from "../test/promptFixtures";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function platformWith(extra: Record<string, PlatformRoute> = {}) {
  return stubPlatform({
    "GET /v1/prompts": () => jsonResponse({ prompts: [hrPrompt, travelPrompt] }),
    "GET /v1/prompts/prm_hr": () => jsonResponse({ ...hrPrompt, latest: hrPromptVersions[0] }),
    "GET /v1/prompts/prm_hr/versions": () => jsonResponse({ versions: hrPromptVersions, nextBefore: null }),
    ...extra,
  });
}

function signInAsViewer() {
  signInAs(
    annSession({ role: "viewer", workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "viewer" }] }),
  );
}

describe("Prompts: the list", { timeout: 30_000 }, () => {
  it("lists templates with their labels, and is in everyone's navigation", async () => {
    signInAsViewer();
    platformWith();
    renderApp("/prompts");
    const table = await screen.findByRole("table", { name: "Prompt templates" });
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent(/HR assistant instructions.*production → v2staging → v3/);
    expect(rows[2]).toHaveTextContent(/Travel desk.*No labels/);
    const nav = screen.getByRole("navigation", { name: "Main" });
    const improve = within(nav).getByRole("button", { name: "Improve" });
    expect(improve).toHaveClass("active");
    await userEvent.setup().click(improve);
    const menu = await screen.findByRole("menu");
    expect(within(menu).getByRole("menuitem", { name: "Prompts" })).toHaveAttribute("href", "/prompts");
    expect(within(menu).getByRole("menuitem", { name: "Prompts" })).toHaveAttribute("aria-current", "page");
    expect(within(menu).getByRole("menuitem", { name: "Experiments" })).toHaveAttribute(
      "href",
      "/experiments",
    );
    // Evaluations hold end users' questions: not a viewer's.
    expect(within(menu).queryByRole("menuitem", { name: "Evaluations" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Create template" })).not.toBeInTheDocument();
  });

  it("creates a template with its placeholders declared, then opens it", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/prompts": () => jsonResponse({ ...hrPrompt, id: "prm_hr" }, 201),
    });
    renderApp("/prompts");
    await user.click(await screen.findByRole("button", { name: "Create template" }));
    const dialog = await screen.findByRole("dialog", { name: "Create a prompt template" });
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(within(dialog).getByText("Give the template a name.")).toBeInTheDocument();
    await user.type(within(dialog).getByRole("textbox", { name: "Name" }), "Greeting");
    await user.type(
      within(dialog).getByRole("textbox", { name: "Text" }),
      "Hello {{{{name}}, from {{{{ company }}",
    );
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(
      await screen.findByRole("heading", { level: 1, name: "HR assistant instructions" }),
    ).toBeInTheDocument();
    const body = platform.sent("POST /v1/prompts")[0]?.body as {
      variables: { name: string }[];
      text: string;
    };
    expect(body.text).toBe("Hello {{name}}, from {{ company }}");
    expect(body.variables.map((v) => v.name)).toEqual(["name", "company"]);
  });
});

describe("Prompts: a template", { timeout: 30_000 }, () => {
  it("flags an undeclared placeholder before saving, and declares it on request", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/prompts/prm_hr/versions": () =>
        jsonResponse(
          { ...hrPromptVersions[0], version: 4, labels: hrPrompt.labels, warnings: [], unchanged: false },
          201,
        ),
    });
    renderApp("/prompts/prm_hr");
    const text = await screen.findByRole("textbox", { name: "Text" });
    await user.clear(text);
    await user.type(text, "Hi {{{{company}}. Sign as {{{{signature}}.");
    const hints = screen.getByRole("group", { name: "Placeholders" });
    expect(within(hints).getByText("{{company}} declared")).toBeInTheDocument();
    expect(within(hints).getByText("{{signature}} not declared")).toBeInTheDocument();
    expect(within(hints).getByText("Declared but not used in the text: tone.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Save as version 4" }));
    expect(
      screen.getByText(
        "The text uses {{signature}}, which is not declared. Declare it below, or remove it from the text.",
        { selector: "p" },
      ),
    ).toBeInTheDocument();
    expect(platform.sent("POST /v1/prompts/prm_hr/versions")).toEqual([]);

    await user.click(within(hints).getByRole("button", { name: "Declare {{signature}}" }));
    expect(screen.getByRole("group", { name: "Variable signature" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save as version 4" }));
    expect(await screen.findByText("Saved as version 4.")).toBeInTheDocument();
    const sent = platform.sent("POST /v1/prompts/prm_hr/versions")[0]?.body as {
      baseVersion: number;
      variables: { name: string; type: string }[];
    };
    expect(sent.baseVersion).toBe(3);
    expect(sent.variables.map((v) => [v.name, v.type])).toEqual([
      ["company", "string"],
      ["tone", "enum"],
      ["signature", "string"],
    ]);
  });

  it("shows the platform's refusal on the field it names", async () => {
    const user = userEvent.setup();
    platformWith({
      "POST /v1/prompts/prm_hr/versions": () =>
        errorResponse(
          400,
          "invalid-argument",
          'The version cannot be saved: variable "tone": its default must be one of "friendly", "formal", got "warm"',
          {
            issues: [
              {
                path: "variables.1.default",
                variable: "tone",
                message: 'variable "tone": its default must be one of "friendly", "formal", got "warm"',
              },
            ],
          },
        ),
    });
    renderApp("/prompts/prm_hr");
    const text = await screen.findByRole("textbox", { name: "Text" });
    await user.type(text, "\nBe brief.");
    await user.click(screen.getByRole("button", { name: "Save as version 4" }));
    const tone = await screen.findByRole("group", { name: "Variable tone" });
    expect(
      await within(tone).findByText(
        'variable "tone": its default must be one of "friendly", "formal", got "warm"',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/The platform refused version 4; the fields it named are marked./),
    ).toBeInTheDocument();
  });

  it("compares any two versions, unified or side by side", async () => {
    const user = userEvent.setup();
    platformWith();
    renderApp("/prompts/prm_hr");
    const compare = await screen.findByRole("region", { name: "Compare versions" });
    expect(within(compare).getByRole("status")).toHaveTextContent(
      "Version 3 adds 1 line and removes 1 from version 2.",
    );
    const unified = within(compare).getByRole("group", { name: /Text, version 2 to version 3/ });
    expect(unified.querySelector("del")).toHaveTextContent("Answer in a {{tone}} tone.");
    expect(unified.querySelector("ins")).toHaveTextContent(
      "Answer in a {{tone}} tone, in at most three sentences.",
    );

    await user.click(within(compare).getByRole("combobox", { name: "From" }));
    await user.click(await screen.findByRole("option", { name: "Version 1" }));
    expect(within(compare).getByText("tone")).toBeInTheDocument();
    expect(within(compare).getByText(/added \(enum, required\)/)).toBeInTheDocument();

    await user.click(within(compare).getByRole("button", { name: "Side by side" }));
    const split = within(compare).getByRole("table", {
      name: "Text of version 1 and version 3, side by side",
    });
    const [, first, added, last] = within(split).getAllByRole("row");
    expect(first).toHaveTextContent(
      /^1You are the HR assistant of \{\{company\}\}\. 1You are the HR assistant/,
    );
    expect(added?.querySelector("ins")).toHaveTextContent(
      "Answer in a {{tone}} tone, in at most three sentences.",
    );
    expect(added?.querySelector("del")).toBeNull();
    expect(last).toHaveTextContent(
      /^2Cite the handbook for every claim\. 3Cite the handbook for every claim\.$/,
    );
  });

  it("moves a label after confirming what agents will use, and rolls production back", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "PUT /v1/prompts/prm_hr/labels/production": () =>
        jsonResponse({ ...hrPrompt, labels: { production: 3, staging: 3 } }),
      "POST /v1/prompts/prm_hr/rollback": () =>
        jsonResponse({ ...hrPrompt, labels: { production: 1, staging: 3 } }),
    });
    renderApp("/prompts/prm_hr");
    await user.click(await screen.findByRole("button", { name: "Make production: version 3" }));
    const dialog = await screen.findByRole("dialog", { name: "Move “production” to version 3?" });
    expect(dialog).toHaveTextContent(
      "“production” points at version 2 now. Agents and experiments that use “production” will use version 3 from their next answer.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Move label" }));
    expect(await screen.findByText("“production” now points at version 3.")).toBeInTheDocument();
    expect(platform.sent("PUT /v1/prompts/prm_hr/labels/production")[0]?.body).toEqual({ version: 3 });

    await user.click(await screen.findByRole("button", { name: "Roll back production to version 1" }));
    const rollback = await screen.findByRole("dialog", { name: "Roll production back to version 1?" });
    await user.click(within(rollback).getByRole("button", { name: "Roll back" }));
    expect(await screen.findByText("Production rolled back to version 1.")).toBeInTheDocument();
    expect(platform.sent("POST /v1/prompts/prm_hr/rollback")[0]?.body).toEqual({
      label: "production",
      version: 1,
    });
  });

  it("renders a preview with the values typed, and shows a missing required value as refused", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/prompts/prm_hr/render": (request) => {
        const body = request.body as { variables: Record<string, unknown> };
        return body.variables.company === undefined
          ? errorResponse(
              400,
              "invalid-argument",
              'Cannot render prompt template prm_hr version 2: variable "company" is required by prompt template prm_hr version 2 and has no default: give it a value',
            )
          : jsonResponse({
              templateId: "prm_hr",
              version: 2,
              label: "production",
              text: "You are the HR assistant of Acme.\nAnswer in a formal tone.",
            });
      },
    });
    renderApp("/prompts/prm_hr");
    const preview = await screen.findByRole("region", { name: "Preview" });
    await user.click(within(preview).getByRole("button", { name: "Render preview" }));
    expect(await within(preview).findByText(/variable "company" is required/)).toBeInTheDocument();

    await user.type(within(preview).getByRole("textbox", { name: "company" }), "Acme");
    await user.click(within(preview).getByRole("combobox", { name: "tone" }));
    await user.click(await screen.findByRole("option", { name: "formal" }));
    await user.click(within(preview).getByRole("button", { name: "Render preview" }));
    expect(await within(preview).findByRole("status", { name: "Rendered text" })).toHaveTextContent(
      "You are the HR assistant of Acme. Answer in a formal tone.",
    );
    expect(platform.sent("POST /v1/prompts/prm_hr/render").at(-1)?.body).toEqual({
      label: "production",
      variables: { company: "Acme", tone: "formal" },
    });
  });

  it("shows a viewer the newest version, without editing or label actions", async () => {
    signInAsViewer();
    platformWith();
    renderApp("/prompts/prm_hr");
    expect(await screen.findByRole("heading", { level: 2, name: "Newest version" })).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: "Text" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Set label/ })).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("table", { name: "Versions" })).toBeInTheDocument());
  });

  it("deletes a template after a confirmation, showing the platform's refusal first", async () => {
    const user = userEvent.setup();
    let refuse = true;
    const platform = platformWith({
      "DELETE /v1/prompts/prm_hr": () => {
        if (!refuse) return new Response(null, { status: 204 });
        refuse = false;
        return errorResponse(403, "permission-denied", "Your role (viewer) does not allow agents.manage");
      },
    });
    renderApp("/prompts/prm_hr");
    await user.click(await screen.findByRole("button", { name: "Delete template…" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete “HR assistant instructions”?" });
    expect(dialog).toHaveTextContent("Agent versions already published keep the version of it they pinned");
    await user.click(within(dialog).getByRole("button", { name: "Delete template" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The template was not deleted");
    expect(alert).toHaveTextContent("Your role (viewer) does not allow agents.manage");

    await user.click(within(dialog).getByRole("button", { name: "Delete template" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Prompts" })).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/prompts/prm_hr")).toHaveLength(2);
  });

  it("offers a viewer no delete", async () => {
    signInAsViewer();
    platformWith();
    renderApp("/prompts/prm_hr");
    expect(await screen.findByRole("heading", { level: 2, name: "Newest version" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete template…" })).not.toBeInTheDocument();
  });

  it("says when the workspace has no such template", async () => {
    platformWith({
      "GET /v1/prompts/prm_gone": () => errorResponse(404, "not-found", "Prompt template prm_gone not found"),
      "GET /v1/prompts/prm_gone/versions": () =>
        errorResponse(404, "not-found", "Prompt template prm_gone not found"),
    });
    renderApp("/prompts/prm_gone");
    expect(
      await screen.findByText(/This workspace has no prompt template with the id prm_gone/),
    ).toBeInTheDocument();
  });
});
