import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrPrompt, hrPromptVersions } from "../../test/promptFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { PlatformRequestError } from "../platform";
import { parsePromptTemplate, parsePromptVersion, restPrompts } from "./prompts";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("prompt templates over REST", () => {
  it("lists a template's versions newest first, asking for the largest page", async () => {
    const platform = stubPlatform({
      "GET /v1/prompts/prm_hr/versions": () =>
        jsonResponse({ versions: [...hrPromptVersions].reverse(), nextBefore: null }),
    });
    const versions = await restPrompts.listPromptVersions("prm_hr", new AbortController().signal);
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(platform.sent("GET /v1/prompts/prm_hr/versions")[0]?.query.get("limit")).toBe("200");
    expect(versions[0]?.variables[1]).toEqual({
      name: "tone",
      type: "enum",
      required: true,
      default: "friendly",
      description: "How the assistant sounds",
      values: ["friendly", "formal"],
      maxLength: null,
    });
  });

  it("saves a version from the one it started from, and says when nothing changed", async () => {
    const platform = stubPlatform({
      "POST /v1/prompts/prm_hr/versions": () =>
        jsonResponse(
          {
            ...hrPromptVersions[0],
            labels: hrPrompt.labels,
            unchanged: true,
            warnings: [
              {
                path: "variables.1.name",
                variable: "tone",
                message: 'variable "tone" is declared but the text never uses it',
              },
            ],
          },
          200,
        ),
    });
    const saved = await restPrompts.savePromptVersion("prm_hr", {
      text: hrPromptVersions[0]!.text,
      variables: [],
      note: "",
      baseVersion: 3,
    });
    expect(saved.unchanged).toBe(true);
    expect(saved.version.version).toBe(3);
    expect(saved.warnings).toEqual(['variable "tone" is declared but the text never uses it']);
    expect(platform.sent("POST /v1/prompts/prm_hr/versions")[0]?.body).toMatchObject({ baseVersion: 3 });
  });

  it("moves a label with PUT, rolls production back with the label and version named, and renders", async () => {
    const platform = stubPlatform({
      "PUT /v1/prompts/prm_hr/labels/canary-eu": () =>
        jsonResponse({ ...hrPrompt, labels: { ...hrPrompt.labels, "canary-eu": 1 } }),
      "POST /v1/prompts/prm_hr/rollback": () =>
        jsonResponse({ ...hrPrompt, labels: { production: 1, staging: 3 } }),
      "POST /v1/prompts/prm_hr/render": () =>
        jsonResponse({
          templateId: "prm_hr",
          version: 2,
          label: "production",
          text: "You are the HR assistant of Acme.",
        }),
    });
    const moved = await restPrompts.setPromptLabel("prm_hr", "canary-eu", 1);
    const rolled = await restPrompts.rollbackPrompt("prm_hr", "production", 1);
    const rendered = await restPrompts.renderPrompt("prm_hr", {
      label: "production",
      variables: { company: "Acme" },
    });
    expect(moved.labels["canary-eu"]).toBe(1);
    expect(rolled.labels.production).toBe(1);
    expect(rendered).toEqual({ text: "You are the HR assistant of Acme.", version: 2 });
    expect(platform.sent("PUT /v1/prompts/prm_hr/labels/canary-eu")[0]?.body).toEqual({ version: 1 });
    expect(platform.sent("POST /v1/prompts/prm_hr/rollback")[0]?.body).toEqual({
      label: "production",
      version: 1,
    });
  });

  it("keeps the platform's field issues on a refused version", async () => {
    stubPlatform({
      "POST /v1/prompts/prm_hr/versions": () =>
        errorResponse(
          400,
          "invalid-argument",
          'The version cannot be saved: line 1: {{x}} uses variable "x", which is not declared',
          {
            issues: [
              {
                path: "text",
                line: 1,
                variable: "x",
                message: 'line 1: {{x}} uses variable "x", which is not declared',
              },
            ],
          },
        ),
    });
    const error = await restPrompts
      .savePromptVersion("prm_hr", { text: "{{x}}", variables: [], note: "" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformRequestError);
    expect((error as PlatformRequestError).issues).toEqual([
      { path: "text", message: 'line 1: {{x}} uses variable "x", which is not declared' },
    ]);
  });
});

describe("parsing templates and versions", () => {
  it("reads a template's labels and refuses a label pointing at no version", () => {
    expect(parsePromptTemplate(hrPrompt).labels).toEqual({ production: 2, staging: 3 });
    expect(() => parsePromptTemplate({ ...hrPrompt, labels: { production: "2" } })).toThrow(
      /^labels\.production$/,
    );
  });

  it("names the field of a version it cannot read", () => {
    expect(() =>
      parsePromptVersion({ ...hrPromptVersions[0], variables: [{ name: "tone", type: "colour" }] }),
    ).toThrow(/^variables\[0\]\.type$/);
  });

  it("reports an answer that is not a list as an invalid response naming the request", async () => {
    stubPlatform({ "GET /v1/prompts": () => jsonResponse({ templates: [] }) });
    await expect(restPrompts.listPrompts(new AbortController().signal)).rejects.toThrow(
      "GET /v1/prompts answered with something that is not a list of prompt templates (prompts).",
    );
  });
});
