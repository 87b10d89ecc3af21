import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform, type RecordedRequest } from "../test/platformFetch";
import { workspaceProfile } from "../test/environmentFixtures";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import {
  salesLine,
  supportLine,
  whatsAppConnectionList,
  whatsAppRoutes,
  whatsAppSecrets,
} from "../test/whatsappFixtures";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const travelDesk = { ...hrAssistant, id: "agt_travel", name: "Travel desk" };
const origin = window.location.origin;

function channelRoutes() {
  return {
    ...whatsAppRoutes(),
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk, travelDesk] }),
  };
}

/** The WhatsApp card, once its numbers are listed. */
async function whatsAppCard() {
  const card = await screen.findByRole("region", { name: "WhatsApp Business" });
  await within(card).findByRole("button", { name: "Connect a number" });
  return card;
}

const connection = (name: string) => screen.getByRole("article", { name });

/** Every value an input on the page holds: password fields show theirs nowhere else. */
const inputValues = () => Array.from(document.querySelectorAll("input")).map((input) => input.value);

async function fillConnectForm(
  user: ReturnType<typeof userEvent.setup>,
  form: HTMLElement,
  values: Partial<Record<string, string>>,
) {
  for (const [label, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const field = within(form).getByLabelText(label);
    // Pasted, as ids and secrets copied from Meta's dashboard are.
    await user.clear(field);
    await user.paste(value);
  }
}

describe("Settings: WhatsApp numbers", () => {
  it("says WhatsApp is turned off when the platform operator turned it off, and connects nothing", async () => {
    stubPlatform({
      ...channelRoutes(),
      "GET /v1/workspace": () =>
        jsonResponse(workspaceProfile({ features: { ...workspaceProfile().features, whatsapp: false } })),
    });
    renderApp("/settings/channels");
    const card = await screen.findByRole("region", { name: "WhatsApp Business" });
    expect(await within(card).findByText(/WhatsApp is turned off for this workspace/)).toBeInTheDocument();
    expect(await within(card).findByRole("button", { name: "Connect a number" })).toBeDisabled();
    // The numbers connected before stay listed.
    expect(connection("Support line")).toBeInTheDocument();
  });

  it("lists each number with its ids, agent, template, documents, webhook URL, last activity and last error", async () => {
    const user = userEvent.setup();
    stubPlatform(channelRoutes());
    renderApp("/settings/channels");
    await whatsAppCard();

    const support = connection("Support line");
    expect(support).toHaveTextContent("Phone number ID106540352242922");
    expect(support).toHaveTextContent("WhatsApp Business Account ID102290129340398");
    expect(await within(support).findByRole("link", { name: "Acme HR assistant" })).toHaveAttribute(
      "href",
      "/agents/agt_hr",
    );
    expect(support).toHaveTextContent("Template after 24 hoursNone: late replies are not sent");
    expect(support).toHaveTextContent(`Webhook URL${origin}/webhooks/whatsapp/wac_support`);
    expect(support).toHaveTextContent("Last activity12 minutes ago");
    expect(support).toHaveTextContent("Documents from 2 numbers go to Acme Corp employee handbook");
    expect(within(support).getByRole("link", { name: "Acme Corp employee handbook" })).toHaveAttribute(
      "href",
      "/knowledge/kb_handbook",
    );
    const failure = within(support).getByRole("alert");
    expect(failure).toHaveTextContent("Last error, 45 minutes ago");
    expect(failure).toHaveTextContent("131047: More than 24 hours have passed since the customer last wrote");

    await user.click(within(support).getByRole("button", { name: "Copy: webhook URL of Support line" }));
    expect(await navigator.clipboard.readText()).toBe(`${origin}/webhooks/whatsapp/wac_support`);

    const sales = connection("Sales line");
    expect(sales).toHaveTextContent("follow_up (en_US)");
    expect(sales).toHaveTextContent("Last activityNo message yet");
    expect(sales).not.toHaveTextContent("Documents from");
    expect(within(sales).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("connects a number, shows Meta's setup steps, and never shows its secrets again", async () => {
    const user = userEvent.setup();
    const created = {
      ...salesLine,
      id: "wac_eu",
      label: "Support EU",
      phoneNumberId: "120394857601234",
      webhookPath: "/webhooks/whatsapp/wac_eu",
    };
    const platform = stubPlatform({
      ...channelRoutes(),
      "POST /v1/whatsapp/connections": () => jsonResponse(created, 201),
    });
    renderApp("/settings/channels");
    const card = await whatsAppCard();

    await user.click(within(card).getByRole("button", { name: "Connect a number" }));
    const form = await screen.findByRole("dialog", { name: "Connect a WhatsApp number" });
    expect(form).toHaveTextContent("never shows them again");
    // Only published agents answer on a number: the draft IT helpdesk is not offered.
    await within(form).findByRole("option", { name: "Travel desk" });
    expect(within(form).queryByRole("option", { name: "IT helpdesk" })).not.toBeInTheDocument();
    await fillConnectForm(user, form, {
      Label: "Support EU",
      "Phone number ID": "120394857601234",
      "WhatsApp Business Account ID": "102290129340398",
      "Access token": whatsAppSecrets.accessToken,
      "App secret": whatsAppSecrets.appSecret,
      "Verify token": whatsAppSecrets.verifyToken,
      "Template name": "follow_up",
      "Template language": "en_US",
    });
    await user.selectOptions(within(form).getByRole("combobox", { name: "Agent" }), "agt_hr");
    expect(within(form).getByLabelText("Access token")).toHaveAttribute("type", "password");
    await user.click(within(form).getByRole("button", { name: "Connect number" }));

    const steps = await screen.findByRole("dialog", { name: "Support EU is connected" });
    expect(platform.sent("POST /v1/whatsapp/connections").map((r) => r.body)).toEqual([
      {
        label: "Support EU",
        phoneNumberId: "120394857601234",
        wabaId: "102290129340398",
        agentId: "agt_hr",
        ...whatsAppSecrets,
        template: { name: "follow_up", language: "en_US" },
      },
    ]);
    expect(steps).toHaveTextContent(`Callback URL:${origin}/webhooks/whatsapp/wac_eu`);
    expect(steps).toHaveTextContent("Verify token: the one you just entered. It is not shown again");
    expect(steps).toHaveTextContent("subscribe to messages");
    expect(steps).toHaveTextContent("npm run whatsapp:simulate -- --platform");
    expect(steps).toHaveTextContent("--connection wac_eu");
    await user.click(within(steps).getByRole("button", { name: "Copy: callback URL" }));
    expect(await navigator.clipboard.readText()).toBe(`${origin}/webhooks/whatsapp/wac_eu`);
    await user.click(within(steps).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    expect(connection("Support EU")).toHaveTextContent(`${origin}/webhooks/whatsapp/wac_eu`);
    for (const secret of Object.values(whatsAppSecrets)) {
      expect(document.body).not.toHaveTextContent(secret);
      expect(inputValues()).not.toContain(secret);
    }
    // Neither a new form nor the new number's edit form holds a secret typed before.
    await user.click(within(card).getByRole("button", { name: "Connect a number" }));
    const again = await screen.findByRole("dialog", { name: "Connect a WhatsApp number" });
    expect(within(again).getByLabelText("Access token")).toHaveValue("");
    await user.click(within(again).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    await user.click(within(connection("Support EU")).getByRole("button", { name: "Edit Support EU" }));
    const edit = await screen.findByRole("dialog", { name: "Edit Support EU" });
    for (const label of ["Access token", "App secret", "Verify token"]) {
      expect(within(edit).getByLabelText(label)).toHaveValue("");
    }
  });

  it("names each field the platform would refuse, and sends nothing", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform(channelRoutes());
    renderApp("/settings/channels");
    const card = await whatsAppCard();

    await user.click(within(card).getByRole("button", { name: "Connect a number" }));
    const form = await screen.findByRole("dialog", { name: "Connect a WhatsApp number" });
    await fillConnectForm(user, form, {
      "Phone number ID": "+31 6 1234 5678",
      "WhatsApp Business Account ID": "1234",
      "Access token": "short",
      "App secret": whatsAppSecrets.appSecret,
      "Verify token": whatsAppSecrets.verifyToken,
      "Template name": "Follow-Up",
    });
    await user.click(within(form).getByRole("button", { name: "Connect number" }));

    const phone = within(form).getByLabelText("Phone number ID");
    expect(phone).toHaveAccessibleDescription("Enter the numeric id Meta shows: 5 to 30 digits.");
    expect(phone).toHaveAttribute("aria-invalid", "true");
    expect(phone).toHaveFocus();
    expect(within(form).getByLabelText("WhatsApp Business Account ID")).toHaveAccessibleDescription(
      "Enter the numeric id Meta shows: 5 to 30 digits.",
    );
    expect(within(form).getByRole("combobox", { name: "Agent" })).toHaveAccessibleDescription(
      "Choose the agent that answers on this number.",
    );
    expect(within(form).getByLabelText("Access token")).toHaveAccessibleDescription("At least 8 characters.");
    expect(within(form).getByLabelText("App secret")).toHaveAttribute("aria-invalid", "false");
    expect(within(form).getByLabelText("Template name")).toHaveAccessibleDescription(
      "Lower-case letters, digits and _ only, as the template is named in Meta.",
    );
    expect(within(form).getByLabelText("Template language")).toHaveAccessibleDescription(
      "Give the template's language too, such as en or en_US.",
    );
    expect(platform.sent("POST /v1/whatsapp/connections")).toHaveLength(0);

    // Fixing a field clears its message.
    await fillConnectForm(user, form, { "Phone number ID": "120394857601234" });
    expect(phone).toHaveAttribute("aria-invalid", "false");
  });

  it("says what to do when the agent's published version does not answer on WhatsApp", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "POST /v1/whatsapp/connections": () =>
        errorResponse(
          400,
          "failed-precondition",
          "Agent agt_hr's published version is not enabled on the whatsapp channel: add the channel and publish",
        ),
    });
    renderApp("/settings/channels");
    const card = await whatsAppCard();

    await user.click(within(card).getByRole("button", { name: "Connect a number" }));
    const form = await screen.findByRole("dialog", { name: "Connect a WhatsApp number" });
    await within(form).findByRole("option", { name: "Acme HR assistant" });
    await fillConnectForm(user, form, {
      "Phone number ID": "120394857601234",
      "WhatsApp Business Account ID": "102290129340398",
      ...{ "Access token": whatsAppSecrets.accessToken, "App secret": whatsAppSecrets.appSecret },
      "Verify token": whatsAppSecrets.verifyToken,
    });
    await user.selectOptions(within(form).getByRole("combobox", { name: "Agent" }), "agt_hr");
    await user.click(within(form).getByRole("button", { name: "Connect number" }));

    const refusal = await within(form).findByRole("alert");
    expect(refusal).toHaveTextContent("Acme HR assistant does not answer on WhatsApp");
    expect(refusal).toHaveTextContent("not enabled on the whatsapp channel: add the channel and publish.");
    expect(refusal).toHaveTextContent("add whatsapp to the agent's channels, publish it again");
    expect(within(refusal).getByRole("link", { name: "Open Acme HR assistant" })).toHaveAttribute(
      "href",
      "/agents/agt_hr",
    );
    expect(platform.sent("POST /v1/whatsapp/connections")).toHaveLength(1);

    // Another agent is another attempt: the refusal no longer describes the form.
    await user.selectOptions(within(form).getByRole("combobox", { name: "Agent" }), "agt_travel");
    expect(within(form).queryByText(/does not answer on WhatsApp/)).not.toBeInTheDocument();
  });

  it("shows a number already connected under its field", async () => {
    const user = userEvent.setup();
    stubPlatform({
      ...channelRoutes(),
      "POST /v1/whatsapp/connections": () =>
        errorResponse(
          409,
          "already-exists",
          "Phone number 106540352242922 is already connected (wac_support)",
        ),
    });
    renderApp("/settings/channels");
    const card = await whatsAppCard();

    await user.click(within(card).getByRole("button", { name: "Connect a number" }));
    const form = await screen.findByRole("dialog", { name: "Connect a WhatsApp number" });
    await within(form).findByRole("option", { name: "Acme HR assistant" });
    await fillConnectForm(user, form, {
      "Phone number ID": supportLine.phoneNumberId,
      "WhatsApp Business Account ID": supportLine.wabaId,
      "Access token": whatsAppSecrets.accessToken,
      "App secret": whatsAppSecrets.appSecret,
      "Verify token": whatsAppSecrets.verifyToken,
    });
    await user.selectOptions(within(form).getByRole("combobox", { name: "Agent" }), "agt_hr");
    await user.click(within(form).getByRole("button", { name: "Connect number" }));

    await waitFor(() =>
      expect(within(form).getByLabelText("Phone number ID")).toHaveAccessibleDescription(
        "Phone number 106540352242922 is already connected (wac_support). Edit that connection instead.",
      ),
    );
  });

  it("edits a number without sending the secrets left empty, and rotates one typed again", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "PATCH /v1/whatsapp/connections/wac_support": (request: RecordedRequest) => {
        const {
          accessToken: _a,
          appSecret: _s,
          verifyToken: _v,
          ...shown
        } = request.body as Record<string, unknown>;
        return jsonResponse({ ...supportLine, ...shown });
      },
    });
    renderApp("/settings/channels");
    await whatsAppCard();

    await user.click(within(connection("Support line")).getByRole("button", { name: "Edit Support line" }));
    let form = await screen.findByRole("dialog", { name: "Edit Support line" });
    expect(form).toHaveTextContent("Phone number ID 106540352242922");
    expect(within(form).queryByRole("textbox", { name: "Phone number ID" })).not.toBeInTheDocument();
    expect(within(form).getByLabelText("Access token")).toHaveAccessibleDescription(
      /Leave it empty to keep the current one/,
    );
    const label = within(form).getByRole("textbox", { name: "Label" });
    expect(label).toHaveValue("Support line");
    await user.clear(label);
    await user.type(label, "Support (EU)");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));

    expect(await screen.findByText("Support (EU) was saved.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(connection("Support (EU)")).toBeInTheDocument();

    await user.click(within(connection("Support (EU)")).getByRole("button", { name: "Edit Support (EU)" }));
    form = await screen.findByRole("dialog", { name: "Edit Support (EU)" });
    await within(form).findByRole("option", { name: "Travel desk" });
    await user.selectOptions(within(form).getByRole("combobox", { name: "Agent" }), "agt_travel");
    await user.type(within(form).getByLabelText("Access token"), "EAAGm0PX4ZCpsBAKrotated2027");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));

    expect(await screen.findByText("Support (EU) was saved, with 1 new secret.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent("PATCH /v1/whatsapp/connections/wac_support").map((r) => r.body)).toEqual([
      // The label and template always go along: the platform would reset one left out.
      { label: "Support (EU)", template: null },
      {
        label: "Support (EU)",
        agentId: "agt_travel",
        template: null,
        accessToken: "EAAGm0PX4ZCpsBAKrotated2027",
      },
    ]);
    expect(
      await within(connection("Support (EU)")).findByRole("link", { name: "Travel desk" }),
    ).toBeInTheDocument();
  });

  it("asks before disconnecting a number, then removes it", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "DELETE /v1/whatsapp/connections/wac_support": () => new Response(null, { status: 204 }),
    });
    renderApp("/settings/channels");
    await whatsAppCard();

    const disconnect = () =>
      user.click(within(connection("Support line")).getByRole("button", { name: "Disconnect Support line" }));
    await disconnect();
    let confirm = await screen.findByRole("dialog", { name: "Disconnect Support line?" });
    expect(confirm).toHaveTextContent("Its secrets are deleted; conversations stay.");
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent("DELETE /v1/whatsapp/connections/wac_support")).toHaveLength(0);

    await disconnect();
    confirm = await screen.findByRole("dialog", { name: "Disconnect Support line?" });
    await user.click(within(confirm).getByRole("button", { name: "Disconnect" }));

    expect(
      await screen.findByText("Support line was disconnected: messages to it are no longer answered."),
    ).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/whatsapp/connections/wac_support")).toHaveLength(1);
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.queryByRole("article", { name: "Support line" })).not.toBeInTheDocument();
    expect(connection("Sales line")).toBeInTheDocument();
  });

  it("says when no number is connected yet", async () => {
    stubPlatform({
      ...channelRoutes(),
      "GET /v1/whatsapp/connections": () => jsonResponse({ connections: [] }),
    });
    renderApp("/settings/channels");
    const card = await whatsAppCard();

    expect(card).toHaveTextContent("No number is connected yet.");
    expect(within(card).queryByRole("article")).not.toBeInTheDocument();
  });

  it("shows an editor what the channel does and who connects numbers, with nothing to manage", async () => {
    signInAs(
      annSession({
        accountId: "acc_chen",
        email: "chen@acme.example",
        role: "editor",
        workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "editor" }],
      }),
    );
    const platform = stubPlatform(channelRoutes());
    renderApp("/settings/channels");

    const card = await screen.findByRole("region", { name: "WhatsApp Business" });
    expect(card).toHaveTextContent("Admins and owners of this workspace connect numbers");
    expect(card).toHaveTextContent("Your role is Editor");
    expect(within(card).queryByRole("button")).not.toBeInTheDocument();
    expect(within(card).queryByRole("article")).not.toBeInTheDocument();
    expect(card).not.toHaveTextContent(whatsAppConnectionList.connections[0]?.phoneNumberId ?? "");
    expect(platform.sent("GET /v1/whatsapp/connections")).toHaveLength(0);
  });
});

