import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, hrVersions } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

afterEach(() => {
  vi.unstubAllGlobals();
});

const inTwelveHours = () => new Date(Date.now() + 12 * 3600 * 1000).toISOString();

const loggedIn = (tenants = [{ tenantId: "acme", name: "Acme Corp", role: "owner" }]) => ({
  token: "als_ann_acme.fresh",
  expiresAt: inTwelveHours(),
  tenantId: "acme",
  role: "owner",
  accountId: "acc_ann",
  tenants,
});

describe("Sign in", () => {
  it("signs in from the keyboard alone and opens the agents", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "POST /auth/login": () => jsonResponse(loggedIn()),
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
    });
    renderApp("/sign-in");

    const email = await screen.findByLabelText("Email");
    expect(email).toHaveFocus();
    await user.keyboard("ann@acme.example");
    await user.tab();
    expect(screen.getByLabelText("Password")).toHaveFocus();
    await user.keyboard("correct horse battery{Enter}");

    expect(await screen.findByRole("heading", { level: 1, name: "Agents" })).toBeInTheDocument();
    expect(platform.sent("POST /auth/login")[0]?.body).toEqual({
      email: "ann@acme.example",
      password: "correct horse battery",
    });
    // Every later call carries the new token.
    // The heading shows before the list is asked for: wait for the request itself.
    await waitFor(() =>
      expect(platform.sent("GET /v1/agents")[0]?.authorization).toBe("Bearer als_ann_acme.fresh"),
    );
  });

  it("says the platform's reason when the password is wrong, and stays on the form", async () => {
    const user = userEvent.setup();
    stubPlatform({
      "POST /auth/login": () => errorResponse(401, "unauthenticated", "Incorrect email or password"),
    });
    renderApp("/sign-in");

    await user.type(await screen.findByLabelText("Email"), "ann@acme.example");
    await user.type(screen.getByLabelText("Password"), "wrong password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not sign in");
    expect(alert).toHaveTextContent("Incorrect email or password");
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveValue("ann@acme.example");
  });

  it("asks for the missing fields before sending anything", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({});
    renderApp("/sign-in");

    await user.click(await screen.findByRole("button", { name: "Sign in" }));

    expect(screen.getByLabelText("Email")).toHaveAccessibleDescription("Enter your email.");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("Enter your password.");
    expect(platform.requests).toHaveLength(0);
  });
});

