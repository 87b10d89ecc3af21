/**
 * Experiments: an agent's live traffic split between 2-5 variants, each a set of overrides of the agent's
 * configuration (a prompt template at a label or version, a model, a temperature, knowledge bases, one of its
 * published versions).
 *
 * Lifecycle: draft ──start──▶ running ──stop──▶ stopped ──start──▶ running ...; running or stopped ──promote──▶
 * promoted (final). At most one experiment runs on an agent: `runningExperiments/{agentId}` names it, and every
 * start claims that document in a transaction, so two starts racing (the same experiment or two) end with one
 * running. Variants and shares can change only while a draft: once started they are locked, because they are
 * what keeps each end user's variant the same.
 *
 * Assignment is a pure function of the experiment id and the end user's key (the conversation's `endUserRef`,
 * else its id): SHA-256 of `experimentId:endUserKey`, its first 52 bits read as a number in [0, 1), placed on
 * the cumulative shares. No state is stored per user, so a user keeps their variant across turns, conversations
 * (with an `endUserRef`), process restarts and stop/start. Experiments apply to the `published` selector only:
 * never to the draft, a pinned version, a Sandbox or probe turn (agents/agents.ts `resolveConfig`).
 *
 * A variant's prompt is pinned at the first start (`resolvedPrompt`: the version its label pointed at, and the
 * values), so moving a label during an experiment does not change what a variant serves.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { getKnowledgeBase } from "../knowledge/knowledge-bases.js";
import { recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { Transaction } from "../platform/ports.js";
import { nameSchema, validate } from "../platform/validation.js";
import { checkPromptRef } from "./templates.js";
import { workspaceModels } from "./tuned-models.js";
import {
  experimentLimits,
  experimentMetrics,
  experimentPath,
  experimentSchema,
  experimentsPath,
  experimentStatuses,
  runningExperimentPath,
  runningExperimentSchema,
  variantInputSchema,
  type Experiment,
  type PromptRef,
  type Variant,
  type VariantOverrides,
} from "./schema.js";

// ----- what the Agent Engine provides (passed in by channels/api/routes.ts: prompts may not import agents) --

/** An agent as an experiment needs to know it. */
export interface ExperimentAgent {
  readonly id: string;
  readonly status: string;
  readonly publishedVersion: number | null;
  readonly latestVersion: number;
  /** The prompt reference of one of its published versions (null: none); not-found when there is no such version. */
  readonly promptOf: (version: number) => Promise<PromptRef | null>;
}

/** Looks an agent up in the workspace (another workspace's reads as not found). */
export type AgentLookup = (deps: Deps, tenantId: string, agentId: string) => Promise<ExperimentAgent>;

/**
 * Publishes a new version of the agent: its served configuration (or the variant's `agentVersion`'s) with the
 * variant's overrides applied, its draft taking the same overridden fields. `within` runs in the publish
 * transaction, after the agent's reads and before its writes, with the new version's number: it marks the
 * experiment promoted, so the version and the promotion commit together or not at all.
 */
export type PublishVariant = (
  deps: Deps,
  tenantId: string,
  input: {
    readonly agentId: string;
    readonly variant: Variant;
    readonly note: string;
    readonly actor: string;
    readonly within: (tx: Transaction, version: number) => Promise<void>;
  },
) => Promise<{ version: number }>;

// ----- inputs ------------------------------------------------------------------------------------------

/** Shares must sum to 1 within this (they are compared as given, never renormalized). */
export const shareTolerance = 1e-9;

const variantsInput = z
  .array(variantInputSchema)
  .min(experimentLimits.minVariants, `an experiment has at least ${experimentLimits.minVariants} variants`)
  .max(experimentLimits.maxVariants, `an experiment has at most ${experimentLimits.maxVariants} variants`);

export const createExperimentInput = z
  .object({
    agentId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "must be an agent id"),
    name: nameSchema("name", 120),
    description: z.string().max(2000).default(""),
    /** What the experiment is decided on; every metric is computed and tested anyway. */
    metric: z.enum(experimentMetrics).default("answerRate"),
    variants: variantsInput,
  })
  .strict();

