/**
 * Names people give things (agents, knowledge bases, API keys, workspaces, documents) are shown in lists,
 * logs and file listings: NUL and other control characters, lone surrogates, bidirectional overrides and
 * names with nothing visible are refused with a clear 400 everywhere a name comes in; real names in any
 * script are kept as written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { nameProblem } from "../../platform/validation.js";

let platform: TestPlatform;
let kbId: string;

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PUBLIC_PER_IP: "0" });
  const res = await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Names" } });
  kbId = ((await res.json()) as { id: string }).id;
});
afterAll(async () => {
  await platform?.close();
});

const hostile: [string, string, RegExp][] = [
  ["a NUL byte", "Payroll\u0000.md", /control characters/],
  ["an escape sequence", "\u001b[31mRed", /control characters/],
  ["a lone surrogate", "Report \ud800", /lone surrogate/],
  ["a right-to-left override", "invoice\u202egpj.exe", /bidirectional/],
  ["zero-width spaces only", "\u200b\u200b\u200b", /visible characters/],
  ["a soft hyphen and a joiner", "\u00ad\u200d", /visible characters/],
  ["Hangul fillers", "\u3164\u3164", /visible characters/],
];

describe("names", () => {
  it("tells what is wrong with a hostile name, and accepts names in any script", () => {
    for (const [what, name, reason] of hostile) expect(nameProblem(name, "name"), what).toMatch(reason);
    for (const name of ["Überblick 📚", "人事ハンドブック", "Relatório — 2025", "O'Brien & Sons"])
      expect(nameProblem(name, "name"), name).toBeNull();
  });

  it.each(hostile)("refuses %s in every name that comes in through the API", async (_what, name, reason) => {
    const attempts: [string, string, Record<string, unknown>][] = [
      ["knowledge base", "/v1/knowledge-bases", { name }],
      ["agent", "/v1/agents", { name }],
      ["API key", "/v1/api-keys", { name, role: "viewer" }],
      ["text document", `/v1/knowledge-bases/${kbId}/documents`, { name, text: "Some text." }],
    ];
    for (const [what, path, json] of attempts) {
      const res = await platform.fetch(path, { method: "POST", json });
      expect(res.status, what).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, what).toMatch(reason);
    }
    const signUp = await platform.fetch("/auth/signup", {
      method: "POST",
      key: null,
      json: {
        email: `names.${Date.now()}.${Math.random()}@example.com`,
        password: "long enough password",
        tenantName: name,
      },
    });
    expect(signUp.status, "workspace").toBe(400);
  });

  it("refuses a file name that shows nothing or reverses itself, in a multipart upload", async () => {
    for (const fileName of ["\u200b\u200b", "report\u202efdp.exe"]) {
      const form = new FormData();
      form.append("file", new Blob(["text"]), fileName);
      const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
        method: "POST",
        body: form,
      });
      expect(res.status, JSON.stringify(fileName)).toBe(400);
    }
    const form = new FormData();
    form.append("file", new Blob(["Le règlement intérieur."]), "règlement intérieur.md");
    const ok = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, { method: "POST", body: form });
    expect(ok.status).toBe(202);
    expect(((await ok.json()) as { name: string }).name).toBe("règlement intérieur.md");
  });

  it("renames an agent only to a valid name", async () => {
    const created = await platform.fetch("/v1/agents", { method: "POST", json: { name: "Helpdesk" } });
    const { id } = (await created.json()) as { id: string };
    const res = await platform.fetch(`/v1/agents/${id}`, { method: "PATCH", json: { name: "\u200b" } });
    expect(res.status).toBe(400);
    const agent = (await (await platform.fetch(`/v1/agents/${id}`)).json()) as { name: string };
    expect(agent.name).toBe("Helpdesk");
  });
});
