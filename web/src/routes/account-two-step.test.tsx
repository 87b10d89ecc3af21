/**
 * The two-step sign-in page against a faked platform: setting it up (QR code, key, code, recovery codes
 * shown once), a wrong code, turning it off, new recovery codes, and the way there from the account menu and
 * from a workspace that requires it.
 */
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentSessionState } from "../data/session";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

afterEach(() => {
  vi.unstubAllGlobals();
});

const inMinutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
const off = { mfaEnrolled: false, mfa: false, enabledAt: null, recoveryCodesLeft: null };
const on = { mfaEnrolled: true, mfa: true, enabledAt: "2026-02-03T09:00:00.000Z", recoveryCodesLeft: 10 };
const codes = Array.from({ length: 10 }, (_, i) => `abc${i}-def${i}`);
const renewed = {
  token: "als_ann_acme.renewed",
  expiresAt: inMinutes(720),
  tenantId: "acme",
  role: "owner",
  accountId: "acc_ann",
  tenants: [{ tenantId: "acme", name: "Acme Corp", role: "owner" }],
};

describe("Setting up two-step sign-in", () => {
  it("shows a QR code and the key, turns on with a code, and shows the recovery codes once", async () => {
    const user = userEvent.setup();
    signInAs();
    let enrolled = false;
    const platform = stubPlatform({
      "GET /auth/mfa": () => jsonResponse(enrolled ? on : off),
      "POST /auth/mfa/enroll": () =>
        jsonResponse({
          secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
          otpauthUri: "otpauth://totp/Alchemist:ann%40acme.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
          expiresAt: inMinutes(10),
        }),
      "POST /auth/mfa/confirm": (request) => {
        if ((request.body as { code: string }).code !== "123456") {
          return errorResponse(403, "permission-denied", "This is not the code your app shows", {
            issues: [{ path: "code", message: "This is not the code your app shows" }],
          });
        }
        enrolled = true;
        return jsonResponse({ ...renewed, recoveryCodes: codes });
      },
    });
    renderApp("/account/two-step");

    expect(await screen.findByRole("heading", { level: 2, name: "Two-step sign-in is off" })).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Set up two-step sign-in" }));
    expect(await screen.findByRole("img", { name: "QR code of your two-step sign-in key" })).toHaveAttribute(
      "src",
      expect.stringMatching(/^data:image\/svg\+xml/),
    );
    expect(screen.getByText("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP")).toBeInTheDocument();

    await user.type(screen.getByLabelText("6-digit code"), "12345{Enter}");
    expect(await screen.findByText("Enter the 6 digits your app shows.")).toBeInTheDocument();
    expect(platform.sent("POST /auth/mfa/confirm")).toHaveLength(0);
    await user.clear(screen.getByLabelText("6-digit code"));
    await user.type(screen.getByLabelText("6-digit code"), "654321{Enter}");
    expect(await screen.findByText("This is not the code your app shows")).toBeInTheDocument();

    await user.clear(screen.getByLabelText("6-digit code"));
    await user.type(screen.getByLabelText("6-digit code"), "123 456{Enter}");
    const list = await screen.findByRole("list", { name: "Recovery codes" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(codes);
    expect(platform.sent("POST /auth/mfa/confirm")[1]?.body).toEqual({ code: "123456" });
    // The session goes on with the renewed token the platform answered.
    expect(currentSessionState().session?.token).toBe("als_ann_acme.renewed");

    await user.click(screen.getByRole("button", { name: "I saved them" }));
    expect(await screen.findByRole("heading", { level: 2, name: "Two-step sign-in is on" })).toBeVisible();
    expect(screen.queryByRole("list", { name: "Recovery codes" })).not.toBeInTheDocument();
    expect(screen.getByText(/10 recovery codes left/)).toBeInTheDocument();
  });
});

describe("When it is on", () => {
  it("turns off with the password and a code, showing a wrong password at its field", async () => {
    const user = userEvent.setup();
    signInAs();
    let enrolled = true;
    const platform = stubPlatform({
      "GET /auth/mfa": () => jsonResponse(enrolled ? on : off),
      "POST /auth/mfa/disable": (request) => {
        if ((request.body as { password: string }).password !== "correct horse battery") {
          return errorResponse(403, "permission-denied", "The password is not correct", {
            issues: [{ path: "password", message: "This is not your password" }],
          });
        }
        enrolled = false;
        return jsonResponse(renewed);
      },
    });
    renderApp("/account/two-step");
    await user.click(await screen.findByRole("button", { name: "Turn off" }));
    const dialog = await screen.findByRole("dialog", { name: "Turn off two-step sign-in?" });
    await user.type(within(dialog).getByLabelText("Password"), "wrong one");
    await user.type(within(dialog).getByLabelText("Code or recovery code"), "123456");
    await user.click(within(dialog).getByRole("button", { name: "Turn off" }));
    expect(await within(dialog).findByText("This is not your password")).toBeInTheDocument();

    await user.clear(within(dialog).getByLabelText("Password"));
    await user.type(within(dialog).getByLabelText("Password"), "correct horse battery");
    await user.click(within(dialog).getByRole("button", { name: "Turn off" }));
    expect(await screen.findByRole("heading", { level: 2, name: "Two-step sign-in is off" })).toBeVisible();
    expect(screen.getByText(/Two-step sign-in is off. Your other sessions were signed out./)).toBeVisible();
    expect(platform.sent("POST /auth/mfa/disable")[1]?.body).toEqual({
      password: "correct horse battery",
      code: "123456",
    });
    await waitFor(() => expect(currentSessionState().session?.token).toBe("als_ann_acme.renewed"));
  });

  it("makes new recovery codes with a code", async () => {
    const user = userEvent.setup();
    signInAs();
    stubPlatform({
      "GET /auth/mfa": () => jsonResponse({ ...on, recoveryCodesLeft: 2 }),
      "POST /auth/mfa/recovery-codes": () => jsonResponse({ recoveryCodes: codes }),
    });
    renderApp("/account/two-step");
    expect(await screen.findByText(/2 recovery codes left. Make new ones/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "New recovery codes" }));
    const dialog = await screen.findByRole("dialog", { name: "Make new recovery codes?" });
    await user.type(within(dialog).getByLabelText("Code or recovery code"), "123456{Enter}");
    const list = await screen.findByRole("list", { name: "Recovery codes" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(10);
  });
});

// The first page a test opens compiles on demand: on a cold cache and a busy machine that takes many seconds.
describe("The way there", { timeout: 90_000 }, () => {
  it("is in the account menu", async () => {
    const user = userEvent.setup();
    signInAs();
    stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
      "GET /auth/mfa": () => jsonResponse(off),
    });
    const { router } = renderApp("/agents");
    await screen.findByRole("heading", { name: "No agents yet" }, { timeout: 30_000 });
    // On a busy machine the shell can render anew between opening the menu and the click, which then lands on
    // nothing: open it again until the item has taken the studio there.
    await waitFor(
      async () => {
        if (
          router.state.location.pathname !== "/account/two-step" &&
          router.state.navigation.state === "idle"
        ) {
          await user.click(screen.getByRole("button", { name: "Account" }));
          await user.click(
            within(await screen.findByRole("menu")).getByRole("menuitem", { name: "Two-step sign-in" }),
          );
        }
        expect(router.state.location.pathname).toBe("/account/two-step");
      },
      { timeout: 30_000, interval: 2000 },
    );
    // The page is loaded on demand: under a busy test run that can take more than the default second.
    expect(
      await screen.findByRole("heading", { level: 1, name: "Two-step sign-in" }, { timeout: 30_000 }),
    ).toBeInTheDocument();
  });

  it("is offered when the workspace requires two-step sign-in of admins and owners", async () => {
    const user = userEvent.setup();
    signInAs();
    stubPlatform({
      "GET /v1/agents": () =>
        errorResponse(
          403,
          "mfa-required",
          "This workspace requires two-step sign-in for admins and owners: set it up under Account › Two-step sign-in",
        ),
      "GET /auth/mfa": () => jsonResponse(off),
    });
    renderApp("/agents");
    await user.click(await screen.findByRole("link", { name: "Set up two-step sign-in" }));
    // The page is loaded on demand: under a busy test run that can take more than the default second.
    expect(
      await screen.findByRole("heading", { level: 1, name: "Two-step sign-in" }, { timeout: 30_000 }),
    ).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Set up two-step sign-in" })).toBeVisible();
  });
});