export const updateExperimentInput = z
  .object({
    name: nameSchema("name", 120),
    description: z.string().max(2000),
    metric: z.enum(experimentMetrics),
    /** Only while a draft: shares and variants are locked once it has started. */
    variants: variantsInput,
  })
  .partial()
  .strict();

export const experimentListQuery = z
  .object({
    agentId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, "must be an agent id")
      .optional(),
    status: z.enum(experimentStatuses).optional(),
  })
  .strict();

export const promoteInput = z
  .object({
    variantId: z.string().min(1).max(40),
    note: z.string().max(500).optional(),
  })
  .strict();

export type ExperimentView = Experiment & { readonly id: string };
const view = (id: string, e: Experiment): ExperimentView => ({ id, ...e });

// ----- assignment --------------------------------------------------------------------------------------

/**
 * Where an end user falls in [0, 1) for an experiment: SHA-256 of `experimentId:endUserKey`, its first 52 bits
 * divided by 2^52 (exactly representable in a double, and uniform as far as SHA-256 is).
 */
export function assignmentPoint(experimentId: string, endUserKey: string): number {
  const digest = createHash("sha256").update(`${experimentId}:${endUserKey}`, "utf8").digest();
  const high = digest.readUInt32BE(0); // 32 bits
  const low = digest.readUInt32BE(4) >>> 12; // the next 20 bits
  return (high * 2 ** 20 + low) / 2 ** 52;
}

/** The variant whose cumulative share first exceeds `point` (the last one takes any rounding remainder). */
export function pickVariant<V extends { share: number }>(variants: readonly V[], point: number): V {
  let cumulative = 0;
  for (const v of variants) {
    cumulative += v.share;
    if (point < cumulative) return v;
  }
  const last = variants.at(-1);
  if (!last) throw new Error("an experiment has variants");
  return last;
}

export function assignVariant(
  experimentId: string,
  variants: readonly Variant[],
  endUserKey: string,
): Variant {
  return pickVariant(variants, assignmentPoint(experimentId, endUserKey));
}

/** What a turn is served by when an experiment runs on its agent. */
export interface Assignment {
  readonly experimentId: string;
  readonly variant: Variant;
}

/**
 * The running experiment on an agent and the variant of this end user, or null when none runs. Two reads
 * (the agent's running-experiment document, then the experiment), for turns on the published selector only.
 */
export async function experimentAssignment(
  deps: Deps,
  tenantId: string,
  agentId: string,
  endUserKey: string,
): Promise<Assignment | null> {
  const slot = await deps.store.get(runningExperimentPath(tenantId, agentId));
  if (!slot) return null;
  const { experimentId } = runningExperimentSchema.parse(slot.data);
  const snap = await deps.store.get(experimentPath(tenantId, experimentId));
  if (!snap) return null;
  const experiment = experimentSchema.parse(snap.data);
  if (experiment.status !== "running" || experiment.agentId !== agentId) return null;
  return { experimentId, variant: assignVariant(experimentId, experiment.variants, endUserKey) };
}

/** The configuration fields a variant overrides (an agent configuration has them; prompts cannot name its type). */
export interface OverridableConfig {
  readonly model: { readonly name: string | null; readonly temperature: number };
  readonly knowledgeBaseIds: readonly string[];
  readonly prompt?: PromptRef | null;
}

/**
 * `config` with a variant's overrides applied (its `agentVersion`, if any, is the caller's to load first). The
 * prompt is the one pinned at the experiment's start; a variant not yet started has none pinned and keeps
 * the configuration's prompt.
 */
export function applyVariant<C extends OverridableConfig>(config: C, variant: Variant): C {
  const o = variant.overrides;
  let next: C = config;
  if (o.modelName !== undefined || o.temperature !== undefined) {
    next = {
      ...next,
      model: {
        ...next.model,
        ...(o.modelName !== undefined ? { name: o.modelName } : {}),
        ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
      },
    };
  }
  if (o.knowledgeBaseIds !== undefined) next = { ...next, knowledgeBaseIds: [...o.knowledgeBaseIds] };
  const pinned = variant.resolvedPrompt;
  if (pinned) {
    const prompt: PromptRef = {
      templateId: pinned.templateId,
      version: pinned.version,
      variables: pinned.variables,
      ...(pinned.label !== null ? { label: pinned.label } : {}),
    };
    next = { ...next, prompt };
  }
  return next;
}

