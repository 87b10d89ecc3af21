/**
 * Prompt templates: create, list, read, save a new version (every save is one, numbered, immutable, with its
 * author and note), diff two versions, point labels at versions, roll a label back, archive, and render a
 * version with values. Agents reference a template by label or version (`PromptRef`); this module checks such a
 * reference when an agent is saved or published, pins a label to the version it points at when an agent is
 * published, and renders it when a turn runs (agents/agents.ts `resolveConfig`).
 *
 * Rollback moves a label back to an older version; it creates no version. The old version is already stored,
 * unchanged, under its number: a copy would be a second number for the same text, blurring the history that
 * diffs and traces refer to. Every move is kept in the template's `labelLog` (and the audit log), which is what
 * a rollback without a version goes back through.
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { DocSnapshot, Transaction } from "../platform/ports.js";
import { nameSchema, validate } from "../platform/validation.js";
import { diffLines, diffVariables, type LineDiff, type VariableChanges } from "./diff.js";
import { checkVersion, refuse, renderTemplate, valueIssues, type TemplateIssue } from "./render.js";
import {
  labelSchema,
  promptLimits,
  promptPath,
  promptsPath,
  promptTemplateSchema,
  promptVersionPath,
  promptVersionsPath,
  promptVersionSchema,
  variableSchema,
  variableValueSchema,
  variableNameSchema,
  type LabelMove,
  type PromptRef,
  type PromptTemplate,
  type PromptUse,
  type PromptVersion,
  type VariableValue,
} from "./schema.js";

// ----- inputs ------------------------------------------------------------------------------------------

const textSchema = z.string().max(promptLimits.text, `text is limited to ${promptLimits.text} characters`);
const variablesInput = z
  .array(variableSchema)
  .max(promptLimits.variables, `at most ${promptLimits.variables} variables`)
  .default([]);
const labelsInput = z
  .array(labelSchema)
  .max(promptLimits.labels, `at most ${promptLimits.labels} labels`)
  .default([]);

export const createPromptInput = z
  .object({
    name: nameSchema("name", 120),
    description: z.string().max(promptLimits.description).default(""),
    text: textSchema,
    variables: variablesInput,
    note: z.string().max(promptLimits.note).default(""),
    /** Labels to point at this first version (e.g. ["staging"]). */
    labels: labelsInput,
  })
  .strict();

export const saveVersionInput = z
  .object({
    text: textSchema,
    variables: variablesInput,
    note: z.string().max(promptLimits.note).default(""),
    /** Labels to move to the new version, in the same write. */
    labels: labelsInput,
    /**
     * The version this edit started from: the save is refused (409) when someone saved a newer one since, so
     * two editors (or a replayed request) never overwrite each other's work unseen.
     */
    baseVersion: z.number().int().min(1).optional(),
  })
  .strict();

export const updatePromptInput = z
  .object({
    name: nameSchema("name", 120),
    description: z.string().max(promptLimits.description),
  })
  .partial()
  .strict();

export const setLabelInput = z.object({ version: z.number().int().min(1) }).strict();

export const rollbackInput = z
  .object({
    label: labelSchema.default("production"),
    /** Older than the label's version; without one, the label's latest earlier version (from its moves). */
    version: z.number().int().min(1).optional(),
  })
  .strict();

export const renderInput = z
  .object({
    version: z.number().int().min(1).optional(),
    label: labelSchema.optional(),
    variables: z
      .record(variableNameSchema, variableValueSchema)
      .refine((v) => Object.keys(v).length <= promptLimits.variables, {
        message: `at most ${promptLimits.variables} variables`,
      })
      .default({}),
  })
  .strict()
  .refine((r) => !(r.version !== undefined && r.label !== undefined), {
    message: "name a version or a label, not both",
    path: ["label"],
  });

export const versionPageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The previous page's `nextBefore`: versions older than it come next. */
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

// ----- views -------------------------------------------------------------------------------------------

export type PromptTemplateView = PromptTemplate & { readonly id: string };
export type PromptVersionView = PromptVersion & { readonly templateId: string };

const templateView = (id: string, t: PromptTemplate): PromptTemplateView => ({ id, ...t });

