/**
 * Signing in to an account with two-step sign-in, against a faked platform: the code step after the
 * password, a wrong code, an attempt that ended, a recovery code, and an invitation accepted by such an account.
 */
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentSessionState } from "../data/session";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const inMinutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

const challenge = { mfaRequired: true, challenge: "alm_challenge.sig", expiresAt: inMinutes(5) };
const loggedIn = {
  token: "als_ann_acme.with-code",
  expiresAt: inMinutes(720),
  tenantId: "acme",
  role: "owner",
  accountId: "acc_ann",
  tenants: [{ tenantId: "acme", name: "Acme Corp", role: "owner" }],
};

async function typePassword(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText("Email"), "ann@acme.example");
  await user.type(screen.getByLabelText("Password"), "correct horse battery");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("Two-step sign-in", () => {
  it("asks for the code after the password, and the code opens the studio", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "POST /auth/login": () => jsonResponse(challenge),
      "POST /auth/mfa/verify": () => jsonResponse(loggedIn),
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
    });
    renderApp("/sign-in");
    await typePassword(user);

    expect(await screen.findByRole("heading", { level: 1, name: "Two-step sign-in" })).toBeInTheDocument();
    expect(currentSessionState().session).toBeUndefined();
    const code = screen.getByLabelText("Code or recovery code");
    expect(code).toHaveFocus();
    await user.keyboard("123456{Enter}");

    expect(await screen.findByRole("heading", { level: 1, name: "Agents" })).toBeInTheDocument();
    expect(platform.sent("POST /auth/mfa/verify")[0]?.body).toEqual({
      challenge: "alm_challenge.sig",
      code: "123456",
    });
    expect(currentSessionState().session).toMatchObject({
      token: "als_ann_acme.with-code",
      email: "ann@acme.example",
    });
  });

  it("says a wrong code is wrong and lets the person try again", async () => {
    const user = userEvent.setup();
    let tries = 0;
    stubPlatform({
      "POST /auth/login": () => jsonResponse(challenge),
      "POST /auth/mfa/verify": () =>
        ++tries === 1
          ? errorResponse(
              403,
              "permission-denied",
              "This code is not right, or was used already; 4 tries left",
            )
          : jsonResponse(loggedIn),
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
    });
    renderApp("/sign-in");
    await typePassword(user);
    await user.type(await screen.findByLabelText("Code or recovery code"), "000000{Enter}");

    expect(await screen.findByText(/4 tries left/)).toBeInTheDocument();
    const code = screen.getByLabelText("Code or recovery code");
    expect(code).toHaveValue("");
    expect(code).toHaveFocus();
    await user.type(code, "abcd-2345{Enter}");
    expect(await screen.findByRole("heading", { level: 1, name: "Agents" })).toBeInTheDocument();
  });

  it("goes back to the password, saying why, when the attempt ended", async () => {
    const user = userEvent.setup();
    stubPlatform({
      "POST /auth/login": () => jsonResponse(challenge),
      "POST /auth/mfa/verify": () =>
        errorResponse(401, "unauthenticated", "Too many wrong codes; sign in again with your password"),
    });
    renderApp("/sign-in");
    await typePassword(user);
    await user.type(await screen.findByLabelText("Code or recovery code"), "000000{Enter}");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByText(/Too many wrong codes/)).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveValue("");
    expect(currentSessionState().session).toBeUndefined();
  });

  it("asks for a code before sending an empty one", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({ "POST /auth/login": () => jsonResponse(challenge) });
    renderApp("/sign-in");
    await typePassword(user);
    await user.click(await screen.findByRole("button", { name: "Verify" }));
    expect(await screen.findByText("Enter the code from your app.")).toBeInTheDocument();
    expect(platform.sent("POST /auth/mfa/verify")).toHaveLength(0);
  });

  it("lets an invited account with two-step sign-in finish joining with its code", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "POST /auth/accept-invitation": () => jsonResponse(challenge),
      "POST /auth/mfa/verify": () => jsonResponse(loggedIn),
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
    });
    renderApp("/accept-invitation?token=ali_invite");
    await user.type(await screen.findByLabelText(/password/i), "correct horse battery");
    await user.keyboard("{Enter}");
    expect(await screen.findByText(/You joined the workspace/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("Code or recovery code"), "123456{Enter}");
    expect(await screen.findByRole("heading", { level: 1, name: "Agents" })).toBeInTheDocument();
    await waitFor(() => expect(platform.sent("POST /auth/mfa/verify")).toHaveLength(1));
  });
});
