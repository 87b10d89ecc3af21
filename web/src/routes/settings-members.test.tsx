import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  adminRoutes,
  bob,
  chen,
  createdInvitation,
  dana,
  erinInvitation,
  invitationList,
  memberList,
  permissionDenied,
} from "../test/adminFixtures";
import { deferredResponse, errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const bobSession = () =>
  annSession({
    accountId: "acc_bob",
    email: "bob@acme.example",
    role: "admin",
    token: "als_bob_acme.signature",
    workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "admin" }],
  });

async function membersTable() {
  return screen.findByRole("table", { name: "Members" });
}

function memberRow(email: string) {
  return within(screen.getByRole("table", { name: "Members" })).getByRole("row", {
    name: new RegExp(email),
  });
}

describe("Settings: members", () => {
  it("lists the members with their roles; nobody changes their own role", async () => {
    stubPlatform(adminRoutes());
    renderApp("/settings/members");

    const table = await membersTable();
    expect(within(table).getAllByRole("row")).toHaveLength(5);
    const own = memberRow("ann@acme.example");
    expect(within(own).getByText("You")).toBeInTheDocument();
    expect(within(own).getByText("Owner")).toBeInTheDocument();
    expect(within(own).queryByRole("combobox")).not.toBeInTheDocument();
    expect(within(own).getByRole("button", { name: "Leave Acme Corp" })).toBeInTheDocument();

    expect(screen.getByRole("combobox", { name: "Role of bob@acme.example" })).toHaveValue("admin");
    expect(screen.getByRole("combobox", { name: "Role of chen@acme.example" })).toHaveValue("editor");
    expect(screen.getByRole("combobox", { name: "Role of dana@acme.example" })).toHaveValue("viewer");
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 2, name: "Members" })).toBeInTheDocument();
  });

  it("changes a member's role and says so", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "PATCH /v1/members/acc_chen": () =>
        jsonResponse({ ...chen, role: "admin", updatedAt: new Date().toISOString() }),
    });
    renderApp("/settings/members");
    await membersTable();

    await user.selectOptions(screen.getByRole("combobox", { name: "Role of chen@acme.example" }), "admin");

    expect(await screen.findByText("chen@acme.example is now an Admin.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/members/acc_chen").map((r) => r.body)).toEqual([{ role: "admin" }]);
    expect(screen.getByRole("combobox", { name: "Role of chen@acme.example" })).toHaveValue("admin");
  });

  it("shows the platform's refusal of a role change and puts the old role back", async () => {
    const user = userEvent.setup();
    const answer = deferredResponse();
    const bobOwner = { ...bob, role: "owner" };
    stubPlatform({
      ...adminRoutes(),
      "GET /v1/members": () => jsonResponse({ members: [memberList.members[0], bobOwner, chen, dana] }),
      "PATCH /v1/members/acc_bob": () => answer.promise,
    });
    renderApp("/settings/members");
    await membersTable();
    const select = screen.getByRole("combobox", { name: "Role of bob@acme.example" });

    await user.selectOptions(select, "editor");
    // Shown at once while the platform decides…
    expect(select).toHaveValue("editor");
    answer.resolve(
      errorResponse(
        400,
        "failed-precondition",
        "The last owner cannot be demoted; make another member an owner first",
      ),
    );

    // …and put back when it refuses, with its reason.
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The role of bob@acme.example was not changed");
    expect(alert).toHaveTextContent("The last owner cannot be demoted; make another member an owner first");
    await waitFor(() => expect(select).toHaveValue("owner"));
  });

  it("lets an admin give at most their own role, and not change an owner", async () => {
    signInAs(bobSession());
    stubPlatform(adminRoutes());
    renderApp("/settings/members");
    await membersTable();

    const owner = memberRow("ann@acme.example");
    expect(within(owner).queryByRole("combobox")).not.toBeInTheDocument();
    expect(within(owner).queryByRole("button", { name: /Remove/ })).not.toBeInTheDocument();
    const options = within(screen.getByRole("combobox", { name: "Role of chen@acme.example" })).getAllByRole(
      "option",
    );
    expect(options.map((o) => o.textContent)).toEqual(["Viewer", "Editor", "Admin"]);
    expect(
      within(screen.getByRole("combobox", { name: "Role" })).queryByRole("option", { name: "Owner" }),
    ).not.toBeInTheDocument();
  });

  it("removes a member only after confirmation", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "DELETE /v1/members/acc_dana": () => jsonResponse(dana),
    });
    renderApp("/settings/members");
    await membersTable();

    await user.click(screen.getByRole("button", { name: "Remove dana@acme.example" }));
    let dialog = await screen.findByRole("dialog", { name: "Remove dana@acme.example?" });
    expect(dialog).toHaveTextContent("They lose access at once");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent("DELETE /v1/members/acc_dana")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Remove dana@acme.example" }));
    dialog = await screen.findByRole("dialog", { name: "Remove dana@acme.example?" });
    await user.click(within(dialog).getByRole("button", { name: "Remove member" }));

    expect(await screen.findByText("dana@acme.example was removed from Acme Corp.")).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/members/acc_dana")).toHaveLength(1);
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(
      within(screen.getByRole("table", { name: "Members" })).queryByText("dana@acme.example"),
    ).toBeNull();
  });

  it("asks what becomes of the member's API keys: revoked by default, or transferred to the remover", async () => {
    const user = userEvent.setup();
    const removed = {
      ...dana,
      revokedApiKeys: [],
      transferredApiKeys: ["key_1", "key_2"],
      revokedInvitations: ["inv_1"],
    };
    const platform = stubPlatform({
      ...adminRoutes(),
      "DELETE /v1/members/acc_dana": () => jsonResponse(removed),
    });
    renderApp("/settings/members");
    await membersTable();

    await user.click(screen.getByRole("button", { name: "Remove dana@acme.example" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove dana@acme.example?" });
    const choice = within(dialog).getByRole("radiogroup", { name: "The API keys they created" });
    expect(within(choice).getByRole("radio", { name: /^Revoke them/ })).toBeChecked();
    await user.click(within(choice).getByRole("radio", { name: /^Transfer them to me/ }));
    await user.click(within(dialog).getByRole("button", { name: "Remove member" }));

    expect(
      await screen.findByText(
        "dana@acme.example was removed from Acme Corp. 2 API keys transferred to you, 1 pending invitation revoked.",
      ),
    ).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/members/acc_dana").map((r) => r.query.get("apiKeys"))).toEqual([
      "transfer",
    ]);
    // The revoked invitation leaves the pending list: it is read again.
    expect(platform.sent("GET /v1/invitations").length).toBeGreaterThan(1);
  });

  it("revokes by default, and offers no choice to someone leaving", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "DELETE /v1/members/acc_dana": () =>
        jsonResponse({ ...dana, revokedApiKeys: ["key_1"], transferredApiKeys: [], revokedInvitations: [] }),
    });
    renderApp("/settings/members");
    await membersTable();

    await user.click(screen.getByRole("button", { name: "Leave Acme Corp" }));
    const leaving = await screen.findByRole("dialog", { name: "Leave Acme Corp?" });
    expect(within(leaving).queryByRole("radiogroup")).not.toBeInTheDocument();
    await user.click(within(leaving).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "Remove dana@acme.example" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove dana@acme.example?" });
    await user.click(within(dialog).getByRole("button", { name: "Remove member" }));
    expect(
      await screen.findByText("dana@acme.example was removed from Acme Corp. 1 API key revoked."),
    ).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/members/acc_dana").map((r) => r.query.has("apiKeys"))).toEqual([false]);
  });

  it("keeps the confirmation open with the platform's reason when it refuses a removal", async () => {
    const user = userEvent.setup();
    stubPlatform({
      ...adminRoutes(),
      "DELETE /v1/members/acc_ann": () =>
        errorResponse(
          400,
          "failed-precondition",
          "The last owner cannot be removed; make another member an owner first",
        ),
    });
    renderApp("/settings/members");
    await membersTable();

    await user.click(screen.getByRole("button", { name: "Leave Acme Corp" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave Acme Corp?" });
    await user.click(within(dialog).getByRole("button", { name: "Leave workspace" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "The last owner cannot be removed; make another member an owner first",
    );
    expect(dialog).toBeInTheDocument();
  });

  it("invites by email and shows the link once, with a copy button", async () => {
    const user = userEvent.setup();
    const frank = { ...erinInvitation, id: "inv_new", email: "frank@acme.example", role: "editor" };
    const platform = stubPlatform({
      ...adminRoutes(),
      "POST /v1/invitations": () => jsonResponse(createdInvitation("frank@acme.example", "editor"), 201),
    });
    renderApp("/settings/members");
    await membersTable();
    await screen.findByRole("table", { name: "Pending invitations" });
    platform.routes["GET /v1/invitations"] = () =>
      jsonResponse({ invitations: [frank, ...invitationList.invitations] });

    await user.type(screen.getByRole("textbox", { name: "Email" }), "frank@acme.example");
    await user.selectOptions(screen.getByRole("combobox", { name: "Role" }), "editor");
    await user.click(screen.getByRole("button", { name: "Create invitation link" }));

    const dialog = await screen.findByRole("dialog", { name: "Invitation link for frank@acme.example" });
    const link = `${window.location.origin}/accept-invitation?token=ali_acme.inv_new.WfdogJBO50WEV7eF6B6_bQIYVGaZJ29eI1_gx11GvrM`;
    expect(dialog).toHaveTextContent(link);
    expect(dialog).toHaveTextContent("join as an Editor");
    expect(dialog).toHaveTextContent("This link is shown only now.");
    expect(platform.sent("POST /v1/invitations").map((r) => r.body)).toEqual([
      { email: "frank@acme.example", role: "editor" },
    ]);

    await user.click(within(dialog).getByRole("button", { name: "Copy: Invitation link" }));
    expect(await navigator.clipboard.readText()).toBe(link);

    await user.click(within(dialog).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.queryByText(link)).not.toBeInTheDocument();
    const pending = screen.getByRole("table", { name: "Pending invitations" });
    expect(await within(pending).findByText("frank@acme.example")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Email" })).toHaveValue("");
  });

  it("checks the email before inviting, and shows the platform's refusal", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "POST /v1/invitations": () =>
        errorResponse(409, "already-exists", "chen@acme.example is already a member"),
    });
    renderApp("/settings/members");
    await membersTable();

    await user.click(screen.getByRole("button", { name: "Create invitation link" }));
    expect(screen.getByText("Enter the email of the person to invite.")).toBeInTheDocument();
    await user.type(screen.getByRole("textbox", { name: "Email" }), "chen at acme");
    await user.click(screen.getByRole("button", { name: "Create invitation link" }));
    expect(screen.getByText("This does not look like an email address.")).toBeInTheDocument();
    expect(platform.sent("POST /v1/invitations")).toHaveLength(0);

    await user.clear(screen.getByRole("textbox", { name: "Email" }));
    await user.type(screen.getByRole("textbox", { name: "Email" }), "chen@acme.example");
    await user.click(screen.getByRole("button", { name: "Create invitation link" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("No invitation was created");
    expect(alert).toHaveTextContent("chen@acme.example is already a member");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("revokes a pending invitation after confirmation", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "DELETE /v1/invitations/inv_erin": () =>
        jsonResponse({ ...erinInvitation, status: "revoked", revokedAt: new Date().toISOString() }),
    });
    renderApp("/settings/members");

    const pending = await screen.findByRole("table", { name: "Pending invitations" });
    expect(within(pending).getByRole("row", { name: /erin@acme\.example/ })).toHaveTextContent("Editor");
    expect(pending).toHaveTextContent("by ann@acme.example");
    await user.click(screen.getByRole("button", { name: "Revoke the invitation for erin@acme.example" }));
    const dialog = await screen.findByRole("dialog", {
      name: "Revoke the invitation for erin@acme.example?",
    });
    expect(platform.sent("DELETE /v1/invitations/inv_erin")).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Revoke invitation" }));

    expect(await screen.findByText("The invitation for erin@acme.example was revoked.")).toBeInTheDocument();
    expect(screen.queryByRole("table", { name: "Pending invitations" })).not.toBeInTheDocument();
    expect(screen.getByText(/No pending invitations/)).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/invitations/inv_erin")).toHaveLength(1);
  });

  it("offers no invitation form when the platform refuses the members to this role", async () => {
    stubPlatform({ ...adminRoutes(), "GET /v1/members": () => permissionDenied("admin", "editor") });
    renderApp("/settings/members");

    expect(await screen.findByText("Your role does not allow this")).toBeInTheDocument();
    expect(
      screen.getByText(/This action needs the admin role; your credential has editor\./),
    ).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Create invitation link" })).not.toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Pending invitations" })).not.toBeInTheDocument();
  });

  it("says why the members could not load, and Retry recovers", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "GET /v1/members": () =>
        errorResponse(500, "internal", "An internal error occurred. It has been logged."),
    });
    renderApp("/settings/members");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("GET /v1/members answered HTTP 500");
    platform.routes["GET /v1/members"] = () => jsonResponse(memberList);
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await membersTable()).toBeInTheDocument();
  });
});