interface Reader {
  get<T = Record<string, unknown>>(path: string): Promise<DocSnapshot<T> | null>;
}

async function loadTemplate(reader: Reader, tenantId: string, promptId: string): Promise<PromptTemplate> {
  const snap = await reader.get(promptPath(tenantId, promptId));
  if (!snap) throw new AppError("not-found", `Prompt template ${promptId} not found`);
  return promptTemplateSchema.parse(snap.data);
}

async function loadVersion(
  reader: Reader,
  tenantId: string,
  promptId: string,
  version: number,
  latest?: number,
): Promise<PromptVersion> {
  const snap = await reader.get(promptVersionPath(tenantId, promptId, version));
  if (!snap) {
    throw new AppError(
      "not-found",
      `Prompt template ${promptId} has no version ${version}` + (latest ? ` (versions: 1-${latest})` : ""),
    );
  }
  return promptVersionSchema.parse(snap.data);
}

const sourceOf = (promptId: string, version: number): string =>
  `prompt template ${promptId} version ${version}`;

// ----- templates ---------------------------------------------------------------------------------------

/** Checks a version's text and variables; refuses (400) naming the first error, answers the warnings. */
function checkedVersion(
  text: string,
  variables: PromptVersion["variables"],
): { variables: PromptVersion["variables"]; warnings: TemplateIssue[] } {
  const check = checkVersion(text, variables);
  if (check.errors.length > 0) refuse(check.errors, "The version cannot be saved");
  return { variables: check.variables, warnings: check.warnings };
}

function moveLabels(
  template: PromptTemplate,
  labels: readonly string[],
  version: number | null,
  by: string,
  at: string,
): Pick<PromptTemplate, "labels" | "labelLog"> {
  const next = { ...template.labels };
  const log: LabelMove[] = [...template.labelLog];
  for (const label of new Set(labels)) {
    const from = next[label] ?? null;
    if (from === version) continue;
    if (version === null) delete next[label];
    else next[label] = version;
    log.push({ label, from, to: version, by, at });
  }
  if (Object.keys(next).length > promptLimits.labels) {
    throw new AppError(
      "invalid-argument",
      `A template has at most ${promptLimits.labels} labels; remove one first (DELETE .../labels/{label})`,
    );
  }
  return { labels: next, labelLog: log.slice(-promptLimits.labelLog) };
}

export async function createPrompt(
  deps: Deps,
  tenantId: string,
  input: z.input<typeof createPromptInput>,
  actor: string,
): Promise<PromptTemplateView & { version: PromptVersionView; warnings: TemplateIssue[] }> {
  const parsed = validate(createPromptInput, input, "request body");
  const { variables, warnings } = checkedVersion(parsed.text, parsed.variables);
  const count = await deps.store.count({ collection: promptsPath(tenantId) });
  if (count >= promptLimits.templates) {
    throw new AppError(
      "failed-precondition",
      `A workspace has at most ${promptLimits.templates} prompt templates (archived ones included)`,
    );
  }
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const version: PromptVersion = {
    version: 1,
    text: parsed.text,
    variables,
    note: parsed.note,
    createdBy: actor,
    createdAt: now,
  };
  const empty: PromptTemplate = {
    name: parsed.name,
    description: parsed.description,
    labels: {},
    latestVersion: 1,
    labelLog: [],
    status: "active",
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  };
  const template: PromptTemplate = { ...empty, ...moveLabels(empty, parsed.labels, 1, actor, now) };
  const batch = deps.store.batch();
  batch.create(promptPath(tenantId, id), template);
  batch.create(promptVersionPath(tenantId, id, 1), version);
  await recordAudit(
    deps,
    {
      tenantId,
      actor,
      action: "prompt.create",
      target: { type: "prompt", id },
      after: { name: template.name, version: 1, labels: template.labels },
    },
    batch,
  );
  await batch.commit();
  return { ...templateView(id, template), version: { templateId: id, ...version }, warnings };
}

export async function listPrompts(
  deps: Deps,
  tenantId: string,
  options: { includeArchived?: boolean } = {},
): Promise<PromptTemplateView[]> {
  const snaps = await deps.store.query({ collection: promptsPath(tenantId) });
  return snaps
    .map((s) => templateView(s.id, promptTemplateSchema.parse(s.data)))
    .filter((t) => options.includeArchived || t.status !== "archived")
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? -1 : 1));
}

