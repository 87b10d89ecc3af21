/**
 * Prompt templates over real HTTP against the local platform: versions (immutable, numbered, author and note;
 * a replayed save adds nothing), the checks at save that name the variable and line, labels and rollback (no
 * version created), the diff, the render preview (a value is never expanded again), archiving, hostile input;
 * and agents that reference a template: a missing or mistyped value is refused when the agent is saved or
 * published, never found by a turn; a published version pins the label's version while the draft follows the
 * label; the trace records the template, version and label it rendered.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json, setUpAgents, vacationQuestion } from "../channels/openai/testing/fixture.js";

let platform: TestPlatform;
let kbId: string;

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { issues?: { path: string; variable?: string; line?: number }[] };
  };
}
interface Template {
  id: string;
  name: string;
  labels: Record<string, number>;
  latestVersion: number;
  status: string;
  labelLog: { label: string; from: number | null; to: number | null }[];
}
interface Version {
  templateId: string;
  version: number;
  text: string;
  note: string;
  createdBy: string;
  variables: { name: string; maxLength: number | null }[];
  warnings: { variable: string; message: string }[];
  unchanged: boolean;
}
interface TraceView {
  prompt: { instructionsSha256: string; templateId?: string; version?: number; label?: string | null };
  agentVersion: number | "draft";
  experiment?: unknown;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

const hrText = `You answer HR questions for {{company}} employees from the handbook.
Answer in a {{tone}} tone.`;
const hrVariables = [
  { name: "company", type: "string", description: "Who the employees work for", maxLength: 80 },
  { name: "tone", type: "enum", values: ["formal", "friendly"], default: "friendly", required: false },
];

async function call<T>(
  path: string,
  init: Parameters<TestPlatform["fetch"]>[1] = {},
  status = 200,
): Promise<T> {
  const res = await platform.fetch(path, init);
  const text = await res.text();
  expect(res.status, `${init.method ?? "GET"} ${path}: ${text}`).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

const post = <T>(path: string, body: unknown, status = 200) =>
  call<T>(path, { method: "POST", json: body }, status);

async function refused(
  path: string,
  init: Parameters<TestPlatform["fetch"]>[1],
  status: number,
): Promise<ErrorBody["error"]> {
  return (await call<ErrorBody>(path, init, status)).error;
}

async function createTemplate(extra: Record<string, unknown> = {}): Promise<Template & { version: Version }> {
  return post(
    "/v1/prompts",
    { name: "HR", text: hrText, variables: hrVariables, note: "first", ...extra },
    201,
  );
}

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  ({ kbId } = await setUpAgents(platform));
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

describe("templates and versions", () => {
  it("creates a template with version 1, its author and note, and reads it back", async () => {
    const created = await createTemplate({ labels: ["staging"] });
    expect(created).toMatchObject({ name: "HR", latestVersion: 1, labels: { staging: 1 }, status: "active" });
    expect(created.version).toMatchObject({
      version: 1,
      note: "first",
      createdBy: expect.stringMatching(/^apikey:/),
    });
    expect(created.version.variables.map((v) => v.maxLength)).toEqual([80, null]);
    const got = await call<Template & { latest: Version }>(`/v1/prompts/${created.id}`);
    expect(got.latest.text).toBe(hrText);
    const list = await call<{ prompts: Template[] }>("/v1/prompts");
    expect(list.prompts.map((p) => p.id)).toContain(created.id);
  });

  it("saves each change as the next immutable version; a replay of the same save adds nothing", async () => {
    const t = await createTemplate();
    const v2 = await post<Version>(
      `/v1/prompts/${t.id}/versions`,
      {
        text: `${hrText}\nMention the intranet.`,
        variables: hrVariables,
        note: "intranet",
        baseVersion: 1,
      },
      201,
    );
    expect(v2).toMatchObject({ version: 2, note: "intranet", unchanged: false });
    const replay = await post<Version>(`/v1/prompts/${t.id}/versions`, {
      text: `${hrText}\nMention the intranet.`,
      variables: hrVariables,
      note: "intranet",
      baseVersion: 1,
    });
    expect(replay).toMatchObject({ version: 2, unchanged: true });
    // Someone else's edit from version 1 now conflicts: it would overwrite version 2 unseen.
    const stale = await refused(
      `/v1/prompts/${t.id}/versions`,
      { method: "POST", json: { text: "Other text", variables: [], baseVersion: 1 } },
      409,
    );
    expect(stale.message).toContain("has a newer version (2) than the one this edit started from (1)");
    const v1 = await call<Version>(`/v1/prompts/${t.id}/versions/1`);
    expect(v1.text).toBe(hrText);
    const page = await call<{ versions: Version[]; nextBefore: number | null }>(
      `/v1/prompts/${t.id}/versions?limit=1`,
    );
    expect(page.versions.map((v) => v.version)).toEqual([2]);
    expect(page.nextBefore).toBe(2);
    const next = await call<{ versions: Version[] }>(`/v1/prompts/${t.id}/versions?limit=1&before=2`);
    expect(next.versions.map((v) => v.version)).toEqual([1]);
  });

  it("refuses a placeholder without a declaration with a 400 naming the variable and its line, and saves nothing", async () => {
    const t = await createTemplate();
    const error = await refused(
      `/v1/prompts/${t.id}/versions`,
      {
        method: "POST",
        json: { text: "Hello {{company}}.\nDear {{customer_name}},", variables: hrVariables.slice(0, 1) },
      },
      400,
    );
    expect(error.message).toContain(
      'line 2: {{customer_name}} uses variable "customer_name", which is not declared',
    );
    expect(error.details?.issues?.[0]).toMatchObject({ path: "text", line: 2, variable: "customer_name" });
    expect((await call<Template>(`/v1/prompts/${t.id}`)).latestVersion).toBe(1);
  });

  it("answers a declared but unused variable as a warning, and refuses a default of the wrong type", async () => {
    const saved = await post<Version>(
      "/v1/prompts",
      {
        name: "Unused",
        text: "No variables used.",
        variables: [{ name: "region", type: "string" }],
      },
      201,
    );
    expect((saved as unknown as { warnings: Version["warnings"] }).warnings).toEqual([
      expect.objectContaining({ variable: "region" }),
    ]);
    const error = await refused(
      "/v1/prompts",
      {
        method: "POST",
        json: { name: "Bad", text: "{{days}}", variables: [{ name: "days", type: "number", default: "25" }] },
      },
      400,
    );
    expect(error.message).toContain('variable "days": its default must be a number, got "25"');
  });

  it("diffs two versions line by line, with the variables' changes", async () => {
    const t = await createTemplate();
    await post(
      `/v1/prompts/${t.id}/versions`,
      {
        text: hrText.replace("{{tone}} tone", "{{tone}} tone, in {{language}}"),
        variables: [...hrVariables, { name: "language", type: "enum", values: ["en", "de"], default: "en" }],
        note: "language",
      },
      201,
    );
    const diff = await call<{
      lines: { op: string; text: string }[];
      variables: { added: { name: string }[] };
      notes: { from: string; to: string };
    }>(`/v1/prompts/${t.id}/diff?from=1&to=2`);
    expect(diff.lines.map((l) => `${l.op}${l.text}`)).toEqual([
      " You answer HR questions for {{company}} employees from the handbook.",
      "-Answer in a {{tone}} tone.",
      "+Answer in a {{tone}} tone, in {{language}}.",
    ]);
    expect(diff.variables.added.map((v) => v.name)).toEqual(["language"]);
    expect(diff.notes).toEqual({ from: "first", to: "language" });
    // Without versions: the latest against the one before.
    expect(await call<{ from: number; to: number }>(`/v1/prompts/${t.id}/diff`)).toMatchObject({
      from: 1,
      to: 2,
    });
    expect((await refused(`/v1/prompts/${t.id}/diff?from=one`, {}, 400)).message).toContain("from");
    expect((await refused(`/v1/prompts/${t.id}/diff?from=1&to=9`, {}, 404)).message).toContain(
      "no version 9",
    );
  });
});

describe("labels and rollback", () => {
  it("moves labels, and rolls production back to an older version without creating one", async () => {
    const t = await createTemplate();
    await post(`/v1/prompts/${t.id}/versions`, { text: `${hrText}\nv2`, variables: hrVariables }, 201);
    await post(`/v1/prompts/${t.id}/versions`, { text: `${hrText}\nv3`, variables: hrVariables }, 201);
    const put = (label: string, version: number) =>
      call<Template>(`/v1/prompts/${t.id}/labels/${label}`, { method: "PUT", json: { version } });
    await put("production", 1);
    await put("production", 3);
    expect((await put("eu-launch", 2)).labels).toEqual({ production: 3, "eu-launch": 2 });

    const back = await post<Template>(`/v1/prompts/${t.id}/rollback`, {});
    expect(back.labels.production).toBe(1);
    expect(back.latestVersion).toBe(3);
    expect(back.labelLog.filter((m) => m.label === "production").map((m) => [m.from, m.to])).toEqual([
      [null, 1],
      [1, 3],
      [3, 1],
    ]);
    // Nothing older than 1 to go back to; a "rollback" forward is refused with where to go instead.
    expect(
      (await refused(`/v1/prompts/${t.id}/rollback`, { method: "POST", json: {} }, 400)).message,
    ).toContain("no version older than 1");
    expect(
      (
        await refused(
          `/v1/prompts/${t.id}/rollback`,
          { method: "POST", json: { label: "eu-launch", version: 3 } },
          400,
        )
      ).message,
    ).toContain("use PUT");
    expect(
      (await post<Template>(`/v1/prompts/${t.id}/rollback`, { label: "eu-launch", version: 1 })).labels[
        "eu-launch"
      ],
    ).toBe(1);

    const removed = await call<Template>(`/v1/prompts/${t.id}/labels/eu-launch`, { method: "DELETE" });
    expect(removed.labels).toEqual({ production: 1 });
    await refused(`/v1/prompts/${t.id}/labels/eu-launch`, { method: "DELETE" }, 404);
    await refused(`/v1/prompts/${t.id}/labels/production`, { method: "PUT", json: { version: 9 } }, 404);
    for (const bad of ["Production", "a_b", "x".repeat(41)]) {
      await refused(`/v1/prompts/${t.id}/labels/${bad}`, { method: "PUT", json: { version: 1 } }, 400);
    }
  });
});

describe("rendering", () => {
  it("renders a label's version with values, and never expands a value again", async () => {
    const t = await createTemplate({ labels: ["production"] });
    const out = await post<{ text: string; version: number; label: string }>(`/v1/prompts/${t.id}/render`, {
      label: "production",
      variables: { company: "{{tone}} Corp {{{{x}}", tone: "formal" },
    });
    expect(out).toMatchObject({ version: 1, label: "production" });
    expect(out.text).toBe(
      "You answer HR questions for {{tone}} Corp {{{{x}} employees from the handbook.\nAnswer in a formal tone.",
    );
  });

  it("refuses missing, mistyped, too long and undeclared values, naming the variable", async () => {
    const t = await createTemplate();
    const render = (variables: unknown) =>
      refused(`/v1/prompts/${t.id}/render`, { method: "POST", json: { variables } }, 400);
    expect((await render({})).message).toContain('variable "company" is required');
    expect((await render({ company: "Acme", tone: "rude" })).message).toContain('"tone" must be one of');
    expect((await render({ company: "x".repeat(81) })).message).toContain("above its maxLength of 80");
    expect((await render({ company: "Acme", salary: 1 })).message).toContain('"salary" is not declared');
    expect((await render({ "bad name": 1 })).message).toContain("variables.bad name: Invalid key");
  });
});

describe("hostile input", () => {
  it("refuses oversized texts, too many variables and labels, and malformed bodies, and creates nothing", async () => {
    const before = (await call<{ prompts: Template[] }>("/v1/prompts")).prompts.length;
    const create = (body: unknown, status: number) =>
      refused("/v1/prompts", { method: "POST", json: body }, status);
    expect((await create({ name: "Big", text: "x".repeat(20_001) }, 400)).message).toContain(
      "text is limited to 20000 characters",
    );
    const many = Array.from({ length: 51 }, (_, i) => ({ name: `v${i}`, type: "string" }));
    expect((await create({ name: "Many", text: "x", variables: many }, 400)).message).toContain(
      "at most 50 variables",
    );
    const labels = Array.from({ length: 21 }, (_, i) => `l${i}`);
    expect((await create({ name: "Labels", text: "x", labels }, 400)).message).toContain("at most 20 labels");
    await create({ name: "Strict", text: "x", tenantId: "globex" }, 400);
    await create({ name: "", text: "x" }, 400);
    await create({ name: "Types", text: "x", variables: [{ name: "a", type: "date" }] }, 400);
    const huge = await platform.fetch("/v1/prompts", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Huge", text: "y".repeat(2_000_000) }),
    });
    expect(huge.status).toBe(413);
    expect((await call<{ prompts: Template[] }>("/v1/prompts")).prompts.length).toBe(before);
  });

  it("archives a template: hidden from the list, unchangeable, and no longer referenceable", async () => {
    const t = await createTemplate({ labels: ["production"] });
    await call(`/v1/prompts/${t.id}`, { method: "DELETE" }, 204);
    expect((await call<{ prompts: Template[] }>("/v1/prompts")).prompts.map((p) => p.id)).not.toContain(t.id);
    expect((await call<Template>(`/v1/prompts/${t.id}`)).status).toBe("archived");
    await refused(`/v1/prompts/${t.id}/versions`, { method: "POST", json: { text: "x" } }, 400);
    const error = await refused(
      "/v1/agents",
      {
        method: "POST",
        json: {
          name: "Late",
          prompt: { templateId: t.id, label: "production", variables: { company: "Acme" } },
        },
      },
      400,
    );
    expect(error.message).toContain("is archived");
  });
});

describe("agents that use a template", () => {
  const createAgent = (prompt: unknown, key?: string) =>
    platform.fetch("/v1/agents", {
      method: "POST",
      json: { name: "Templated HR", knowledgeBaseIds: key ? [] : [kbId], confidenceThreshold: 0.5, prompt },
      key,
    });

  it("refuses at save a missing, mistyped or undeclared value, an unknown label or version, naming it", async () => {
    const t = await createTemplate({ labels: ["production"] });
    const save = async (prompt: unknown) => {
      const res = await createAgent(prompt);
      expect(res.status, await res.clone().text()).toBe(400);
      return (await json<ErrorBody>(res)).error;
    };
    const missing = await save({ templateId: t.id, label: "production", variables: {} });
    expect(missing.message).toContain('prompt: variable "company" is required by prompt template');
    expect(missing.details?.issues?.[0]).toMatchObject({
      path: "prompt.variables.company",
      variable: "company",
    });
    expect((await save({ templateId: t.id, version: 1, variables: { company: 7 } })).message).toContain(
      '"company" must be a string, got 7',
    );
    expect(
      (await save({ templateId: t.id, version: 1, variables: { company: "A", mood: "x" } })).message,
    ).toContain('"mood" is not declared');
    expect(
      (await save({ templateId: t.id, label: "staging", variables: { company: "A" } })).message,
    ).toContain('has no label "staging"');
    expect((await save({ templateId: t.id, version: 4, variables: { company: "A" } })).message).toContain(
      "no version 4",
    );
    expect(
      (await save({ templateId: t.id, label: "production", version: 1, variables: {} })).message,
    ).toContain("exactly one of label or version");
  });

  it("reads another workspace's template as not found", async () => {
    const t = await createTemplate({ labels: ["production"] });
    const res = await createAgent(
      { templateId: t.id, label: "production", variables: { company: "Globex" } },
      platform.keys.otherTenantOwner,
    );
    expect(res.status).toBe(404);
    expect((await json<ErrorBody>(res)).error.message).toBe(`Prompt template ${t.id} not found`);
  });

  it("pins the label's version at publish; the draft follows the label; the trace records what rendered", async () => {
    const t = await createTemplate({ labels: ["production"] });
    const res = await createAgent({ templateId: t.id, label: "production", variables: { company: "Acme" } });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id: agentId } = await json<{ id: string }>(res);
    await post(`/v1/agents/${agentId}/publish`, {});
    const versions = await call<{ versions: { config: { prompt: unknown } }[] }>(
      `/v1/agents/${agentId}/versions`,
    );
    expect(versions.versions[0]?.config.prompt).toEqual({
      templateId: t.id,
      label: "production",
      version: 1,
      variables: { company: "Acme" },
    });

    const ask = async (version?: string): Promise<TraceView> => {
      const conv = await post<{ id: string }>(
        `/v1/agents/${agentId}/conversations`,
        version ? { version } : {},
        201,
      );
      const answer = await post<{ message: { traceId: string } }>(`/v1/conversations/${conv.id}/messages`, {
        content: vacationQuestion,
      });
      return call<TraceView>(`/v1/traces/${answer.message.traceId}`);
    };
    const v1Text =
      "You answer HR questions for Acme employees from the handbook.\nAnswer in a friendly tone.";
    const served = await ask();
    expect(served.prompt).toMatchObject({
      templateId: t.id,
      version: 1,
      label: "production",
      instructionsSha256: sha256(v1Text),
    });

    // Version 2 goes to production: the draft follows at once, the published version does not.
    await post(
      `/v1/prompts/${t.id}/versions`,
      {
        text: hrText.replace("from the handbook", "from the 2027 handbook"),
        variables: hrVariables,
        labels: ["production"],
      },
      201,
    );
    const v2Text = v1Text.replace("from the handbook", "from the 2027 handbook");
    expect((await ask()).prompt).toMatchObject({ version: 1, instructionsSha256: sha256(v1Text) });
    expect((await ask("draft")).prompt).toMatchObject({
      version: 2,
      label: "production",
      instructionsSha256: sha256(v2Text),
    });

    // Publishing again serves version 2; a rollback of the agent serves version 1 again, as it was.
    await post(`/v1/agents/${agentId}/publish`, {});
    expect((await ask()).prompt).toMatchObject({ version: 2, instructionsSha256: sha256(v2Text) });
    await post(`/v1/agents/${agentId}/rollback`, { version: 1 });
    expect((await ask()).prompt).toMatchObject({ version: 1, instructionsSha256: sha256(v1Text) });
  });

  it("refuses to publish when the label now needs a value the draft does not give, naming it", async () => {
    const t = await createTemplate({ labels: ["production"] });
    const { id: agentId } = await json<{ id: string }>(
      await createAgent({ templateId: t.id, label: "production", variables: { company: "Acme" } }),
    );
    await post(
      `/v1/prompts/${t.id}/versions`,
      {
        text: `${hrText}\nThe HR contact is {{contact}}.`,
        variables: [...hrVariables, { name: "contact", type: "string" }],
        labels: ["production"],
      },
      201,
    );
    const error = await refused(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} }, 400);
    expect(error.message).toContain('variable "contact" is required');
    expect((await call<{ latestVersion: number }>(`/v1/agents/${agentId}`)).latestVersion).toBe(0);
    // Giving the value makes it publishable; removing the template brings the agent's own instructions back.
    await call(`/v1/agents/${agentId}`, {
      method: "PATCH",
      json: {
        prompt: {
          templateId: t.id,
          label: "production",
          variables: { company: "Acme", contact: "hr@acme.example" },
        },
      },
    });
    await post(`/v1/agents/${agentId}/publish`, {});
    const patched = await call<{ prompt: unknown }>(`/v1/agents/${agentId}`, {
      method: "PATCH",
      json: { prompt: null },
    });
    expect(patched.prompt).toBeNull();
  });
});
