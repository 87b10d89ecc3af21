import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform, type RecordedRequest } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import { helpCenterWidget, identitySecret, intranetWidget, widgetRoutes } from "../test/widgetFixtures";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const origin = window.location.origin;

function channelRoutes(widgets: readonly unknown[] = [helpCenterWidget, intranetWidget]) {
  return {
    ...widgetRoutes(widgets),
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk] }),
  };
}

/** The web chat widget card, once its widgets are listed. */
async function widgetCard() {
  const card = await screen.findByRole("region", { name: "Web chat widget" });
  await within(card).findByRole("button", { name: "Create widget" });
  return card;
}

/** The platform's answer to a new widget: what was asked, as it stores it. */
function createdFrom(request: RecordedRequest, secret?: string) {
  const body = request.body as { name?: string; agentId: string; allowedOrigins: string[] };
  return jsonResponse(
    {
      ...helpCenterWidget,
      id: "wgt_docs",
      key: "wk_RG9jc1dpZGdldEtleUFjbWVDb3JwMDAw",
      name: body.name ?? "Web chat",
      agentId: body.agentId,
      allowedOrigins: body.allowedOrigins,
      identityVerification: secret !== undefined,
      lastActivityAt: null,
      ...(secret ? { identitySecret: secret } : {}),
    },
    201,
  );
}

/** Puts `text` in a field at once, as pasting a list of origins does (typing it is slow in jsdom). */
async function paste(user: ReturnType<typeof userEvent.setup>, field: HTMLElement, text: string) {
  await user.click(field);
  await user.paste(text);
}

/** Opens a widget's appearance form; answers the form. */
async function openAppearance(user: ReturnType<typeof userEvent.setup>, name: string) {
  const card = await widgetCard();
  const widget = within(card).getByRole("region", { name });
  const toggle = within(widget).getByRole("button", { name: "Customize appearance" });
  expect(toggle).toHaveAttribute("aria-expanded", "false");
  await user.click(toggle);
  expect(toggle).toHaveAttribute("aria-expanded", "true");
  return within(widget).getByRole("form", { name: `Appearance of ${name}` });
}

async function openCreateDialog(user: ReturnType<typeof userEvent.setup>) {
  const card = await widgetCard();
  await user.click(within(card).getByRole("button", { name: "Create widget" }));
  return screen.findByRole("dialog", { name: "Create a web chat widget" });
}