/** A template and its latest version. */
export async function getPrompt(
  deps: Deps,
  tenantId: string,
  promptId: string,
): Promise<PromptTemplateView & { latest: PromptVersionView }> {
  const template = await loadTemplate(deps.store, tenantId, promptId);
  const latest = await loadVersion(deps.store, tenantId, promptId, template.latestVersion);
  return { ...templateView(promptId, template), latest: { templateId: promptId, ...latest } };
}

/** Runs `change` on the template in a transaction; archived templates cannot change. */
async function changeTemplate<R>(
  deps: Deps,
  tenantId: string,
  promptId: string,
  change: (
    template: PromptTemplate,
    now: string,
    tx: Transaction,
  ) => Promise<{
    patch: Partial<PromptTemplate>;
    result: R;
    audit?: { action: string; before: unknown; after: unknown };
  }>,
  actor: string,
): Promise<R> {
  const path = promptPath(tenantId, promptId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Prompt template ${promptId} not found`);
    const template = promptTemplateSchema.parse(snap.data);
    if (template.status === "archived") {
      throw new AppError(
        "failed-precondition",
        `Prompt template ${promptId} is archived and can no longer change`,
      );
    }
    const now = deps.clock.nowIso();
    const { patch, result, audit } = await change(template, now, tx);
    if (Object.keys(patch).length === 0) return result;
    tx.update(path, { ...patch, updatedAt: now });
    if (audit) {
      await recordAudit(
        deps,
        {
          tenantId,
          actor,
          action: audit.action,
          target: { type: "prompt", id: promptId },
          before: audit.before,
          after: audit.after,
        },
        tx,
      );
    }
    return result;
  });
}

export async function updatePrompt(
  deps: Deps,
  tenantId: string,
  promptId: string,
  patch: z.infer<typeof updatePromptInput>,
  actor: string,
): Promise<PromptTemplateView> {
  return changeTemplate(
    deps,
    tenantId,
    promptId,
    async (template) => {
      const next: Partial<PromptTemplate> = {};
      if (patch.name !== undefined && patch.name !== template.name) next.name = patch.name;
      if (patch.description !== undefined && patch.description !== template.description)
        next.description = patch.description;
      return {
        patch: next,
        result: templateView(promptId, { ...template, ...next }),
        audit: { action: "prompt.update", before: { name: template.name }, after: next },
      };
    },
    actor,
  );
}

export type SavedVersion = PromptVersionView & {
  readonly labels: Record<string, number>;
  readonly warnings: TemplateIssue[];
  /** True when the text and variables equal the latest version's: nothing was saved. */
  readonly unchanged: boolean;
};

/**
 * Saves the next version. Identical text and variables to the latest version save nothing: the latest is
 * answered (`unchanged: true`), so a replayed save does not add a duplicate; labels named are still moved.
 */
export async function savePromptVersion(
  deps: Deps,
  tenantId: string,
  promptId: string,
  input: z.input<typeof saveVersionInput>,
  actor: string,
): Promise<SavedVersion> {
  const parsed = validate(saveVersionInput, input, "request body");
  const { variables, warnings } = checkedVersion(parsed.text, parsed.variables);
  return changeTemplate<SavedVersion>(
    deps,
    tenantId,
    promptId,
    async (template, now, tx) => {
      const latest = await loadVersion(tx, tenantId, promptId, template.latestVersion);
      const same = latest.text === parsed.text && isDeepStrictEqual(latest.variables, variables);
      if (parsed.baseVersion !== undefined && parsed.baseVersion !== template.latestVersion && !same) {
        throw new AppError(
          "aborted",
          `Prompt template ${promptId} has a newer version (${template.latestVersion}) than the one this edit started from (${parsed.baseVersion}): reload it and save again`,
        );
      }
      if (same) {
        const moved = moveLabels(template, parsed.labels, latest.version, actor, now);
        const changed = !isDeepStrictEqual(moved.labels, template.labels);
        return {
          patch: changed ? moved : {},
          result: { templateId: promptId, ...latest, labels: moved.labels, warnings, unchanged: true },
          ...(changed
            ? {
                audit: {
                  action: "prompt.label",
                  before: { labels: template.labels },
                  after: { labels: moved.labels },
                },
              }
            : {}),
        };
      }
      if (template.latestVersion >= promptLimits.versions) {
        throw new AppError(
          "failed-precondition",
          `Prompt template ${promptId} has ${promptLimits.versions} versions, the most a template holds: create a new template`,
        );
      }
      const number = template.latestVersion + 1;
      const version: PromptVersion = {
        version: number,
        text: parsed.text,
        variables,
        note: parsed.note,
        createdBy: actor,
        createdAt: now,
      };
      const moved = moveLabels(template, parsed.labels, number, actor, now);
      tx.create(promptVersionPath(tenantId, promptId, number), version);
      return {
        patch: { latestVersion: number, ...moved },
        result: { templateId: promptId, ...version, labels: moved.labels, warnings, unchanged: false },
        audit: {
          action: "prompt.version",
          before: { latestVersion: template.latestVersion, labels: template.labels },
          after: { latestVersion: number, labels: moved.labels, note: parsed.note },
        },
      };
    },
    actor,
  );
}

export async function listPromptVersions(
  deps: Deps,
  tenantId: string,
  promptId: string,
  query: z.infer<typeof versionPageQuery>,
): Promise<{ versions: PromptVersionView[]; nextBefore: number | null }> {
  await loadTemplate(deps.store, tenantId, promptId);
  const snaps = await deps.store.query({
    collection: promptVersionsPath(tenantId, promptId),
    ...(query.before !== undefined ? { where: [{ field: "version", op: "<", value: query.before }] } : {}),
    orderBy: [{ field: "version", direction: "desc" }],
    limit: query.limit,
  });
  const versions = snaps.map((s) => ({ templateId: promptId, ...promptVersionSchema.parse(s.data) }));
  const last = versions.at(-1);
  return {
    versions,
    nextBefore: versions.length === query.limit && last && last.version > 1 ? last.version : null,
  };
}

export async function getPromptVersion(
  deps: Deps,
  tenantId: string,
  promptId: string,
  version: number,
): Promise<PromptVersionView> {
  const template = await loadTemplate(deps.store, tenantId, promptId);
  return {
    templateId: promptId,
    ...(await loadVersion(deps.store, tenantId, promptId, version, template.latestVersion)),
  };
}

export interface VersionDiff extends LineDiff {
  readonly templateId: string;
  readonly from: number;
  readonly to: number;
  readonly variables: VariableChanges;
  readonly notes: { readonly from: string; readonly to: string };
}

export async function diffPromptVersions(
  deps: Deps,
  tenantId: string,
  promptId: string,
  versions: { from?: number | undefined; to?: number | undefined },
): Promise<VersionDiff> {
  const template = await loadTemplate(deps.store, tenantId, promptId);
  const to = versions.to ?? template.latestVersion;
  const from = versions.from ?? Math.max(1, to - 1);
  const [a, b] = await Promise.all([
    loadVersion(deps.store, tenantId, promptId, from, template.latestVersion),
    loadVersion(deps.store, tenantId, promptId, to, template.latestVersion),
  ]);
  return {
    templateId: promptId,
    from,
    to,
    ...diffLines(a.text, b.text),
    variables: diffVariables(a.variables, b.variables),
    notes: { from: a.note, to: b.note },
  };
}

/** Points `label` at `version` (creating the label). */
export async function setPromptLabel(
  deps: Deps,
  tenantId: string,
  promptId: string,
  label: string,
  version: number,
  actor: string,
): Promise<PromptTemplateView> {
  return changeTemplate(
    deps,
    tenantId,
    promptId,
    async (template, now, tx) => {
      await loadVersion(tx, tenantId, promptId, version, template.latestVersion);
      const moved = moveLabels(template, [label], version, actor, now);
      const changed = !isDeepStrictEqual(moved.labels, template.labels);
      return {
        patch: changed ? moved : {},
        result: templateView(promptId, { ...template, ...moved }),
        audit: {
          action: "prompt.label",
          before: { [label]: template.labels[label] ?? null },
          after: { [label]: version },
        },
      };
    },
    actor,
  );
}

export async function removePromptLabel(
  deps: Deps,
  tenantId: string,
  promptId: string,
  label: string,
  actor: string,
): Promise<PromptTemplateView> {
  return changeTemplate(
    deps,
    tenantId,
    promptId,
    async (template, now) => {
      if (template.labels[label] === undefined) {
        throw new AppError(
          "not-found",
          `Prompt template ${promptId} has no label "${label}" (labels: ${Object.keys(template.labels).join(", ") || "none"})`,
        );
      }
      const moved = moveLabels(template, [label], null, actor, now);
      return {
        patch: moved,
        result: templateView(promptId, { ...template, ...moved }),
        audit: {
          action: "prompt.label",
          before: { [label]: template.labels[label] },
          after: { [label]: null },
        },
      };
    },
    actor,
  );
}

/**
 * Moves a label back to an older version (no version is created). Without `version`, to the most recent
 * earlier version the label pointed at that is older than where it is now.
 */
export async function rollbackPromptLabel(
  deps: Deps,
  tenantId: string,
  promptId: string,
  input: z.infer<typeof rollbackInput>,
  actor: string,
): Promise<PromptTemplateView> {
  const { label } = input;
  return changeTemplate(
    deps,
    tenantId,
    promptId,
    async (template, now, tx) => {
      const current = template.labels[label];
      if (current === undefined) {
        throw new AppError(
          "failed-precondition",
          `Prompt template ${promptId} has no label "${label}" to roll back (labels: ${Object.keys(template.labels).join(", ") || "none"})`,
        );
      }
      let target = input.version;
      if (target === undefined) {
        const earlier = [...template.labelLog]
          .reverse()
          .find((m) => m.label === label && m.from !== null && m.from < current);
        if (!earlier?.from) {
          throw new AppError(
            "failed-precondition",
            `Label "${label}" of prompt template ${promptId} has pointed at no version older than ${current}: name the version to roll back to`,
          );
        }
        target = earlier.from;
      }
      if (target >= current) {
        throw new AppError(
          "invalid-argument",
          `A rollback moves label "${label}" to a version older than ${current}; to move it to ${target}, use PUT /v1/prompts/${promptId}/labels/${label}`,
        );
      }
      await loadVersion(tx, tenantId, promptId, target, template.latestVersion);
      const moved = moveLabels(template, [label], target, actor, now);
      return {
        patch: moved,
        result: templateView(promptId, { ...template, ...moved }),
        audit: { action: "prompt.rollback", before: { [label]: current }, after: { [label]: target } },
      };
    },
    actor,
  );
}

/**
 * Archives a template: it leaves the list and can no longer be referenced by an agent being saved or
 * published, or by a new experiment. Its versions stay: an agent version published with one keeps rendering it.
 */
export async function archivePrompt(
  deps: Deps,
  tenantId: string,
  promptId: string,
  actor: string,
): Promise<void> {
  const path = promptPath(tenantId, promptId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Prompt template ${promptId} not found`);
    const template = promptTemplateSchema.parse(snap.data);
    if (template.status === "archived") return;
    tx.update(path, { status: "archived", updatedAt: deps.clock.nowIso() });
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "prompt.archive",
        target: { type: "prompt", id: promptId },
        before: { status: "active" },
        after: { status: "archived" },
      },
      tx,
    );
  });
}