describe("Settings: WhatsApp documents from staff", () => {
  const documentsSwitch = (form: HTMLElement) =>
    within(form).getByRole("switch", { name: "Add documents staff send to a knowledge base" });

  it("connects a number that adds the documents of the numbers listed, checking each line first", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "POST /v1/whatsapp/connections": (request: RecordedRequest) =>
        jsonResponse(
          {
            ...salesLine,
            id: "wac_hr",
            label: "HR line",
            documents: (request.body as Record<string, unknown>).documents,
            webhookPath: "/webhooks/whatsapp/wac_hr",
          },
          201,
        ),
    });
    renderApp("/settings/channels");
    const card = await whatsAppCard();

    await user.click(within(card).getByRole("button", { name: "Connect a number" }));
    const form = await screen.findByRole("dialog", { name: "Connect a WhatsApp number" });
    expect(documentsSwitch(form)).not.toBeChecked();
    expect(within(form).queryByLabelText("Numbers allowed to add documents")).not.toBeInTheDocument();
    await within(form).findByRole("option", { name: "Acme HR assistant" });
    await fillConnectForm(user, form, {
      Label: "HR line",
      "Phone number ID": "120394857601234",
      "WhatsApp Business Account ID": "102290129340398",
      "Access token": whatsAppSecrets.accessToken,
      "App secret": whatsAppSecrets.appSecret,
      "Verify token": whatsAppSecrets.verifyToken,
    });
    await user.selectOptions(within(form).getByRole("combobox", { name: "Agent" }), "agt_hr");

    await user.click(documentsSwitch(form));
    const knowledgeBase = within(form).getByRole("combobox", { name: "Knowledge base" });
    await within(form).findByRole("option", { name: "IT security FAQ" });
    const senders = within(form).getByLabelText("Numbers allowed to add documents");
    // Pasted from a staff list, as people have them.
    await user.click(senders);
    await user.paste("+31 6 1234 5678\nAnn's phone\n0612345678");
    await user.click(within(form).getByRole("button", { name: "Connect number" }));

    expect(knowledgeBase).toHaveAccessibleDescription("Choose the knowledge base the documents go to.");
    expect(knowledgeBase).toHaveFocus();
    expect(senders).toHaveAccessibleDescription(
      "Line 2: digits only, such as +31 6 1234 5678. Line 3: start with the country code, without 0 or 00.",
    );
    expect(platform.sent("POST /v1/whatsapp/connections")).toHaveLength(0);

    await user.selectOptions(knowledgeBase, "kb_handbook");
    await user.clear(senders);
    await user.paste("+31 6 1234 5678\n\n49 151 1234 5678");
    expect(senders).toHaveAttribute("aria-invalid", "false");
    await user.click(within(form).getByRole("button", { name: "Connect number" }));

    const steps = await screen.findByRole("dialog", { name: "HR line is connected" });
    expect(platform.sent("POST /v1/whatsapp/connections").map((r) => r.body)).toEqual([
      {
        label: "HR line",
        phoneNumberId: "120394857601234",
        wabaId: "102290129340398",
        agentId: "agt_hr",
        ...whatsAppSecrets,
        template: null,
        documents: { knowledgeBaseId: "kb_handbook", senders: ["31612345678", "4915112345678"] },
      },
    ]);
    await user.click(within(steps).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(connection("HR line")).toHaveTextContent(
      "Documents from 2 numbers go to Acme Corp employee handbook",
    );
  });

  it("turns documents off by sending null, and leaves them out of an edit that does not touch them", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...channelRoutes(),
      "PATCH /v1/whatsapp/connections/wac_support": (request: RecordedRequest) =>
        jsonResponse({ ...supportLine, ...(request.body as object) }),
    });
    renderApp("/settings/channels");
    await whatsAppCard();
    const edit = async () => {
      await user.click(within(connection("Support line")).getByRole("button", { name: "Edit Support line" }));
      return screen.findByRole("dialog", { name: "Edit Support line" });
    };

    // Opened as the connection is: on, its knowledge base chosen, one number per line.
    let form = await edit();
    expect(documentsSwitch(form)).toBeChecked();
    await waitFor(() =>
      expect(within(form).getByRole("combobox", { name: "Knowledge base" })).toHaveDisplayValue(
        "Acme Corp employee handbook",
      ),
    );
    expect(within(form).getByLabelText("Numbers allowed to add documents")).toHaveValue(
      "31612345678\n4915112345678",
    );
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    form = await edit();
    await user.click(documentsSwitch(form));
    expect(documentsSwitch(form)).toHaveAccessibleDescription(/^Saving turns it off/);
    expect(within(form).queryByLabelText("Numbers allowed to add documents")).not.toBeInTheDocument();
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    expect(platform.sent("PATCH /v1/whatsapp/connections/wac_support").map((r) => r.body)).toEqual([
      { label: "Support line", template: null },
      { label: "Support line", template: null, documents: null },
    ]);
    expect(connection("Support line")).not.toHaveTextContent("Documents from");
  });

  it("shows a knowledge base the platform cannot find under its field", async () => {
    const user = userEvent.setup();
    stubPlatform({
      ...channelRoutes(),
      "PATCH /v1/whatsapp/connections/wac_support": () =>
        errorResponse(404, "not-found", "Knowledge base kb_it not found"),
    });
    renderApp("/settings/channels");
    await whatsAppCard();

    await user.click(within(connection("Support line")).getByRole("button", { name: "Edit Support line" }));
    const form = await screen.findByRole("dialog", { name: "Edit Support line" });
    await within(form).findByRole("option", { name: "IT security FAQ" });
    await user.selectOptions(within(form).getByRole("combobox", { name: "Knowledge base" }), "kb_it");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));

    await waitFor(() =>
      expect(within(form).getByRole("combobox", { name: "Knowledge base" })).toHaveAccessibleDescription(
        "Knowledge base kb_it not found. It may have been deleted: choose another.",
      ),
    );
    expect(within(form).queryByRole("alert")).not.toBeInTheDocument();
  });
});