// ----- checks ------------------------------------------------------------------------------------------

/** Variants as stored: ids filled (a, b, c...), unique; shares summing to 1. */
function normalizeVariants(input: z.infer<typeof variantsInput>): Variant[] {
  const variants = input.map((v, i): Variant => ({
    id: v.id ?? String.fromCharCode(97 + i),
    name: v.name,
    share: v.share,
    overrides: v.overrides,
    resolvedPrompt: null,
  }));
  const ids = new Set<string>();
  variants.forEach((v, i) => {
    if (ids.has(v.id)) {
      throw new AppError("invalid-argument", `variants.${i}.id: variant id "${v.id}" is used twice`);
    }
    ids.add(v.id);
  });
  const total = variants.reduce((sum, v) => sum + v.share, 0);
  if (Math.abs(total - 1) > shareTolerance) {
    throw new AppError(
      "invalid-argument",
      `variants: the shares add up to ${total}, not 1 (${variants.map((v) => `${v.id}: ${v.share}`).join(", ")}); make them sum to 1`,
      { issues: [{ path: "variants", message: `shares sum to ${total}` }] },
    );
  }
  return variants;
}

/**
 * Checks what each variant overrides against the workspace and the agent now: the model is one the platform
 * offers, the knowledge bases are this workspace's, the agent version exists, and the prompt resolves with
 * complete, well-typed values (its own, or the agent's for the same template). Answers each variant's prompt
 * as it would be pinned now.
 */
async function resolveVariants(
  deps: Deps,
  tenantId: string,
  agent: ExperimentAgent,
  variants: readonly Variant[],
): Promise<Variant[]> {
  const allowed = deps.config.modelCaps.allowedChatModels;
  const resolved: Variant[] = [];
  for (const [i, v] of variants.entries()) {
    const o: VariantOverrides = v.overrides;
    const at = `variants.${i}.overrides`;
    if (
      o.modelName !== undefined &&
      o.modelName !== null &&
      !allowed.includes(o.modelName) &&
      (await workspaceModels(deps, tenantId, o.modelName)).length === 0
    ) {
      throw new AppError(
        "invalid-argument",
        `${at}.modelName: model "${o.modelName}" is not offered on this platform (offered: ${allowed.join(", ") || "the platform's default only"}, and this workspace's tuned models)`,
      );
    }
    for (const kbId of new Set(o.knowledgeBaseIds ?? [])) await getKnowledgeBase(deps, tenantId, kbId);
    if (o.agentVersion !== undefined && o.agentVersion > agent.latestVersion) {
      throw new AppError(
        "invalid-argument",
        `${at}.agentVersion: agent ${agent.id} has no version ${o.agentVersion}` +
          (agent.latestVersion > 0
            ? ` (published versions: 1-${agent.latestVersion})`
            : " (it was never published)"),
      );
    }
    let resolvedPrompt: Variant["resolvedPrompt"] = null;
    if (o.prompt) {
      const baseVersion = o.agentVersion ?? agent.publishedVersion;
      const base = baseVersion !== null ? await agent.promptOf(baseVersion) : null;
      const variables =
        o.prompt.variables ?? (base && base.templateId === o.prompt.templateId ? base.variables : {});
      const ref: PromptRef = { ...o.prompt, variables };
      const { version } = await checkPromptRef(deps.store, tenantId, ref, `${at}.prompt`);
      resolvedPrompt = { templateId: ref.templateId, version, label: ref.label ?? null, variables };
    }
    resolved.push({ ...v, resolvedPrompt });
  }
  return resolved;
}

// ----- lifecycle ---------------------------------------------------------------------------------------

async function loadExperiment(deps: Deps, tenantId: string, experimentId: string): Promise<Experiment> {
  const snap = await deps.store.get(experimentPath(tenantId, experimentId));
  if (!snap) throw new AppError("not-found", `Experiment ${experimentId} not found`);
  return experimentSchema.parse(snap.data);
}

export async function getExperiment(
  deps: Deps,
  tenantId: string,
  experimentId: string,
): Promise<ExperimentView> {
  return view(experimentId, await loadExperiment(deps, tenantId, experimentId));
}