// ----- references from agents and experiments ----------------------------------------------------------

/** The version a reference names: its own, or its label's now. */
async function referencedVersion(
  reader: Reader,
  tenantId: string,
  ref: Pick<PromptRef, "templateId" | "label" | "version">,
  purpose: "reference" | "render",
): Promise<{ template: PromptTemplate | null; version: PromptVersion }> {
  // A pinned version renders without reading the template: it never changes, even once archived.
  if (purpose === "render" && ref.version !== undefined) {
    return { template: null, version: await loadVersion(reader, tenantId, ref.templateId, ref.version) };
  }
  const template = await loadTemplate(reader, tenantId, ref.templateId);
  if (purpose === "reference" && template.status === "archived") {
    throw new AppError(
      "failed-precondition",
      `Prompt template ${ref.templateId} is archived: choose another template`,
    );
  }
  const number = ref.version ?? (ref.label !== undefined ? template.labels[ref.label] : undefined);
  if (number === undefined) {
    throw new AppError(
      "invalid-argument",
      `Prompt template ${ref.templateId} has no label "${ref.label ?? ""}" (labels: ${Object.keys(template.labels).join(", ") || "none"})`,
    );
  }
  try {
    return {
      template,
      version: await loadVersion(reader, tenantId, ref.templateId, number, template.latestVersion),
    };
  } catch (e) {
    // The template is the caller's; only the version is wrong: a 400 naming it, not a 404.
    if (e instanceof AppError && e.code === "not-found") throw new AppError("invalid-argument", e.message);
    throw e;
  }
}