describe("Settings: web chat widgets", () => {
  it("lists each widget with its agent, origins, key, verification, last activity and last error", async () => {
    stubPlatform(channelRoutes());
    renderApp("/settings/channels");
    const card = await widgetCard();
    expect(within(card).queryByText("Not available yet")).not.toBeInTheDocument();

    const help = within(card).getByRole("region", { name: "Help center" });
    expect(await within(help).findByRole("link", { name: "Acme HR assistant" })).toHaveAttribute(
      "href",
      "/agents/agt_hr",
    );
    expect(help).toHaveTextContent("Allowed originshttps://help.acme.examplehttp://localhost:5173");
    expect(help).toHaveTextContent(`Key${helpCenterWidget.key}`);
    expect(help).toHaveTextContent("Identity verificationOff: every visitor is anonymous");
    expect(help).toHaveTextContent("Last activity5 minutes ago");
    expect(help).toHaveTextContent("Last errorNone");
    expect(within(help).queryByRole("button", { name: /Rotate/ })).not.toBeInTheDocument();

    const intranet = within(card).getByRole("region", { name: "Intranet" });
    expect(intranet).toHaveTextContent("Identity verificationOn");
    expect(intranet).toHaveTextContent("Last activityNo conversation yet");
    expect(intranet).toHaveTextContent(
      "1 hour ago: Agent agt_hr's published version is not enabled on the widget channel (failed-precondition)",
    );
    expect(within(intranet).getByText("Last request failed")).toBeInTheDocument();
  });

  it("gives the snippet to copy, with the key and the platform's origin, and the signed variant when verification is on", async () => {
    const user = userEvent.setup();
    stubPlatform(channelRoutes());
    renderApp("/settings/channels");
    const card = await widgetCard();

    const snippet = `<script src="${origin}/widget.js" data-key="${helpCenterWidget.key}" async></script>`;
    const help = within(card).getByRole("region", { name: "Help center" });
    expect(help).toHaveTextContent(snippet);
    expect(help).not.toHaveTextContent("data-user-hash");
    await user.click(within(help).getByRole("button", { name: "Copy: Snippet for Help center" }));
    expect(await navigator.clipboard.readText()).toBe(snippet);

    const intranet = within(card).getByRole("region", { name: "Intranet" });
    expect(intranet).toHaveTextContent(
      `<script src="${origin}/widget.js" data-key="${intranetWidget.key}" data-user-id="USER_ID" data-user-hash="USER_HASH" async></script>`,
    );
    expect(intranet).toHaveTextContent('createHmac("sha256", process.env.ALCHEMIST_WIDGET_SECRET)');
    expect(intranet).toHaveTextContent('.digest("hex")');
  });

  it("creates a widget with identity verification and shows its secret once, with how to sign", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes([helpCenterWidget]),
      "POST /v1/widgets": (request) => createdFrom(request, identitySecret),
    });
    renderApp("/settings/channels");
    const dialog = await openCreateDialog(user);

    await user.type(within(dialog).getByRole("textbox", { name: "Name" }), "Docs");
    // Only published agents answer in a widget: the draft IT helpdesk is not offered.
    const agent = within(dialog).getByRole("combobox", { name: "Agent" });
    expect(
      within(agent)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["Acme HR assistant"]);
    await paste(
      user,
      within(dialog).getByRole("textbox", { name: "Allowed origins" }),
      "https://Docs.Acme.example/\nhttp://localhost:3000",
    );
    await user.click(within(dialog).getByRole("switch", { name: "Identity verification" }));
    await user.click(within(dialog).getByRole("button", { name: "Create widget" }));

    const reveal = await screen.findByRole("dialog", { name: "Identity secret of Docs" });
    expect(platform.sent("POST /v1/widgets").map((r) => r.body)).toEqual([
      {
        name: "Docs",
        agentId: "agt_hr",
        allowedOrigins: ["https://docs.acme.example", "http://localhost:3000"],
        identityVerification: true,
      },
    ]);
    expect(within(reveal).getByText(identitySecret)).toBeInTheDocument();
    expect(reveal).toHaveTextContent("You will not see this secret again.");
    expect(reveal).toHaveTextContent("the hex HMAC-SHA256 of the id");
    expect(reveal).toHaveTextContent('createHmac("sha256", process.env.ALCHEMIST_WIDGET_SECRET)');
    await user.click(within(reveal).getByRole("button", { name: "Copy: Identity secret" }));
    expect(await navigator.clipboard.readText()).toBe(identitySecret);

    await user.click(within(reveal).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.queryByText(identitySecret)).not.toBeInTheDocument();
    const docs = screen.getByRole("region", { name: "Docs" });
    expect(docs).toHaveTextContent('data-key="wk_RG9jc1dpZGdldEtleUFjbWVDb3JwMDAw"');
    expect(screen.getByText("Docs was created: copy its snippet into your site.")).toBeInTheDocument();
  });

  it("shows no secret for a widget without identity verification", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes([]),
      "POST /v1/widgets": (request) => createdFrom(request),
    });
    renderApp("/settings/channels");
    const card = await widgetCard();
    expect(card).toHaveTextContent("No widget yet.");
    const dialog = await openCreateDialog(user);
    await paste(
      user,
      within(dialog).getByRole("textbox", { name: "Allowed origins" }),
      "https://help.acme.example",
    );
    await user.click(within(dialog).getByRole("button", { name: "Create widget" }));

    expect(
      await screen.findByText("Web chat was created: copy its snippet into your site."),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    // No name typed: the platform names it.
    expect(platform.sent("POST /v1/widgets").map((r) => r.body)).toEqual([
      { agentId: "agt_hr", allowedOrigins: ["https://help.acme.example"], identityVerification: false },
    ]);
    expect(screen.getByRole("region", { name: "Web chat" })).toBeInTheDocument();
  });

  it("refuses bad origins before sending, naming each bad line", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "POST /v1/widgets": (request) => createdFrom(request),
    });
    renderApp("/settings/channels");
    const dialog = await openCreateDialog(user);
    const origins = within(dialog).getByRole("textbox", { name: "Allowed origins" });

    await paste(
      user,
      origins,
      "https://docs.acme.example\nhttp://docs.acme.example\ndocs.acme.example\nhttps://docs.acme.example/help",
    );
    await user.click(within(dialog).getByRole("button", { name: "Create widget" }));

    expect(
      within(dialog).getByText(
        "Line 2 (http://docs.acme.example): use https://; plain http:// is only for localhost and 127.0.0.1.",
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        "Line 3 (docs.acme.example): start it with https://, as in https://www.example.com.",
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        "Line 4 (https://docs.acme.example/help): only the origin, without a path: https://docs.acme.example.",
      ),
    ).toBeInTheDocument();
    expect(origins).toHaveAccessibleDescription(/Line 2 \(http:\/\/docs\.acme\.example\)/);
    expect(platform.sent("POST /v1/widgets")).toHaveLength(0);

    await user.clear(origins);
    await user.click(within(dialog).getByRole("button", { name: "Create widget" }));
    expect(within(dialog).getByText(/Add the origin of at least one site/)).toBeInTheDocument();
    expect(platform.sent("POST /v1/widgets")).toHaveLength(0);

    await paste(user, origins, "https://docs.acme.example");
    await user.click(within(dialog).getByRole("button", { name: "Create widget" }));
    await waitFor(() => expect(platform.sent("POST /v1/widgets")).toHaveLength(1));
  });

  it("says what to do when the agent does not answer on the widget channel, and shows the platform's field errors", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "POST /v1/widgets": () =>
        errorResponse(
          412,
          "failed-precondition",
          "Agent agt_hr's published version is not enabled on the widget channel: add the channel and publish",
        ),
    });
    renderApp("/settings/channels");
    const dialog = await openCreateDialog(user);
    await paste(
      user,
      within(dialog).getByRole("textbox", { name: "Allowed origins" }),
      "https://docs.acme.example",
    );
    await user.click(within(dialog).getByRole("button", { name: "Create widget" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("No widget was created");
    expect(alert).toHaveTextContent("not enabled on the widget channel: add the channel and publish");
    expect(within(dialog).getByRole("link", { name: "Open Acme HR assistant" })).toHaveAttribute(
      "href",
      "/agents/agt_hr",
    );
    expect(screen.getByRole("dialog", { name: "Create a web chat widget" })).toBeInTheDocument();

    platform.routes["POST /v1/widgets"] = () =>
      errorResponse(400, "invalid-argument", "Invalid body", {
        issues: [
          {
            path: "allowedOrigins.0",
            message: '"https://docs.acme.example" is not a site origin: https://host[:port]',
          },
        ],
      });
    await user.click(within(dialog).getByRole("button", { name: "Create widget" }));
    expect(
      await within(dialog).findByText(
        '"https://docs.acme.example" is not a site origin: https://host[:port]',
      ),
    ).toBeInTheDocument();
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("changes a widget's origins, sending only what changed", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "PATCH /v1/widgets/wgt_help": (request) =>
        jsonResponse({ ...helpCenterWidget, ...(request.body as object) }),
    });
    renderApp("/settings/channels");
    const card = await widgetCard();
    await user.click(within(card).getByRole("button", { name: "Change settings of Help center" }));
    const dialog = await screen.findByRole("dialog", { name: "Change Help center" });
    const origins = within(dialog).getByRole("textbox", { name: "Allowed origins" });
    expect(origins).toHaveValue("https://help.acme.example\nhttp://localhost:5173");
    await user.clear(origins);
    await paste(user, origins, "https://help.acme.example\nhttps://support.acme.example");
    await user.click(within(dialog).getByRole("button", { name: "Save changes" }));

    expect(await screen.findByText("Help center was saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/widgets/wgt_help").map((r) => r.body)).toEqual([
      { allowedOrigins: ["https://help.acme.example", "https://support.acme.example"] },
    ]);
    expect(await screen.findByRole("region", { name: "Help center" })).toHaveTextContent(
      "https://support.acme.example",
    );
  });

  it("follows every keystroke in the live preview: colour, title, greeting, questions and corner", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform(channelRoutes());
    renderApp("/settings/channels");
    const form = await openAppearance(user, "Help center");
    const preview = screen.getByRole("region", { name: "Live preview of Help center" });
    const launcher = () => within(preview).getByRole("img", { name: /^Chat button/ });
    expect(launcher()).toHaveAccessibleName("Chat button, bottom right");
    expect(launcher()).toHaveStyle({ backgroundColor: "#1f6feb", right: "16px" });
    expect(within(preview).getByText("Acme HR assistant")).toBeInTheDocument();
    expect(form).toHaveTextContent("No unsaved changes.");

    // Colour: typed as hex (a half-typed one keeps the last good colour), or picked.
    const hex = within(form).getByRole("textbox", { name: "Colour hex code" });
    await user.clear(hex);
    await user.type(hex, "#0a7f3");
    expect(launcher()).toHaveStyle({ backgroundColor: "#1f6feb" });
    await user.type(hex, "f");
    expect(launcher()).toHaveStyle({ backgroundColor: "#0a7f3f" });
    fireEvent.input(within(form).getByLabelText("Colour"), { target: { value: "#7a1fa2" } });
    expect(hex).toHaveValue("#7a1fa2");
    expect(launcher()).toHaveStyle({ backgroundColor: "#7a1fa2" });

    const title = within(form).getByRole("textbox", { name: "Title" });
    await user.clear(title);
    await user.type(title, "Ask HR");
    expect(within(preview).getByText("Ask HR")).toBeInTheDocument();
    expect(within(preview).queryByText("Acme HR assistant")).not.toBeInTheDocument();

    const greeting = within(form).getByRole("textbox", { name: "Greeting" });
    await user.clear(greeting);
    expect(within(preview).queryByText(/Ask me anything/)).not.toBeInTheDocument();
    await user.type(greeting, "Hello!");
    expect(within(preview).getByText("Hello!")).toBeInTheDocument();

    await user.click(within(form).getByRole("button", { name: "Add a suggested question" }));
    const second = within(form).getByRole("textbox", { name: "Suggested question 2" });
    expect(second).toHaveFocus();
    await user.type(second, "Visas?");
    const questions = within(preview).getByRole("list", { name: "Suggested questions" });
    expect(
      within(questions)
        .getAllByRole("listitem")
        .map((q) => q.textContent),
    ).toEqual(["How many vacation days do I get?", "Visas?"]);
    await user.click(within(form).getByRole("button", { name: "Remove suggested question 1" }));
    expect(
      within(questions)
        .getAllByRole("listitem")
        .map((q) => q.textContent),
    ).toEqual(["Visas?"]);

    await user.click(within(form).getByRole("radio", { name: "Bottom left" }));
    expect(launcher()).toHaveAccessibleName("Chat button, bottom left");
    expect(launcher()).toHaveStyle({ left: "16px" });
    expect(form).not.toHaveTextContent("No unsaved changes.");
    // Nothing is sent until the admin saves.
    expect(platform.sent("PATCH /v1/widgets/wgt_help")).toHaveLength(0);
  });

  it("saves the whole theme with PATCH", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "PATCH /v1/widgets/wgt_help": (request) =>
        jsonResponse({
          ...helpCenterWidget,
          ...(request.body as object),
          updatedAt: new Date().toISOString(),
        }),
    });
    renderApp("/settings/channels");
    const form = await openAppearance(user, "Help center");

    const title = within(form).getByRole("textbox", { name: "Title" });
    await user.clear(title);
    await paste(user, title, "  Ask Acme HR ");
    const hex = within(form).getByRole("textbox", { name: "Colour hex code" });
    await user.clear(hex);
    await paste(user, hex, "#0A7F3F");
    await user.click(within(form).getByRole("button", { name: "Add a suggested question" }));
    await paste(
      user,
      within(form).getByRole("textbox", { name: "Suggested question 2" }),
      "Can I work from abroad?",
    );
    // An empty line is left out rather than refused.
    await user.click(within(form).getByRole("button", { name: "Add a suggested question" }));
    await user.click(within(form).getByRole("radio", { name: "Bottom left" }));
    await user.click(within(form).getByRole("button", { name: "Save appearance" }));

    expect(
      await within(form).findByText(
        "Saved: sites that embed Help center show its new look from their next page load.",
      ),
    ).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/widgets/wgt_help").map((r) => r.body)).toEqual([
      {
        theme: {
          color: "#0a7f3f",
          title: "Ask Acme HR",
          greeting: "Hi! Ask me anything about our documentation.",
          suggestedQuestions: ["How many vacation days do I get?", "Can I work from abroad?"],
          position: "bottom-left",
        },
      },
    ]);
    expect(form).toHaveTextContent("No unsaved changes.");
    expect(within(form).getByRole("textbox", { name: "Title" })).toHaveValue("Ask Acme HR");
  });

  it("checks the theme before saving, and asks before hiding unsaved changes", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform(channelRoutes());
    renderApp("/settings/channels");
    const form = await openAppearance(user, "Help center");
    const help = screen.getByRole("region", { name: "Help center" });

    await user.clear(within(form).getByRole("textbox", { name: "Colour hex code" }));
    await paste(user, within(form).getByRole("textbox", { name: "Colour hex code" }), "teal");
    await user.clear(within(form).getByRole("textbox", { name: "Title" }));
    await user.click(within(form).getByRole("button", { name: "Save appearance" }));
    expect(within(form).getByRole("textbox", { name: "Colour hex code" })).toHaveAccessibleDescription(
      "A colour as # and six hexadecimal digits, such as #1f6feb.",
    );
    expect(within(form).getByRole("textbox", { name: "Title" })).toHaveAccessibleDescription(
      "Give the chat window a title, such as your product's name.",
    );
    expect(platform.sent("PATCH /v1/widgets/wgt_help")).toHaveLength(0);

    await user.click(within(help).getByRole("button", { name: "Hide appearance" }));
    const discard = await screen.findByRole("dialog", { name: "Discard the changes to the appearance?" });
    await user.click(within(discard).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(within(help).getByRole("form", { name: "Appearance of Help center" })).toBeInTheDocument();
    await user.click(within(help).getByRole("button", { name: "Hide appearance" }));
    await user.click(
      within(await screen.findByRole("dialog", { name: /Discard/ })).getByRole("button", {
        name: "Discard changes",
      }),
    );
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(within(help).queryByRole("form")).not.toBeInTheDocument();
    expect(within(help).getByRole("button", { name: "Customize appearance" })).toBeInTheDocument();
  });

  it("deletes a widget only once its name is typed, saying its key stops working everywhere", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "DELETE /v1/widgets/wgt_help": () => new Response(null, { status: 204 }),
    });
    renderApp("/settings/channels");
    const card = await widgetCard();
    await user.click(within(card).getByRole("button", { name: "Delete Help center" }));

    const dialog = await screen.findByRole("dialog", { name: "Delete Help center?" });
    expect(dialog).toHaveTextContent(
      `Its key (${helpCenterWidget.key}) stops working at once on every site that embeds it`,
    );
    const confirm = within(dialog).getByRole("button", { name: "Delete widget" });
    expect(confirm).toBeDisabled();
    await user.type(
      within(dialog).getByRole("textbox", { name: "Type Help center to confirm" }),
      "Help center",
    );
    expect(platform.sent("DELETE /v1/widgets/wgt_help")).toHaveLength(0);
    await user.click(confirm);

    expect(
      await screen.findByText("Help center was deleted: its key no longer works on any site."),
    ).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/widgets/wgt_help")).toHaveLength(1);
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(within(card).queryByRole("region", { name: "Help center" })).not.toBeInTheDocument();
    expect(within(card).getByRole("region", { name: "Intranet" })).toBeInTheDocument();
  });

  it("rotates the identity secret after asking, and shows the new one once", async () => {
    const user = userEvent.setup();
    const rotated = "wis_bmV3U2VjcmV0QWZ0ZXJSb3RhdGlvbkZvckludHJhbmV0";
    const platform = stubPlatform({
      ...channelRoutes(),
      "PATCH /v1/widgets/wgt_intranet": () => jsonResponse({ ...intranetWidget, identitySecret: rotated }),
    });
    renderApp("/settings/channels");
    const card = await widgetCard();
    await user.click(within(card).getByRole("button", { name: "Rotate the identity secret of Intranet" }));

    const confirm = await screen.findByRole("dialog", { name: "Rotate the identity secret of Intranet?" });
    expect(confirm).toHaveTextContent("A new secret replaces the current one at once");
    await user.click(within(confirm).getByRole("button", { name: "Rotate secret" }));

    const reveal = await screen.findByRole("dialog", { name: "Identity secret of Intranet" });
    expect(within(reveal).getByText(rotated)).toBeInTheDocument();
    expect(reveal).toHaveTextContent("The previous secret no longer works");
    expect(platform.sent("PATCH /v1/widgets/wgt_intranet").map((r) => r.body)).toEqual([
      { rotateIdentitySecret: true },
    ]);
  });

  it("says why the widgets did not load, with a way to try again", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "GET /v1/widgets": () => errorResponse(503, "unavailable", "The platform is restarting"),
    });
    renderApp("/settings/channels");
    const card = await screen.findByRole("region", { name: "Web chat widget" });
    const alert = await within(card).findByRole("alert");
    expect(alert).toHaveTextContent("The platform is restarting");

    platform.routes["GET /v1/widgets"] = () => jsonResponse({ widgets: [helpCenterWidget] });
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await within(card).findByRole("region", { name: "Help center" })).toBeInTheDocument();
  });

  it.each(["viewer", "editor"] as const)(
    "shows a %s what the widget does and who sets it up, with no controls and no widget request",
    async (role) => {
      signInAs(
        annSession({
          accountId: "acc_dana",
          email: "dana@acme.example",
          role,
          workspaces: [{ tenantId: "acme", name: "Acme Corp", role }],
        }),
      );
      const platform = stubPlatform(channelRoutes());
      renderApp("/settings/channels");

      const card = await screen.findByRole("region", { name: "Web chat widget" });
      expect(card).toHaveTextContent("Admins and owners of this workspace create widgets");
      expect(within(card).queryAllByRole("button")).toEqual([]);
      expect(within(card).queryByRole("textbox")).not.toBeInTheDocument();
      expect(within(card).queryByText(helpCenterWidget.key)).not.toBeInTheDocument();
      await screen.findByRole("region", { name: "REST API" });
      expect(platform.requests.filter((r) => r.path.startsWith("/v1/widgets"))).toEqual([]);
    },
  );
});
