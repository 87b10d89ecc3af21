/**
 * Prompt templates over the platform's REST API (both modes: templates are changed and rendered by the
 * platform): the requests, and the reading of their answers, checked at the edge so the Prompts page can trust
 * every field it shows.
 */
import {
  promptVersionsListed,
  variableTypes,
  type PromptRendering,
  type SavedPromptVersion,
  type PromptsSource,
  type PromptTemplate,
  type PromptVariable,
  type PromptVersion,
  type VariableValue,
} from "../prompts";
import { requestAsSignedIn } from "../session";
import {
  field,
  isBoolean,
  isCount,
  isInstant,
  isNullableString,
  isOneOf,
  isString,
  isStringArray,
  list,
  optional,
  parseWith,
  record,
  ShapeError,
  within,
} from "./shape";

export const promptsPath = "/v1/prompts";
export const promptPath = (promptId: string) => `${promptsPath}/${encodeURIComponent(promptId)}`;
const versionsPath = (promptId: string) => `${promptPath(promptId)}/versions`;
const labelPath = (promptId: string, label: string) =>
  `${promptPath(promptId)}/labels/${encodeURIComponent(label)}`;

async function changeTemplate(
  method: "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<PromptTemplate> {
  const answer = await requestAsSignedIn(path, { method, ...(body === undefined ? {} : { body }) });
  return parseWith(() => parsePromptTemplate(answer), `${method} ${path}`, path, "a prompt template");
}

export const restPrompts: PromptsSource = {
  async listPrompts(signal) {
    const body = await requestAsSignedIn(promptsPath, { signal });
    return parseWith(
      () => list(body, "prompts").map((v, i) => within(`prompts[${i}]`, () => parsePromptTemplate(v))),
      `GET ${promptsPath}`,
      promptsPath,
      "a list of prompt templates",
    );
  },
  async getPrompt(promptId, signal) {
    const path = promptPath(promptId);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parsePromptTemplate(body), `GET ${path}`, path, "a prompt template");
  },
  async listPromptVersions(promptId, signal) {
    const path = `${versionsPath(promptId)}?limit=${promptVersionsListed}`;
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(
      () =>
        list(body, "versions")
          .map((v, i) => within(`versions[${i}]`, () => parsePromptVersion(v)))
          .sort((a, b) => b.version - a.version),
      `GET ${path}`,
      path,
      "a list of prompt versions",
    );
  },
  createPrompt: (input) => changeTemplate("POST", promptsPath, input),
  async savePromptVersion(promptId, input) {
    const path = versionsPath(promptId);
    const body = await requestAsSignedIn(path, { method: "POST", body: input });
    return parseWith(() => parseSavedVersion(body), `POST ${path}`, path, "a prompt version");
  },
  setPromptLabel: (promptId, label, version) =>
    changeTemplate("PUT", labelPath(promptId, label), { version }),
  removePromptLabel: (promptId, label) => changeTemplate("DELETE", labelPath(promptId, label)),
  rollbackPrompt: (promptId, label, version) =>
    changeTemplate("POST", `${promptPath(promptId)}/rollback`, { label, version }),
  async archivePrompt(promptId) {
    await requestAsSignedIn(promptPath(promptId), { method: "DELETE" });
  },
  async renderPrompt(promptId, request, signal) {
    const path = `${promptPath(promptId)}/render`;
    const body = await requestAsSignedIn(path, {
      method: "POST",
      body: request,
      ...(signal ? { signal } : {}),
    });
    return parseWith(() => parseRendering(body), `POST ${path}`, path, "a rendered prompt");
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

const isVersionNumber = (v: unknown): v is number => isCount(v) && v > 0;
const isValue = (v: unknown): v is VariableValue =>
  typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

function parseLabels(value: unknown): Record<string, number> {
  const labels = record(value, "labels");
  const parsed: Record<string, number> = {};
  for (const [label, version] of Object.entries(labels)) {
    if (!isVersionNumber(version)) throw new ShapeError(label);
    parsed[label] = version;
  }
  return parsed;
}

export function parsePromptTemplate(value: unknown): PromptTemplate {
  const t = record(value, "prompt");
  return {
    id: field(t, "id", isString),
    name: field(t, "name", isString),
    description: optional(t, "description", isString, ""),
    labels: within("labels", () => parseLabels(t.labels ?? {})),
    latestVersion: field(t, "latestVersion", isCount),
    createdAt: field(t, "createdAt", isInstant),
    updatedAt: field(t, "updatedAt", isInstant),
  };
}

export function parseVariable(value: unknown): PromptVariable {
  const v = record(value, "variable");
  return {
    name: field(v, "name", isString),
    type: field(v, "type", isOneOf(variableTypes)),
    required: optional(v, "required", (x): x is boolean => typeof x === "boolean", false),
    default: optional(v, "default", isValue, null),
    values: optional(v, "values", isStringArray, []),
    description: optional(v, "description", isString, ""),
    maxLength: optional(v, "maxLength", isCount, null),
  };
}

export function parsePromptVersion(value: unknown): PromptVersion {
  const v = record(value, "version");
  return {
    version: field(v, "version", isVersionNumber),
    text: field(v, "text", isString),
    variables: field(v, "variables", Array.isArray).map((x, i) =>
      within(`variables[${i}]`, () => parseVariable(x)),
    ),
    note: optional(v, "note", isString, ""),
    createdBy: optional(v, "createdBy", isNullableString, null),
    createdAt: field(v, "createdAt", isInstant),
  };
}

function parseSavedVersion(value: unknown): SavedPromptVersion {
  const v = record(value, "body");
  return {
    version: parsePromptVersion(v),
    unchanged: optional(v, "unchanged", isBoolean, false),
    warnings: optional(v, "warnings", Array.isArray, []).map((w, i) =>
      within(`warnings[${i}]`, () => field(record(w, "warning"), "message", isString)),
    ),
  };
}

function parseRendering(value: unknown): PromptRendering {
  const r = record(value, "body");
  return { text: field(r, "text", isString), version: field(r, "version", isVersionNumber) };
}