/**
 * Checks an agent's (or a variant's) prompt reference when it is saved or published: the template is this
 * workspace's and not archived (another workspace's reads as not found), the label or version exists, and the
 * values are complete and well typed for that version. Answers the version it points at now and the rendering.
 * A 400 names the variable and the field (`prompt.variables.<name>`).
 */
export async function checkPromptRef(
  reader: Reader,
  tenantId: string,
  ref: PromptRef,
  field = "prompt",
): Promise<{ version: number; text: string }> {
  const { version } = await referencedVersion(reader, tenantId, ref, "reference");
  const input = {
    text: version.text,
    variables: version.variables,
    source: sourceOf(ref.templateId, version.version),
  };
  const issues = valueIssues(input, ref.variables);
  if (issues.length > 0) {
    refuse(
      issues.map((i) => ({ ...i, path: `${field}.${i.path}` })),
      field,
    );
  }
  return { version: version.version, text: renderTemplate(input, ref.variables) };
}

/**
 * The reference an agent version is published with: checked, and pinned to the version its label points at
 * now (the label is kept, to show where it came from). A published agent version then renders that version
 * for good: moving a label changes drafts and the next publish, never what a published version says. Called
 * in the publish transaction, so a label moved meanwhile makes the publish retry with the new version.
 */
