/**
 * The account menu's ways out, against a faked platform: sign out (which ends the session on the platform),
 * sign out everywhere, and change password, with their refusals, focus and what the person is told.
 */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentSessionState } from "../data/session";
import { connectionRefused, errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

afterEach(() => {
  vi.unstubAllGlobals();
});

const agentsRoute = { "GET /v1/agents": () => jsonResponse({ agents: [] }) };

/** The studio open on the agents page, signed in as Ann; `routes` answer the rest. */
async function openStudio(routes: Parameters<typeof stubPlatform>[0] = {}) {
  signInAs();
  const platform = stubPlatform({ ...agentsRoute, ...routes });
  const rendered = renderApp("/agents");
  await screen.findByRole("heading", { level: 1, name: "Agents" });
  return { platform, ...rendered };
}

async function chooseFromAccountMenu(user: ReturnType<typeof userEvent.setup>, item: string) {
  await user.click(screen.getByRole("button", { name: "Account" }));
  await user.click(within(screen.getByRole("menu")).getByRole("menuitem", { name: item }));
}

describe("Sign out", () => {
  it("signs this browser out at once, and says so when the platform could not end the session", async () => {
    const user = userEvent.setup();
    const { platform } = await openStudio({ "POST /auth/logout": () => connectionRefused() });
    await chooseFromAccountMenu(user, "Sign out");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(await screen.findByText(/could not be reached to end the session/)).toBeInTheDocument();
    expect(platform.sent("POST /auth/logout")).toHaveLength(1);
    expect(localStorage.getItem("alchemist.session")).toBeNull();
  });

  it("takes a session the platform had already ended as signed out, without a warning", async () => {
    const user = userEvent.setup();
    await openStudio({
      "POST /auth/logout": () =>
        errorResponse(401, "unauthenticated", "This session was signed out; sign in again"),
    });
    await chooseFromAccountMenu(user, "Sign out");
    expect(await screen.findByText("You signed out.")).toBeInTheDocument();
  });
});

describe("Sign out everywhere", () => {
  it("asks first, then ends every session and sends to sign-in saying so", async () => {
    const user = userEvent.setup();
    const { platform } = await openStudio({
      "POST /auth/logout-everywhere": () => jsonResponse({ endedAt: new Date().toISOString() }),
    });
    await chooseFromAccountMenu(user, "Sign out everywhere");
    const dialog = await screen.findByRole("dialog", { name: "Sign out everywhere?" });
    expect(dialog).toHaveTextContent("this one included");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent("POST /auth/logout-everywhere")).toHaveLength(0);
    // Focus goes back where the person was: the Account button.
    await waitFor(() => expect(screen.getByRole("button", { name: "Account" })).toHaveFocus());

    await chooseFromAccountMenu(user, "Sign out everywhere");
    await user.click(
      within(await screen.findByRole("dialog", { name: "Sign out everywhere?" })).getByRole("button", {
        name: "Sign out everywhere",
      }),
    );
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByText(/You signed out everywhere/)).toBeInTheDocument();
    expect(platform.sent("POST /auth/logout-everywhere").map((r) => r.authorization)).toEqual([
      "Bearer als_ann_acme.signature",
    ]);
  });

  it("keeps the session and says why when the platform refuses", async () => {
    const user = userEvent.setup();
    await openStudio({
      "POST /auth/logout-everywhere": () =>
        errorResponse(429, "resource-exhausted", "Too many requests; retry in 3 s"),
    });
    await chooseFromAccountMenu(user, "Sign out everywhere");
    const dialog = await screen.findByRole("dialog", { name: "Sign out everywhere?" });
    await user.click(within(dialog).getByRole("button", { name: "Sign out everywhere" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Too many requests; retry in 3 s");
    expect(currentSessionState().session?.token).toBe("als_ann_acme.signature");
  });
});

describe("Change password", () => {
  const changed = {
    token: "als_ann_acme.after-change",
    expiresAt: new Date(Date.now() + 12 * 3600 * 1000).toISOString(),
    tenantId: "acme",
    role: "owner",
    accountId: "acc_ann",
    tenants: [{ tenantId: "acme", name: "Acme Corp", role: "owner" }],
  };

  async function openDialog(routes: Parameters<typeof stubPlatform>[0] = {}) {
    const user = userEvent.setup();
    const opened = await openStudio(routes);
    await chooseFromAccountMenu(user, "Change password");
    const dialog = await screen.findByRole("dialog", { name: "Change password" });
    return { user, dialog, ...opened };
  }

  it("is a dialog named by its title that starts in the current password field", async () => {
    const { dialog } = await openDialog();
    await waitFor(() => expect(within(dialog).getByLabelText(/^Current password/)).toHaveFocus());
    for (const label of [/^Current password/, /^New password/, /^Confirm new password/]) {
      expect(within(dialog).getByLabelText(label)).toHaveAttribute("type", "password");
    }
  });

  it("shows each problem by its field and moves focus to the first, before asking the platform", async () => {
    const { user, dialog, platform } = await openDialog();
    await user.type(within(dialog).getByLabelText(/^Current password/), "correct horse battery");
    await user.type(within(dialog).getByLabelText(/^New password/), "short");
    await user.click(within(dialog).getByRole("button", { name: "Change password" }));
    expect(within(dialog).getByText("At least 10 characters.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^New password/)).toHaveFocus();
    expect(within(dialog).getByLabelText(/^New password/)).toHaveAttribute("aria-invalid", "true");

    await user.clear(within(dialog).getByLabelText(/^New password/));
    await user.type(within(dialog).getByLabelText(/^New password/), "a brand new passphrase");
    await user.type(within(dialog).getByLabelText(/^Confirm new password/), "a brand new passphrasf");
    await user.click(within(dialog).getByRole("button", { name: "Change password" }));
    expect(within(dialog).getByText("The two new passwords are not the same.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^Confirm new password/)).toHaveFocus();
    expect(platform.sent("POST /auth/change-password")).toHaveLength(0);
  });

  it("shows a wrong current password by its field, keeps the session, and focuses it", async () => {
    const { user, dialog } = await openDialog({
      "POST /auth/change-password": () =>
        errorResponse(403, "permission-denied", "The current password is not correct", {
          issues: [{ path: "currentPassword", message: "This is not your current password" }],
        }),
    });
    await user.type(within(dialog).getByLabelText(/^Current password/), "not my password");
    await user.type(within(dialog).getByLabelText(/^New password/), "a brand new passphrase");
    await user.type(within(dialog).getByLabelText(/^Confirm new password/), "a brand new passphrase");
    await user.click(within(dialog).getByRole("button", { name: "Change password" }));

    expect(await within(dialog).findByText("This is not your current password.")).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^Current password/)).toHaveFocus();
    expect(currentSessionState().session?.token).toBe("als_ann_acme.signature");
  });

  it("sends current and new, goes on with the fresh token, and says other sessions ended", async () => {
    const { user, dialog, platform } = await openDialog({
      "POST /auth/change-password": () => jsonResponse(changed),
    });
    await user.type(within(dialog).getByLabelText(/^Current password/), "correct horse battery");
    await user.type(within(dialog).getByLabelText(/^New password/), "a brand new passphrase");
    await user.type(within(dialog).getByLabelText(/^Confirm new password/), "a brand new passphrase{Enter}");

    expect(
      await screen.findByText(/Your password was changed. Your other sessions were signed out./),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const [sent] = platform.sent("POST /auth/change-password");
    expect(sent?.body).toEqual({
      currentPassword: "correct horse battery",
      newPassword: "a brand new passphrase",
    });
    expect(sent?.authorization).toBe("Bearer als_ann_acme.signature");
    expect(currentSessionState().session).toMatchObject({
      token: "als_ann_acme.after-change",
      email: "ann@acme.example",
    });
    // Still signed in, on the same page.
    expect(screen.getByRole("heading", { level: 1, name: "Agents" })).toBeInTheDocument();
  });
});
