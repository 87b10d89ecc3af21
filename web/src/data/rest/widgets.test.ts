import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { helpCenterWidget, identitySecret, intranetWidget } from "../../test/widgetFixtures";
import { PlatformRequestError } from "../platform";
import { parseCreatedWidget, parseWidgetList, restWidgets } from "./widgets";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("parseWidgetList", () => {
  it("reads every field of the platform's widgets", () => {
    const [help, intranet] = parseWidgetList({ widgets: [helpCenterWidget, intranetWidget] }, "/v1/widgets");
    expect(help).toEqual(helpCenterWidget);
    expect(intranet?.lastError).toEqual(intranetWidget.lastError);
    expect(intranet?.theme.position).toBe("bottom-left");
  });

  it.each([
    ["a key that is not a publishable key", { key: 'wk_abc" onload="steal()' }, /key/],
    ["a key without its prefix", { key: "Q2hhdFdpZGdldEtleUhlbHBDZW50ZXIw" }, /key/],
    ["a colour that is not #rrggbb", { theme: { ...helpCenterWidget.theme, color: "blue" } }, /theme\.color/],
    ["an unknown corner", { theme: { ...helpCenterWidget.theme, position: "top-left" } }, /theme\.position/],
    ["origins that are not a list", { allowedOrigins: "https://help.acme.example" }, /allowedOrigins/],
    ["a missing verification flag", { identityVerification: undefined }, /identityVerification/],
    [
      "an error without its message",
      { lastError: { at: "2026-11-25T10:00:00Z", code: "internal" } },
      /message/,
    ],
  ])("refuses %s, naming the field", (_what, change, field) => {
    const body = { widgets: [{ ...helpCenterWidget, ...change }] };
    expect(() => parseWidgetList(body, "/v1/widgets")).toThrow(PlatformRequestError);
    expect(() => parseWidgetList(body, "/v1/widgets")).toThrow(
      /GET \/v1\/widgets answered with something that is not a list of widgets/,
    );
    expect(() => parseWidgetList(body, "/v1/widgets")).toThrow(field);
  });

  it("refuses an answer without the list", () => {
    expect(() => parseWidgetList({ items: [] }, "/v1/widgets")).toThrow(/\(widgets\)/);
  });
});

describe("parseCreatedWidget", () => {
  it("keeps the identity secret apart from the widget, and reads none when there is none", () => {
    const created = parseCreatedWidget(
      { ...intranetWidget, identitySecret },
      "POST /v1/widgets",
      "/v1/widgets",
    );
    expect(created.identitySecret).toBe(identitySecret);
    expect(created.widget).not.toHaveProperty("identitySecret");
    expect(
      parseCreatedWidget(helpCenterWidget, "POST /v1/widgets", "/v1/widgets").identitySecret,
    ).toBeUndefined();
    expect(() =>
      parseCreatedWidget({ ...intranetWidget, identitySecret: 42 }, "POST /v1/widgets", "/v1/widgets"),
    ).toThrow(/identitySecret/);
  });
});

describe("widgets over REST", () => {
  it("sends each change to its route and reads the answer", async () => {
    const platform = stubPlatform({
      "POST /v1/widgets": () => jsonResponse({ ...intranetWidget, identitySecret }, 201),
      "PATCH /v1/widgets/wgt_intranet": (request) =>
        jsonResponse({ ...intranetWidget, ...(request.body as object) }),
      "DELETE /v1/widgets/wgt_intranet": () => new Response(null, { status: 204 }),
    });
    const created = await restWidgets.createWidget({
      agentId: "agt_hr",
      allowedOrigins: ["https://intranet.acme.example"],
      identityVerification: true,
    });
    expect(created.identitySecret).toBe(identitySecret);
    const renamed = await restWidgets.updateWidget("wgt_intranet", { name: "Staff portal" });
    expect(renamed.widget.name).toBe("Staff portal");
    await restWidgets.deleteWidget("wgt_intranet");
    expect(platform.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/widgets",
      "PATCH /v1/widgets/wgt_intranet",
      "DELETE /v1/widgets/wgt_intranet",
    ]);
    expect(platform.requests[1]?.body).toEqual({ name: "Staff portal" });
  });

  it("reports the platform's refusal with its reason", async () => {
    stubPlatform({
      "POST /v1/widgets": () =>
        errorResponse(
          412,
          "failed-precondition",
          "Agent agt_hr's published version is not enabled on the widget channel: add the channel and publish",
        ),
    });
    await expect(
      restWidgets.createWidget({ agentId: "agt_hr", allowedOrigins: ["https://help.acme.example"] }),
    ).rejects.toMatchObject({
      status: 412,
      code: "failed-precondition",
      reason: /add the channel and publish/,
    });
  });
});