export async function pinPromptRef(reader: Reader, tenantId: string, ref: PromptRef): Promise<PromptRef> {
  const { version } = await checkPromptRef(reader, tenantId, ref);
  return { ...ref, version };
}

/**
 * The instructions a reference renders to for a turn, and what the trace records of it. A published agent
 * version's reference is pinned (checked at publish, versions never change), so it always renders; a draft's
 * follows its label, and values for variables the label's version no longer declares are left out.
 */
export async function renderPromptRef(
  reader: Reader,
  tenantId: string,
  ref: PromptRef,
): Promise<{ text: string; use: PromptUse }> {
  const { version } = await referencedVersion(reader, tenantId, ref, "render");
  const text = renderTemplate(
    { text: version.text, variables: version.variables, source: sourceOf(ref.templateId, version.version) },
    ref.variables,
    { unknown: "ignore" },
  );
  return { text, use: { templateId: ref.templateId, version: version.version, label: ref.label ?? null } };
}

/** The render preview (`POST /v1/prompts/{id}/render`): a version, a label's, or the latest. */
export async function renderPreview(
  deps: Deps,
  tenantId: string,
  promptId: string,
  input: z.infer<typeof renderInput>,
): Promise<{ templateId: string; version: number; label: string | null; text: string }> {
  const template = await loadTemplate(deps.store, tenantId, promptId);
  let number = input.version ?? template.latestVersion;
  if (input.label !== undefined) {
    const labelled = template.labels[input.label];
    if (labelled === undefined) {
      throw new AppError(
        "invalid-argument",
        `Prompt template ${promptId} has no label "${input.label}" (labels: ${Object.keys(template.labels).join(", ") || "none"})`,
      );
    }
    number = labelled;
  }
  const version = await loadVersion(deps.store, tenantId, promptId, number, template.latestVersion);
  const values: Record<string, VariableValue> = input.variables;
  const text = renderTemplate(
    { text: version.text, variables: version.variables, source: sourceOf(promptId, number) },
    values,
  );
  return { templateId: promptId, version: number, label: input.label ?? null, text };
}