export async function listExperiments(
  deps: Deps,
  tenantId: string,
  query: z.infer<typeof experimentListQuery>,
): Promise<ExperimentView[]> {
  const snaps = await deps.store.query({
    collection: experimentsPath(tenantId),
    where: [
      ...(query.agentId !== undefined ? [{ field: "agentId", op: "==" as const, value: query.agentId }] : []),
      ...(query.status !== undefined ? [{ field: "status", op: "==" as const, value: query.status }] : []),
    ],
  });
  return snaps
    .map((s) => view(s.id, experimentSchema.parse(s.data)))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : 1));
}

export async function createExperiment(
  deps: Deps,
  tenantId: string,
  input: z.input<typeof createExperimentInput>,
  actor: string,
  agents: AgentLookup,
): Promise<ExperimentView> {
  const parsed = validate(createExperimentInput, input, "request body");
  const agent = await agents(deps, tenantId, parsed.agentId);
  if (agent.status === "archived") {
    throw new AppError(
      "failed-precondition",
      `Agent ${agent.id} is archived: it serves no traffic to experiment on`,
    );
  }
  const variants = normalizeVariants(parsed.variants);
  // Checked now so a mistake is refused when it is made; checked again (and pinned) at the start.
  await resolveVariants(deps, tenantId, agent, variants);
  const count = await deps.store.count({
    collection: experimentsPath(tenantId),
    where: [{ field: "agentId", op: "==", value: agent.id }],
  });
  if (count >= experimentLimits.experimentsPerAgent) {
    throw new AppError(
      "failed-precondition",
      `Agent ${agent.id} has ${experimentLimits.experimentsPerAgent} experiments, the most an agent holds: delete a draft or stopped one`,
    );
  }
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const experiment: Experiment = {
    agentId: agent.id,
    name: parsed.name,
    description: parsed.description,
    status: "draft",
    metric: parsed.metric,
    variants,
    startedAt: null,
    stoppedAt: null,
    periods: [],
    baseVersion: null,
    promotedVariantId: null,
    promotedVersion: null,
    promotedAt: null,
    promotedBy: null,
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
  };
  const batch = deps.store.batch();
  batch.create(experimentPath(tenantId, id), experiment);
  await recordAudit(
    deps,
    {
      tenantId,
      actor,
      action: "experiment.create",
      target: { type: "experiment", id },
      after: { agentId: agent.id, name: experiment.name, variants: variants.length },
    },
    batch,
  );
  await batch.commit();
  return view(id, experiment);
}

export async function updateExperiment(
  deps: Deps,
  tenantId: string,
  experimentId: string,
  patch: z.infer<typeof updateExperimentInput>,
  actor: string,
  agents: AgentLookup,
): Promise<ExperimentView> {
  const current = await loadExperiment(deps, tenantId, experimentId);
  let variants: Variant[] | undefined;
  if (patch.variants) {
    if (current.status !== "draft") {
      throw new AppError(
        "failed-precondition",
        `Experiment ${experimentId} has started: its variants and shares are locked (they keep each end user's variant); create a new experiment to change them`,
      );
    }
    variants = normalizeVariants(patch.variants);
    await resolveVariants(deps, tenantId, await agents(deps, tenantId, current.agentId), variants);
  }
  if (patch.metric !== undefined && patch.metric !== current.metric && current.status !== "draft") {
    throw new AppError(
      "failed-precondition",
      `Experiment ${experimentId} has started: its metric is fixed (choosing it after seeing results would bias the test)`,
    );
  }
  const path = experimentPath(tenantId, experimentId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Experiment ${experimentId} not found`);
    const experiment = experimentSchema.parse(snap.data);
    if (variants && experiment.status !== "draft") {
      throw new AppError(
        "aborted",
        `Experiment ${experimentId} was started meanwhile: its variants are locked`,
      );
    }
    const next: Partial<Experiment> = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.metric !== undefined ? { metric: patch.metric } : {}),
      ...(variants ? { variants } : {}),
      updatedAt: deps.clock.nowIso(),
    };
    tx.update(path, next);
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "experiment.update",
        target: { type: "experiment", id: experimentId },
        after: { ...next, variants: variants?.length },
      },
      tx,
    );
    return view(experimentId, { ...experiment, ...next });
  });
}

/** Deletes a draft or stopped experiment (traces keep naming it); a running one must be stopped first. */
export async function deleteExperiment(
  deps: Deps,
  tenantId: string,
  experimentId: string,
  actor: string,
): Promise<void> {
  const path = experimentPath(tenantId, experimentId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Experiment ${experimentId} not found`);
    const experiment = experimentSchema.parse(snap.data);
    if (experiment.status === "running") {
      throw new AppError("failed-precondition", `Experiment ${experimentId} is running: stop it first`);
    }
    if (experiment.status === "promoted") {
      throw new AppError(
        "failed-precondition",
        `Experiment ${experimentId} was promoted (agent version ${experiment.promotedVersion}); it is kept as that version's record`,
      );
    }
    tx.delete(path);
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "experiment.delete",
        target: { type: "experiment", id: experimentId },
        before: { name: experiment.name, status: experiment.status },
      },
      tx,
    );
  });
}