describe("Protected pages", () => {
  it("send a visitor without a session to sign in, then back to the page they asked for", async () => {
    const user = userEvent.setup();
    stubPlatform({
      "POST /auth/login": () => jsonResponse(loggedIn()),
      "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
      "GET /v1/agents/agt_hr/versions": () => jsonResponse({ versions: hrVersions }),
    });
    const { router } = renderApp("/agents/agt_hr");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(screen.queryByRole("navigation", { name: "Main" })).not.toBeInTheDocument();

    await user.type(screen.getByLabelText("Email"), "ann@acme.example");
    await user.type(screen.getByLabelText("Password"), "correct horse battery{Enter}");

    expect(await screen.findByRole("heading", { level: 1, name: "Acme HR assistant" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/agents/agt_hr");
  });

  it("end the session when the platform answers 401, and sign-in says why", async () => {
    signInAs();
    stubPlatform({
      "GET /v1/agents": () => errorResponse(401, "unauthenticated", "Invalid or expired session token"),
    });
    const { router } = renderApp("/agents");

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByText(/Your session has ended/)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(localStorage.getItem("alchemist.session")).toBeNull();
  });

  it("sign out from the account menu, which ends the session on the platform too", async () => {
    const user = userEvent.setup();
    signInAs();
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
      "POST /auth/logout": () => jsonResponse({ endedAt: new Date().toISOString() }),
    });
    renderApp("/agents");
    await screen.findByRole("heading", { level: 1, name: "Agents" });

    await user.click(screen.getByRole("button", { name: "Account" }));
    const menu = screen.getByRole("menu");
    expect(menu).toHaveTextContent("ann@acme.example");
    await user.click(within(menu).getByRole("menuitem", { name: "Sign out" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByText("You signed out.")).toBeInTheDocument();
    expect(platform.sent("POST /auth/logout").map((r) => r.authorization)).toEqual([
      "Bearer als_ann_acme.signature",
    ]);
  });
});

describe("Workspace switcher", () => {
  it("is shown only to people in several workspaces", async () => {
    signInAs(annSession());
    stubPlatform({ "GET /v1/agents": () => jsonResponse({ agents: [] }) });
    renderApp("/agents");
    await screen.findByRole("heading", { level: 1, name: "Agents" });
    expect(screen.queryByRole("button", { name: /^Workspace/ })).not.toBeInTheDocument();
  });

  it("switches to another workspace and loads that workspace's agents", async () => {
    const user = userEvent.setup();
    signInAs(
      annSession({
        workspaces: [
          { tenantId: "acme", name: "Acme Corp", role: "owner" },
          { tenantId: "globex", name: "Globex", role: "viewer" },
        ],
      }),
    );
    const platform = stubPlatform({
      "GET /v1/agents": (request) =>
        jsonResponse({
          agents:
            request.authorization === "Bearer als_ann_globex"
              ? [{ ...hrAssistant, id: "agt_globex", name: "Globex support" }]
              : [hrAssistant],
        }),
      "POST /auth/switch-tenant": () =>
        jsonResponse({
          ...loggedIn([
            { tenantId: "acme", name: "Acme Corp", role: "owner" },
            { tenantId: "globex", name: "Globex", role: "viewer" },
          ]),
          token: "als_ann_globex",
          tenantId: "globex",
          role: "viewer",
        }),
    });
    renderApp("/agents");
    expect(await screen.findByRole("link", { name: "Acme HR assistant" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Workspace: Acme Corp" }));
    await user.click(screen.getByRole("menuitem", { name: /Globex/ }));

    expect(await screen.findByRole("link", { name: "Globex support" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Acme HR assistant" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Workspace: Globex" })).toBeInTheDocument();
    expect(platform.sent("POST /auth/switch-tenant")[0]?.body).toEqual({ tenantId: "globex" });
    // A viewer does not create agents.
    expect(screen.queryByRole("link", { name: "Create agent" })).not.toBeInTheDocument();
  });
});

describe("Sign up and invitations", () => {
  it("creates an account with its own workspace", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "POST /auth/signup": () =>
        jsonResponse(
          {
            token: "als_new",
            expiresAt: inTwelveHours(),
            tenantId: "t_new",
            role: "owner",
            accountId: "acc_new",
          },
          201,
        ),
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
    });
    renderApp("/sign-up");

    await user.type(await screen.findByLabelText("Email"), "cleo@initech.example");
    await user.type(screen.getByLabelText("Password"), "short");
    await user.type(screen.getByLabelText("Workspace name"), "Initech{Enter}");
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("At least 10 characters.");
    expect(platform.requests).toHaveLength(0);

    await user.clear(screen.getByLabelText("Password"));
    await user.type(screen.getByLabelText("Password"), "a long enough password{Enter}");

    expect(await screen.findByRole("heading", { name: "No agents yet" })).toBeInTheDocument();
    expect(platform.sent("POST /auth/signup")[0]?.body).toEqual({
      email: "cleo@initech.example",
      password: "a long enough password",
      tenantName: "Initech",
    });
  });

  it("accepts an invitation from its link and opens the workspace it joined", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "POST /auth/accept-invitation": () =>
        jsonResponse({
          token: "als_dan_acme",
          expiresAt: inTwelveHours(),
          tenantId: "acme",
          role: "editor",
          accountId: "acc_dan",
        }),
      "POST /auth/switch-tenant": () =>
        jsonResponse({ ...loggedIn(), token: "als_dan_acme.2", role: "editor", accountId: "acc_dan" }),
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
    });
    renderApp("/accept-invitation?token=ali_acme.inv1.secretsecretsecret");

    await user.type(await screen.findByLabelText("Password"), "a long enough password{Enter}");

    expect(await screen.findByRole("link", { name: "Acme HR assistant" })).toBeInTheDocument();
    expect(platform.sent("POST /auth/accept-invitation")[0]?.body).toEqual({
      token: "ali_acme.inv1.secretsecretsecret",
      password: "a long enough password",
    });
    expect(platform.sent("GET /v1/agents")[0]?.authorization).toBe("Bearer als_dan_acme.2");
  });

  it("says when an invitation link was already used", async () => {
    const user = userEvent.setup();
    stubPlatform({
      "POST /auth/accept-invitation": () =>
        errorResponse(400, "failed-precondition", "This invitation has already been used", {
          reason: "used",
        }),
    });
    renderApp("/accept-invitation?token=ali_acme.inv1.secretsecretsecret");

    await user.type(await screen.findByLabelText("Password"), "a long enough password{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("This invitation has already been used");
  });
});
