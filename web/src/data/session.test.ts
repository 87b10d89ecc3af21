import { afterEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { annSession, signInAs } from "../test/session";
import { PlatformRequestError } from "./platform";
import {
  currentSessionState,
  requestAsSignedIn,
  sessionEndedNotice,
  signIn,
  signOut,
  switchWorkspace,
} from "./session";

afterEach(() => {
  vi.unstubAllGlobals();
});

const storedSession = () => localStorage.getItem("alchemist.session");

/** What `POST /auth/login` answers for Ann, who belongs to two workspaces. */
const annLoggedIn = {
  token: "als_ann_acme.fresh",
  expiresAt: new Date(Date.now() + 12 * 3600 * 1000).toISOString(),
  tenantId: "acme",
  role: "owner",
  accountId: "acc_ann",
  tenants: [
    { tenantId: "acme", name: "Acme Corp", role: "owner" },
    { tenantId: "globex", name: "Globex", role: "viewer" },
  ],
};

describe("session store", () => {
  it("signs in with email and password, keeps the token and workspaces, and a reload finds them", async () => {
    const platform = stubPlatform({ "POST /auth/login": () => jsonResponse(annLoggedIn) });

    await signIn({ email: " ann@acme.example", password: "correct horse battery" });

    const [login] = platform.sent("POST /auth/login");
    expect(login?.body).toEqual({ email: " ann@acme.example", password: "correct horse battery" });
    expect(login?.authorization).toBeUndefined();
    expect(currentSessionState().session).toMatchObject({
      token: "als_ann_acme.fresh",
      tenantId: "acme",
      email: "ann@acme.example",
      workspaces: [
        { tenantId: "acme", name: "Acme Corp", role: "owner" },
        { tenantId: "globex", name: "Globex", role: "viewer" },
      ],
    });
    expect(storedSession()).toContain("als_ann_acme.fresh");

    // A reload: the module starts again from what the browser stored.
    vi.resetModules();
    const reloaded = await import("./session");
    expect(reloaded.currentSessionState().session?.token).toBe("als_ann_acme.fresh");
  });

  it("does not restore a session whose token has expired, and says why", async () => {
    signInAs(annSession({ expiresAt: new Date(Date.now() - 1000).toISOString() }));
    vi.resetModules();
    const reloaded = await import("./session");
    expect(reloaded.currentSessionState()).toEqual({ session: undefined, notice: sessionEndedNotice });
  });

  it("sends the session's token as a bearer token on requests as the signed-in person", async () => {
    signInAs(annSession({ token: "als_ann_acme.signature" }));
    const platform = stubPlatform({ "GET /v1/agents": () => jsonResponse({ agents: [] }) });

    expect(await requestAsSignedIn("/v1/agents")).toEqual({ agents: [] });
    expect(platform.requests[0]?.authorization).toBe("Bearer als_ann_acme.signature");
  });

  it("signs out, forgets the token and says why when a call answers 401", async () => {
    signInAs();
    stubPlatform({
      "GET /v1/agents": () => errorResponse(401, "unauthenticated", "Invalid or expired session token"),
    });

    await expect(requestAsSignedIn("/v1/agents")).rejects.toMatchObject({ status: 401 });
    expect(currentSessionState()).toEqual({ session: undefined, notice: sessionEndedNotice });
    expect(storedSession()).toBeNull();
  });

  it("stays signed in when a call is refused for lack of permission (403)", async () => {
    signInAs(annSession({ role: "viewer" }));
    stubPlatform({
      "PATCH /v1/agents/agt_hr": () =>
        errorResponse(403, "permission-denied", "This needs the editor role; yours is viewer"),
    });

    const refused = requestAsSignedIn("/v1/agents/agt_hr", { method: "PATCH", body: { name: "HR" } });
    await expect(refused).rejects.toBeInstanceOf(PlatformRequestError);
    await expect(refused).rejects.toMatchObject({ reason: "This needs the editor role; yours is viewer" });
    expect(currentSessionState().session?.role).toBe("viewer");
  });

  it("keeps a newer session when a request made with an older token is answered 401", async () => {
    signInAs(annSession({ token: "als_old" }));
    const platform = stubPlatform({
      "GET /v1/agents": () => errorResponse(401, "unauthenticated", "Invalid or expired session token"),
    });
    let answer: (response: Response) => void = () => undefined;
    platform.routes["GET /v1/agents"] = () => new Promise<Response>((resolve) => (answer = resolve));

    const slow = requestAsSignedIn("/v1/agents");
    await vi.waitFor(() => expect(platform.requests).toHaveLength(1));
    signInAs(annSession({ token: "als_new" }));
    answer(errorResponse(401, "unauthenticated", "Invalid or expired session token"));

    await expect(slow).rejects.toMatchObject({ status: 401 });
    expect(currentSessionState().session?.token).toBe("als_new");
  });

  it("switches workspace with the current token and keeps the email typed at sign-in", async () => {
    signInAs(annSession({ email: "ann@acme.example" }));
    const platform = stubPlatform({
      "POST /auth/switch-tenant": () =>
        jsonResponse({ ...annLoggedIn, token: "als_ann_globex", tenantId: "globex", role: "viewer" }),
    });

    await switchWorkspace("globex");

    const [switched] = platform.sent("POST /auth/switch-tenant");
    expect(switched?.body).toEqual({ tenantId: "globex" });
    expect(switched?.authorization).toBe("Bearer als_ann_acme.signature");
    expect(currentSessionState().session).toMatchObject({
      token: "als_ann_globex",
      tenantId: "globex",
      role: "viewer",
      email: "ann@acme.example",
    });
  });

  it("signing out clears the session from the browser", () => {
    signInAs();
    signOut("You signed out.");
    expect(currentSessionState()).toEqual({ session: undefined, notice: "You signed out." });
    expect(storedSession()).toBeNull();
  });
});