/**
 * Starts (or restarts) an experiment on its agent's published version. Refused (409) while another
 * experiment runs on the agent. Starting a running experiment answers it as it is.
 */
export async function startExperiment(
  deps: Deps,
  tenantId: string,
  experimentId: string,
  actor: string,
  agents: AgentLookup,
): Promise<ExperimentView> {
  const before = await loadExperiment(deps, tenantId, experimentId);
  if (before.status === "promoted") {
    throw new AppError("failed-precondition", `Experiment ${experimentId} was promoted; it cannot run again`);
  }
  if (before.status === "running") return view(experimentId, before);
  const agent = await agents(deps, tenantId, before.agentId);
  if (agent.status === "archived" || agent.publishedVersion === null) {
    throw new AppError(
      "failed-precondition",
      `Agent ${agent.id} has no published version serving traffic: experiments split the published version's traffic, so publish it first`,
    );
  }
  // The first start pins each variant's prompt; a restart keeps what was pinned.
  const firstStart = before.startedAt === null;
  const pinned = firstStart ? await resolveVariants(deps, tenantId, agent, before.variants) : null;
  const path = experimentPath(tenantId, experimentId);
  const slotPath = runningExperimentPath(tenantId, before.agentId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Experiment ${experimentId} not found`);
    const experiment = experimentSchema.parse(snap.data);
    const slot = await tx.get(slotPath);
    const holder = slot ? runningExperimentSchema.parse(slot.data).experimentId : null;
    const holderDoc =
      holder && holder !== experimentId ? await tx.get(experimentPath(tenantId, holder)) : null;
    if (experiment.status === "running") return view(experimentId, experiment);
    if (experiment.status === "promoted") {
      throw new AppError(
        "failed-precondition",
        `Experiment ${experimentId} was promoted; it cannot run again`,
      );
    }
    if (holderDoc && experimentSchema.parse(holderDoc.data).status === "running") {
      throw new AppError(
        "already-exists",
        `Experiment ${holder} is already running on agent ${experiment.agentId}: stop it before starting another`,
      );
    }
    const now = deps.clock.nowIso();
    const next: Partial<Experiment> = {
      status: "running",
      stoppedAt: null,
      periods: [...experiment.periods, { startedAt: now, stoppedAt: null }],
      updatedAt: now,
      ...(experiment.startedAt === null
        ? { startedAt: now, baseVersion: agent.publishedVersion, variants: pinned ?? experiment.variants }
        : {}),
    };
    tx.set(slotPath, { experimentId, startedAt: now });
    tx.update(path, next);
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "experiment.start",
        target: { type: "experiment", id: experimentId },
        before: { status: experiment.status },
        after: { status: "running" },
      },
      tx,
    );
    return view(experimentId, { ...experiment, ...next });
  });
}

/** Closes the running period and frees the agent's slot (inside `tx`); answers the fields that change. */
async function stopIn(
  tx: Transaction,
  tenantId: string,
  experimentId: string,
  experiment: Experiment,
  now: string,
): Promise<Partial<Experiment>> {
  const slotPath = runningExperimentPath(tenantId, experiment.agentId);
  const slot = await tx.get(slotPath);
  if (slot && runningExperimentSchema.parse(slot.data).experimentId === experimentId) tx.delete(slotPath);
  return {
    stoppedAt: now,
    periods: experiment.periods.map((p) => (p.stoppedAt === null ? { ...p, stoppedAt: now } : p)),
    updatedAt: now,
  };
}

/** Stops a running experiment: its agent's traffic goes back to the published version. Stopping again is a no-op. */
export async function stopExperiment(
  deps: Deps,
  tenantId: string,
  experimentId: string,
  actor: string,
): Promise<ExperimentView> {
  const path = experimentPath(tenantId, experimentId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Experiment ${experimentId} not found`);
    const experiment = experimentSchema.parse(snap.data);
    if (experiment.status === "draft") {
      throw new AppError("failed-precondition", `Experiment ${experimentId} has not started`);
    }
    if (experiment.status !== "running") return view(experimentId, experiment);
    const next: Partial<Experiment> = {
      status: "stopped",
      ...(await stopIn(tx, tenantId, experimentId, experiment, deps.clock.nowIso())),
    };
    tx.update(path, next);
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "experiment.stop",
        target: { type: "experiment", id: experimentId },
        before: { status: "running" },
        after: { status: "stopped" },
      },
      tx,
    );
    return view(experimentId, { ...experiment, ...next });
  });
}

