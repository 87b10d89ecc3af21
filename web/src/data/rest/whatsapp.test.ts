/** WhatsApp connections over the REST API: the requests, and the platform's answers read strictly at the edge. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { salesLine, supportLine, whatsAppConnectionList, whatsAppSecrets } from "../../test/whatsappFixtures";
import { parseWhatsAppConnectionList, restWhatsApp } from "./whatsapp";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const signal = () => new AbortController().signal;

describe("reading the connections", () => {
  it("reads every field the studio shows", async () => {
    stubPlatform({ "GET /v1/whatsapp/connections": () => jsonResponse(whatsAppConnectionList) });

    const [support, sales] = await restWhatsApp.listWhatsAppConnections(signal());

    expect(support).toEqual(supportLine);
    expect(sales?.template).toEqual({ name: "follow_up", language: "en_US" });
    expect(sales?.lastError).toBeNull();
    expect(support?.documents).toEqual({
      knowledgeBaseId: "kb_handbook",
      senders: ["31612345678", "4915112345678"],
    });
    expect(sales?.documents).toBeNull();
  });

  it("reads a connection from a platform older than the documents setting as adding none", () => {
    const { documents: _documents, ...older } = supportLine;

    const [kept] = parseWhatsAppConnectionList({ connections: [older] });

    expect(kept).toEqual({ ...supportLine, documents: null });
  });

  it.each([
    ["a connection without its webhook path", { ...supportLine, webhookPath: undefined }, "webhookPath"],
    ["a webhook on another site", { ...supportLine, webhookPath: "//evil.example/hook" }, "webhookPath"],
    ["a last error without its code", { ...supportLine, lastError: { at: "x", message: "m" } }, "code"],
    ["a template that is not an object", { ...salesLine, template: "follow_up" }, "template"],
    ["no template field at all", { ...salesLine, template: undefined }, "template"],
    ["a numeric phone number id", { ...salesLine, phoneNumberId: 110928374650012 }, "phoneNumberId"],
    [
      "documents that are a knowledge base id alone",
      { ...supportLine, documents: "kb_handbook" },
      "documents",
    ],
    [
      "senders that are not a list of numbers",
      { ...supportLine, documents: { knowledgeBaseId: "kb_handbook", senders: [31612345678] } },
      "senders",
    ],
  ])("rejects %s, naming the field", async (_what, connection, fieldName) => {
    stubPlatform({ "GET /v1/whatsapp/connections": () => jsonResponse({ connections: [connection] }) });

    await expect(restWhatsApp.listWhatsAppConnections(signal())).rejects.toMatchObject({
      failure: "invalid-response",
      message: `GET /v1/whatsapp/connections answered with something that is not a list of connections (${fieldName}).`,
    });
  });

  it("rejects an answer without its list", () => {
    expect(() => parseWhatsAppConnectionList({ items: [] })).toThrow("connections");
  });

  it("keeps no secret, even from an answer that carries one", () => {
    // A platform bug that returned the secrets must not put them in the studio's memory or on screen.
    const leaky = { ...supportLine, ...whatsAppSecrets, secrets: whatsAppSecrets };

    const [kept] = parseWhatsAppConnectionList({ connections: [leaky] });

    expect(Object.keys(kept ?? {}).sort()).toEqual(Object.keys(supportLine).sort());
    for (const secret of Object.values(whatsAppSecrets)) expect(JSON.stringify(kept)).not.toContain(secret);
  });
});

describe("changing the connections", () => {
  it("connects a number with its secrets, and keeps only what the platform answers", async () => {
    const platform = stubPlatform({
      "POST /v1/whatsapp/connections": () => jsonResponse({ ...salesLine, id: "wac_new" }, 201),
    });
    const input = {
      label: "Sales line",
      phoneNumberId: salesLine.phoneNumberId,
      wabaId: salesLine.wabaId,
      agentId: "agt_hr",
      template: salesLine.template,
      documents: { knowledgeBaseId: "kb_handbook", senders: ["31612345678"] },
      ...whatsAppSecrets,
    };

    const created = await restWhatsApp.createWhatsAppConnection(input);

    expect(platform.sent("POST /v1/whatsapp/connections").map((r) => r.body)).toEqual([input]);
    expect(created.id).toBe("wac_new");
    for (const secret of Object.values(whatsAppSecrets))
      expect(JSON.stringify(created)).not.toContain(secret);
  });

  it("changes and disconnects a connection by its id", async () => {
    const platform = stubPlatform({
      "PATCH /v1/whatsapp/connections/wac_support": (request) =>
        jsonResponse({ ...supportLine, ...(request.body as object) }),
      "DELETE /v1/whatsapp/connections/wac_support": () => new Response(null, { status: 204 }),
    });

    const saved = await restWhatsApp.updateWhatsAppConnection("wac_support", {
      label: "Support (EU)",
      template: null,
      documents: null,
    });
    await restWhatsApp.deleteWhatsAppConnection("wac_support");

    expect(platform.sent("PATCH /v1/whatsapp/connections/wac_support")[0]?.body).toEqual({
      label: "Support (EU)",
      template: null,
      documents: null,
    });
    expect(saved.label).toBe("Support (EU)");
    expect(saved.documents).toBeNull();
    expect(platform.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "PATCH /v1/whatsapp/connections/wac_support",
      "DELETE /v1/whatsapp/connections/wac_support",
    ]);
  });

  it("passes the platform's refusal on, with its code and sentence", async () => {
    stubPlatform({
      "POST /v1/whatsapp/connections": () =>
        errorResponse(
          409,
          "already-exists",
          "Phone number 106540352242922 is already connected (wac_support)",
        ),
    });

    await expect(
      restWhatsApp.createWhatsAppConnection({
        phoneNumberId: supportLine.phoneNumberId,
        wabaId: supportLine.wabaId,
        agentId: "agt_hr",
        template: null,
        ...whatsAppSecrets,
      }),
    ).rejects.toMatchObject({
      status: 409,
      code: "already-exists",
      reason: "Phone number 106540352242922 is already connected (wac_support)",
    });
  });
});