/**
 * Promotes a variant: publishes a new agent version with its overrides (one transaction with marking the
 * experiment promoted and stopping it). Promoting again the variant already promoted answers the same
 * version without publishing another (a replayed click); another variant, a draft, or a promotion that a
 * concurrent call made first are refused with 409/400.
 */
export async function promoteExperiment(
  deps: Deps,
  tenantId: string,
  experimentId: string,
  input: z.infer<typeof promoteInput>,
  actor: string,
  publish: PublishVariant,
): Promise<{ experiment: ExperimentView; version: number; replayed: boolean }> {
  const current = await loadExperiment(deps, tenantId, experimentId);
  const variant = current.variants.find((v) => v.id === input.variantId);
  if (!variant) {
    throw new AppError(
      "invalid-argument",
      `Experiment ${experimentId} has no variant "${input.variantId}" (variants: ${current.variants.map((v) => v.id).join(", ")})`,
    );
  }
  if (current.status === "promoted") {
    if (current.promotedVariantId === variant.id && current.promotedVersion !== null) {
      return { experiment: view(experimentId, current), version: current.promotedVersion, replayed: true };
    }
    throw new AppError(
      "already-exists",
      `Experiment ${experimentId} was already promoted: variant "${current.promotedVariantId}" became agent version ${current.promotedVersion}`,
    );
  }
  if (current.status === "draft") {
    throw new AppError(
      "failed-precondition",
      `Experiment ${experimentId} has not run: start it and gather results before promoting`,
    );
  }
  const path = experimentPath(tenantId, experimentId);
  let promoted: Experiment | undefined;
  const { version } = await publish(deps, tenantId, {
    agentId: current.agentId,
    variant,
    note: input.note ?? `Promoted variant "${variant.name}" (${variant.id}) of experiment "${current.name}"`,
    actor,
    within: async (tx, number) => {
      const snap = await tx.get(path);
      if (!snap) throw new AppError("not-found", `Experiment ${experimentId} not found`);
      const experiment = experimentSchema.parse(snap.data);
      if (experiment.status === "promoted" || experiment.status === "draft") {
        throw new AppError(
          "aborted",
          `Experiment ${experimentId} changed while it was being promoted (now ${experiment.status}${experiment.promotedVersion ? `, agent version ${experiment.promotedVersion}` : ""}); nothing was published`,
        );
      }
      const now = deps.clock.nowIso();
      const stopped =
        experiment.status === "running" ? await stopIn(tx, tenantId, experimentId, experiment, now) : {};
      const next: Partial<Experiment> = {
        ...stopped,
        status: "promoted",
        promotedVariantId: variant.id,
        promotedVersion: number,
        promotedAt: now,
        promotedBy: actor,
        updatedAt: now,
      };
      tx.update(path, next);
      await recordAudit(
        deps,
        {
          tenantId,
          actor,
          action: "experiment.promote",
          target: { type: "experiment", id: experimentId },
          before: { status: experiment.status },
          after: { status: "promoted", variant: variant.id, version: number },
        },
        tx,
      );
      promoted = { ...experiment, ...next };
    },
  });
  return {
    experiment: view(experimentId, promoted ?? (await loadExperiment(deps, tenantId, experimentId))),
    version,
    replayed: false,
  };
}
