/**
 * Agent configuration and lifecycle. An agent has one editable draft configuration; publishing copies it
 * into an immutable numbered version, and conversations are answered by the published version (or a
 * pinned one, or the draft in the studio's playground). Lifecycle:
 *   draft ──publish──▶ published ◀──resume── paused      any ──archive (DELETE)──▶ archived
 *                        │  ▲                  ▲
 *                        │  └──publish/rollback│ (the served version changes, the status does not)
 *                        └────────pause────────┘
 * Rolling back points the agent at an earlier version; it never rewrites history.
 */
import { z } from "zod";
import { getKnowledgeBase } from "../knowledge/knowledge-bases.js";
import { changedFields, hasChanges, recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { assertWithinLimit } from "../billing/limits.js";
import { AppError, isAppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import type { Transaction } from "../platform/ports.js";
import { environmentNameSchema, productionEnvironment } from "../identity/environments.js";
import { selectorIn, servedVersion, servingIn, writeRelease } from "./environments.js";
import { requireEnvironment } from "../identity/tenants.js";
import {
  agentConfigSchema,
  agentPath,
  agentSchema,
  agentsPath,
  agentVersionPath,
  agentVersionSchema,
  agentVersionsPath,
  conversationsPath,
  toolSchema,
  type Agent,
  type AgentConfig,
  type AgentVersion,
  type PublishGate,
  type ToolConfig,
  type VersionSelector,
} from "./schema.js";
import { validatorFor } from "../platform/json-schema.js";
import { getToolSetVersion } from "../tools/toolsets.js";
import { loadToolbox } from "./tools.js";
import { nameSchema } from "../platform/validation.js";
import {
  applyVariant,
  experimentAssignment,
  type ExperimentAgent,
  type PublishVariant,
} from "../prompts/experiments.js";
import { promptRefInputSchema, type PromptRef, type PromptUse } from "../prompts/schema.js";
import { checkPromptRef, pinPromptRef, renderPromptRef } from "../prompts/templates.js";
import { workspaceModels } from "../prompts/tuned-models.js";

const defaultInstructions = "You are a helpful assistant. Answer from the knowledge bases you are given.";

/**
 * An agent's model settings as a request sends them. Output tokens may be left out: the default then
 * fits the operator's cap (createAgent, updateAgent), which a schema default cannot know.
 */
const modelInput = agentConfigSchema.shape.model.unwrap().extend({
  maxOutputTokens: agentConfigSchema.shape.model.unwrap().shape.maxOutputTokens.unwrap().optional(),
});

/** The create body: every field but the name has a default. */
export const createAgentInput = z.object({
  name: nameSchema("name", 120),
  description: z.string().max(2000).default(""),
  instructions: z.string().max(20_000).default(defaultInstructions),
  model: modelInput.optional(),
  knowledgeBaseIds: z.array(z.string().regex(idPattern, "invalid knowledge base id")).max(20).default([]),
  tools: z.array(toolSchema).max(20).default([]),
  maxToolSteps: agentConfigSchema.shape.maxToolSteps,
  guardrails: agentConfigSchema.shape.guardrails,
  /**
   * Calibrated: 0.8 answers only when four in five such answers are right (see calibration.ts). Chosen on the
   * fixture corpus and the held-out tuning half: the lowest threshold at which the fixture's unanswerable
   * questions are answered at most 5% of the time (`npm run calibrate` prints the table).
   */
  confidenceThreshold: z.number().min(0).max(1).default(0.8),
  memoryWindow: z.number().int().min(0).max(50).default(6),
  contextBudgetTokens: agentConfigSchema.shape.contextBudgetTokens.unwrap().optional(),
  channels: agentConfigSchema.shape.channels,
  quotas: agentConfigSchema.shape.quotas,
  /** A prompt template (label or version, and values) whose rendering replaces `instructions`. */
  prompt: promptRefInputSchema.optional(),
  longTermMemory: agentConfigSchema.shape.longTermMemory,
});
export type CreateAgentInput = z.input<typeof createAgentInput>;

/** PATCH body: any subset of the configuration; nested objects are replaced whole. */
export const updateAgentInput = z
  .object({
    name: nameSchema("name", 120),
    description: z.string().max(2000),
    instructions: z.string().max(20_000),
    model: modelInput,
    knowledgeBaseIds: z.array(z.string().regex(idPattern, "invalid knowledge base id")).max(20),
    tools: z.array(toolSchema).max(20),
    maxToolSteps: z.number().int().min(0).max(10),
    guardrails: agentConfigSchema.shape.guardrails.unwrap(),
    confidenceThreshold: z.number().min(0).max(1),
    memoryWindow: z.number().int().min(0).max(50),
    contextBudgetTokens: z.number().int().min(1000).max(1_000_000),
    channels: agentConfigSchema.shape.channels.unwrap(),
    quotas: agentConfigSchema.shape.quotas.unwrap().strict(),
    /** null stops using a template (the agent's own `instructions` apply again). */
    prompt: promptRefInputSchema.nullable(),
    longTermMemory: agentConfigSchema.shape.longTermMemory.unwrap(),
  })
  .partial()
  .strict();
export type UpdateAgentInput = z.infer<typeof updateAgentInput>;

export const publishAgentInput = z.object({
  note: z.string().max(500).default(""),
  /** Where the new version serves: production (the default, as `publishedVersion`) or another environment. */
  environment: environmentNameSchema.default(productionEnvironment),
});
export const rollbackAgentInput = z.object({ version: z.number().int().min(1) });

export type AgentView = Agent & { readonly id: string };
export type AgentVersionView = AgentVersion & { readonly id: string };

/** Checks what zod cannot: tools are named once and their parameter schemas are usable JSON Schema. */
function checkToolShapes(tools: readonly ToolConfig[]): void {
  const seen = new Set<string>();
  const sets = new Set<string>();
  for (const tool of tools) {
    if (tool.kind === "toolset") {
      if (sets.has(tool.toolSetId)) {
        throw new AppError("invalid-argument", `Tool set ${tool.toolSetId} is pinned twice: pin one version`);
      }
      sets.add(tool.toolSetId);
      continue;
    }
    if (seen.has(tool.name)) throw new AppError("invalid-argument", `Tool "${tool.name}" is declared twice`);
    seen.add(tool.name);
    if (tool.kind !== "http") continue;
    if (tool.parameters.type !== "object") {
      throw new AppError(
        "invalid-argument",
        `Tool "${tool.name}": parameters must be a JSON Schema of type "object"`,
      );
    }
    try {
      validatorFor(tool.parameters);
    } catch (e) {
      throw new AppError(
        "invalid-argument",
        `Tool "${tool.name}": parameters are not a usable JSON Schema (${(e as Error).message})`,
      );
    }
  }
}

/**
 * Checks each HTTP tool's URL against the platform's egress policy now, DNS included, so an internal
 * destination is refused when it is saved. Calls are checked again (rebinding, a policy that changed).
 */
async function checkToolDestinations(deps: Deps, tools: readonly ToolConfig[]): Promise<void> {
  await Promise.all(
    tools.map(async (tool, index) => {
      if (tool.kind !== "http") return;
      try {
        await deps.egress.check(tool.url);
      } catch (e) {
        if (!isAppError(e)) throw e;
        const message = `Tool "${tool.name}": its URL cannot be called: ${e.message}`;
        if (e.code === "unavailable") throw new AppError("unavailable", `${message}; try again`);
        throw new AppError("invalid-argument", message, {
          issues: [{ path: `tools.${index}.url`, message: e.message }],
        });
      }
    }),
  );
}

/**
 * Checks pinned tool sets: each version exists in this workspace, holds the tools `only` names, and no two of
 * the agent's tools share a name (loading them as a turn would).
 */
async function checkToolSets(deps: Deps, tenantId: string, tools: readonly ToolConfig[]): Promise<void> {
  const pinned = tools.filter((t) => t.kind === "toolset");
  if (pinned.length === 0) return;
  for (const pin of pinned) {
    const version = await getToolSetVersion(deps, tenantId, pin.toolSetId, pin.version);
    const missing = (pin.only ?? []).filter((name) => !version.tools.some((t) => t.name === name));
    if (missing.length > 0) {
      throw new AppError(
        "invalid-argument",
        `Tool set ${pin.toolSetId} version ${pin.version} has no tool ${missing.slice(0, 5).join(", ")}`,
      );
    }
  }
  try {
    await loadToolbox(deps, tenantId, { tools } as AgentConfig);
  } catch (e) {
    if (isAppError(e) && e.code === "failed-precondition") throw new AppError("invalid-argument", e.message);
    throw e;
  }
}

async function checkTools(deps: Deps, tenantId: string, tools: readonly ToolConfig[]): Promise<void> {
  checkToolShapes(tools);
  await checkToolDestinations(deps, tools);
  await checkToolSets(deps, tenantId, tools);
}

// ----- what the operator lets agents ask of its model account ----------------------------------------

/** The bounds the schemas enforce everywhere; the operator's caps lower the upper ones. */
const outputTokensFloor = 16;
const contextTokensFloor = 1000;

/** What the studio may offer when configuring an agent (`GET /v1/agent-options`). */
export interface AgentOptions {
  readonly models: {
    /** What `model.name: null` uses. */
    readonly default: { readonly model: string; readonly label: string; readonly provider: string };
    /** Names an agent may set, the platform's chat model first. */
    readonly allowed: readonly string[];
  };
  readonly maxOutputTokens: { readonly min: number; readonly max: number; readonly default: number };
  readonly contextBudgetTokens: { readonly min: number; readonly max: number; readonly default: number };
  /** Hosts HTTP tools may call; `null`: any public host. */
  readonly toolHosts: readonly string[] | null;
}

const defaultModel = agentConfigSchema.shape.model.parse(undefined);
const defaultContextBudget = agentConfigSchema.shape.contextBudgetTokens.parse(undefined);

export function agentOptions(deps: Deps): AgentOptions {
  const caps = deps.config.modelCaps;
  return {
    models: {
      default: {
        model: deps.chat.info.model,
        label: deps.chat.info.label,
        provider: deps.chat.info.provider,
      },
      allowed: caps.allowedChatModels,
    },
    maxOutputTokens: {
      min: outputTokensFloor,
      max: caps.maxOutputTokens,
      default: Math.min(defaultModel.maxOutputTokens, caps.maxOutputTokens),
    },
    contextBudgetTokens: {
      min: contextTokensFloor,
      max: caps.maxContextTokens,
      default: Math.min(defaultContextBudget, caps.maxContextTokens),
    },
    toolHosts: deps.config.egress.allowedHosts ?? null,
  };
}

const count = (n: number): string => n.toLocaleString("en");

/**
 * Refuses model settings outside the operator's caps, with every problem and what is allowed, since the
 * operator's key pays for what an agent asks for.
 */
function checkModelCaps(
  deps: Deps,
  fields: { model?: AgentConfig["model"]; contextBudgetTokens?: number },
  workspaceModels: readonly string[] = [],
): void {
  const caps = deps.config.modelCaps;
  const issues: { path: string; message: string }[] = [];
  const name = fields.model?.name;
  if (
    name !== undefined &&
    name !== null &&
    !caps.allowedChatModels.includes(name) &&
    !workspaceModels.includes(name)
  ) {
    issues.push({
      path: "model.name",
      message:
        `model "${name.slice(0, 200)}" is not offered on this platform; choose one of ` +
        `${caps.allowedChatModels.join(", ")}, or leave it empty for the platform's model`,
    });
  }
  const output = fields.model?.maxOutputTokens;
  if (output !== undefined && output > caps.maxOutputTokens) {
    issues.push({
      path: "model.maxOutputTokens",
      message: `maxOutputTokens ${count(output)} is above this platform's limit of ${count(caps.maxOutputTokens)}`,
    });
  }
  const context = fields.contextBudgetTokens;
  if (context !== undefined && context > caps.maxContextTokens) {
    issues.push({
      path: "contextBudgetTokens",
      message: `contextBudgetTokens ${count(context)} is above this platform's limit of ${count(caps.maxContextTokens)}`,
    });
  }
  const [first] = issues;
  if (!first) return;
  throw new AppError(
    "invalid-argument",
    `${first.path}: ${first.message}` + (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""),
    {
      issues,
      allowed: {
        models: caps.allowedChatModels,
        maxOutputTokens: caps.maxOutputTokens,
        contextBudgetTokens: caps.maxContextTokens,
      },
    },
  );
}

/**
 * A version saved before the operator lowered a cap still answers, within the caps: each setting
 * above one is brought down for this turn, and the returned notes say so (the trace records them).
 */
export function capModelSettings(
  deps: Deps,
  config: AgentConfig,
  workspaceModels: readonly string[] = [],
): { config: AgentConfig; clamps: string[] } {
  const caps = deps.config.modelCaps;
  const clamps: string[] = [];
  let model = config.model;
  if (
    model.name !== null &&
    !caps.allowedChatModels.includes(model.name) &&
    !workspaceModels.includes(model.name)
  ) {
    clamps.push(`model "${model.name}" is no longer offered: the platform's model answered instead`);
    model = { ...model, name: null };
  }
  if (model.maxOutputTokens > caps.maxOutputTokens) {
    clamps.push(
      `maxOutputTokens ${model.maxOutputTokens} lowered to the platform's limit of ${caps.maxOutputTokens}`,
    );
    model = { ...model, maxOutputTokens: caps.maxOutputTokens };
  }
  let contextBudgetTokens = config.contextBudgetTokens;
  if (contextBudgetTokens > caps.maxContextTokens) {
    clamps.push(
      `contextBudgetTokens ${contextBudgetTokens} lowered to the platform's limit of ${caps.maxContextTokens}`,
    );
    contextBudgetTokens = caps.maxContextTokens;
  }
  return clamps.length === 0
    ? { config, clamps }
    : { config: { ...config, model, contextBudgetTokens }, clamps };
}

async function checkKnowledgeBases(
  deps: Deps,
  tenantId: string,
  kbIds: readonly string[],
): Promise<string[]> {
  const unique = [...new Set(kbIds)];
  // Every attached knowledge base must be the tenant's own: a foreign id reads as not found.
  await Promise.all(unique.map((kbId) => getKnowledgeBase(deps, tenantId, kbId)));
  return unique;
}

/** The workspace's agents that count against its plan: every one not archived. */
export function countAgents(deps: Deps, tenantId: string): Promise<number> {
  return deps.store.count({
    collection: agentsPath(tenantId),
    where: [{ field: "status", op: "!=", value: "archived" }],
  });
}

export async function createAgent(
  deps: Deps,
  tenantId: string,
  input: CreateAgentInput,
  actor = "system",
): Promise<{ id: string }> {
  const parsed = createAgentInput.parse(input);
  const options = agentOptions(deps);
  const config = agentConfigSchema.parse({
    ...parsed,
    model: {
      ...parsed.model,
      maxOutputTokens: parsed.model?.maxOutputTokens ?? options.maxOutputTokens.default,
    },
    contextBudgetTokens: parsed.contextBudgetTokens ?? options.contextBudgetTokens.default,
  });
  checkModelCaps(deps, config, await workspaceModels(deps, tenantId, config.model.name));
  await checkTools(deps, tenantId, config.tools);
  // A template's missing or mistyped value is refused here, never found by a turn.
  if (config.prompt) await checkPromptRef(deps.store, tenantId, config.prompt);
  config.knowledgeBaseIds = await checkKnowledgeBases(deps, tenantId, config.knowledgeBaseIds);
  await assertWithinLimit(deps, tenantId, "agents", await countAgents(deps, tenantId));
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const agent: Agent = {
    ...config,
    status: "draft",
    publishedVersion: null,
    latestVersion: 0,
    publishGate: null,
    environments: {},
    createdAt: now,
    updatedAt: now,
  };
  const batch = deps.store.batch();
  batch.create(`${agentsPath(tenantId)}/${id}`, agent);
  await recordAudit(
    deps,
    { tenantId, actor, action: "agent.create", target: { type: "agent", id }, after: config },
    batch,
  );
  await batch.commit();
  return { id };
}

export async function getAgent(deps: Deps, tenantId: string, agentId: string): Promise<AgentView> {
  const snap = await deps.store.get(agentPath(tenantId, agentId));
  if (!snap) throw new AppError("not-found", `Agent ${agentId} not found`);
  return { id: snap.id, ...agentSchema.parse(snap.data) };
}

export async function listAgents(
  deps: Deps,
  tenantId: string,
  options: { includeArchived?: boolean } = {},
): Promise<AgentView[]> {
  const snaps = await deps.store.query({ collection: agentsPath(tenantId) });
  return snaps
    .map((s) => ({ id: s.id, ...agentSchema.parse(s.data) }))
    .filter((a) => options.includeArchived || a.status !== "archived")
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? -1 : 1));
}

/**
 * When each agent last talked with someone: the newest `updatedAt` of its conversations, or null. One small
 * query per agent (`agentId ==`, newest first, limit 1: the conversations index on agentId + updatedAt), in
 * parallel, so a list page costs as many reads as it shows agents.
 */
export async function lastActivityOf(
  deps: Deps,
  tenantId: string,
  agentIds: readonly string[],
): Promise<Map<string, string | null>> {
  const latest = await Promise.all(
    agentIds.map(async (agentId) => {
      const [newest] = await deps.store.query<{ updatedAt?: unknown }>({
        collection: conversationsPath(tenantId),
        where: [{ field: "agentId", op: "==", value: agentId }],
        orderBy: [{ field: "updatedAt", direction: "desc" }],
        limit: 1,
      });
      const at = newest?.data.updatedAt;
      return [agentId, typeof at === "string" ? at : null] as const;
    }),
  );
  return new Map(latest);
}

/** The configuration fields of an agent document. */
export function configOf(agent: Agent): AgentConfig {
  return agentConfigSchema.parse(agent);
}

/**
 * The draft as it is now, fixed for a Sandbox run: its configuration, with a prompt template's label resolved
 * to the version it points at now (as publishing pins it), so neither an edit of the draft nor a moved label
 * changes what the run evaluates.
 */
export async function draftSnapshot(deps: Deps, tenantId: string, agent: Agent): Promise<AgentConfig> {
  const config = configOf(agent);
  return config.prompt
    ? { ...config, prompt: await pinPromptRef(deps.store, tenantId, config.prompt) }
    : config;
}

/**
 * Runs `change` on the current agent in a transaction; archived agents cannot change. The fields that
 * changed are audited as `audit.action` in the same transaction (nothing is recorded when none did).
 */
export async function changeAgent(
  deps: Deps,
  tenantId: string,
  agentId: string,
  audit: { actor: string; action: string },
  change: (agent: Agent, now: string, tx: Transaction) => Promise<Partial<Agent>> | Partial<Agent>,
): Promise<AgentView> {
  const path = agentPath(tenantId, agentId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Agent ${agentId} not found`);
    const agent = agentSchema.parse(snap.data);
    if (agent.status === "archived") {
      throw new AppError("failed-precondition", `Agent ${agentId} is archived and can no longer change`);
    }
    const now = deps.clock.nowIso();
    const patch = { ...(await change(agent, now, tx)), updatedAt: now };
    tx.update(path, patch);
    const diff = changedFields(agent, { ...agent, ...patch });
    if (hasChanges(diff)) {
      await recordAudit(deps, { tenantId, ...audit, target: { type: "agent", id: agentId }, ...diff }, tx);
    }
    return { id: agentId, ...agent, ...patch };
  });
}

export async function updateAgent(
  deps: Deps,
  tenantId: string,
  agentId: string,
  patch: UpdateAgentInput,
  actor = "system",
): Promise<AgentView> {
  const model = patch.model && {
    ...patch.model,
    maxOutputTokens: patch.model.maxOutputTokens ?? agentOptions(deps).maxOutputTokens.default,
  };
  // Only what the patch sets: a draft saved before the operator lowered a cap can still be renamed.
  checkModelCaps(
    deps,
    { model, contextBudgetTokens: patch.contextBudgetTokens },
    await workspaceModels(deps, tenantId, model?.name),
  );
  if (patch.tools) await checkTools(deps, tenantId, patch.tools);
  if (patch.prompt) await checkPromptRef(deps.store, tenantId, patch.prompt);
  const kbIds = patch.knowledgeBaseIds
    ? await checkKnowledgeBases(deps, tenantId, patch.knowledgeBaseIds)
    : undefined;
  return changeAgent(deps, tenantId, agentId, { actor, action: "agent.update" }, () => {
    const next: Partial<Agent> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (next as Record<string, unknown>)[key] = value;
    }
    if (model) next.model = model;
    if (kbIds) next.knowledgeBaseIds = kbIds;
    return next;
  });
}

/** Copies the draft into the next immutable version and serves it. A paused agent stays paused. */
export async function publishAgent(
  deps: Deps,
  tenantId: string,
  agentId: string,
  input: z.input<typeof publishAgentInput>,
  publishedBy: string,
): Promise<AgentView> {
  const environment = input.environment ?? productionEnvironment;
  const note = input.note ?? "";
  const audit = { actor: publishedBy, action: "agent.publish" };
  // A version must fit the platform as it is now: the draft may have been saved under older limits.
  // Destinations are checked (DNS included) before the transaction, which then makes sure they are the
  // ones it publishes.
  const checked = await getAgent(deps, tenantId, agentId);
  await requireEnvironment(deps, tenantId, environment);
  const checkedTools = checked.tools;
  await checkToolDestinations(deps, checkedTools);
  const ownModels = await workspaceModels(deps, tenantId, checked.model.name);
  return changeAgent(deps, tenantId, agentId, audit, async (agent, now, tx) => {
    if (JSON.stringify(agent.tools) !== JSON.stringify(checkedTools)) {
      throw new AppError(
        "aborted",
        `Agent ${agentId}'s tools changed while it was being published; publish again`,
      );
    }
    checkModelCaps(deps, agent, ownModels);
    const version = agent.latestVersion + 1;
    const record: AgentVersion = {
      version,
      config: await pinnedConfig(tx, tenantId, configOf(agent)),
      note,
      publishedAt: now,
      publishedBy,
    };
    tx.create(agentVersionPath(tenantId, agentId, version), record);
    const release = { environment, version, action: "publish" as const, note };
    writeRelease(deps, tx, tenantId, agentId, agent, release, now, publishedBy);
    if (environment !== productionEnvironment) {
      // Another environment: production (and the agent's status) stay as they are.
      return { latestVersion: version, ...servingIn(agent, environment, version, now, publishedBy) };
    }
    return {
      status: agent.status === "paused" ? "paused" : "published",
      publishedVersion: version,
      latestVersion: version,
    };
  });
}

/**
 * Sets (or, with null, removes) the agent's check before publishing. The Sandbox's route validates what the
 * gate names (its dataset) first; the agent only keeps it, outside every version.
 */
export async function setPublishGate(
  deps: Deps,
  tenantId: string,
  agentId: string,
  gate: PublishGate | null,
  actor = "system",
): Promise<AgentView> {
  const audit = { actor, action: gate ? "agent.publishGate.set" : "agent.publishGate.remove" };
  return changeAgent(deps, tenantId, agentId, audit, () => ({ publishGate: gate }));
}

/** Serves an earlier (or later) published version again; the draft is left as it is. */
export async function rollbackAgent(
  deps: Deps,
  tenantId: string,
  agentId: string,
  version: number,
  actor = "system",
): Promise<AgentView> {
  const audit = { actor, action: "agent.rollback" };
  return changeAgent(deps, tenantId, agentId, audit, async (agent, now, tx) => {
    const snap = await tx.get(agentVersionPath(tenantId, agentId, version));
    if (!snap) {
      throw new AppError(
        "not-found",
        `Agent ${agentId} has no version ${version}` +
          (agent.latestVersion > 0
            ? ` (published versions: 1-${agent.latestVersion})`
            : " (it was never published)"),
      );
    }
    if (agent.publishedVersion !== version) {
      const release = { environment: productionEnvironment, version, action: "rollback" as const, note: "" };
      writeRelease(deps, tx, tenantId, agentId, agent, release, now, actor);
    }
    return { publishedVersion: version };
  });
}

export async function pauseAgent(
  deps: Deps,
  tenantId: string,
  agentId: string,
  actor = "system",
): Promise<AgentView> {
  return changeAgent(deps, tenantId, agentId, { actor, action: "agent.pause" }, (agent) => {
    if (agent.status === "draft") {
      throw new AppError(
        "failed-precondition",
        `Agent ${agentId} was never published; there is nothing to pause`,
      );
    }
    return { status: "paused" };
  });
}

export async function resumeAgent(
  deps: Deps,
  tenantId: string,
  agentId: string,
  actor = "system",
): Promise<AgentView> {
  return changeAgent(deps, tenantId, agentId, { actor, action: "agent.resume" }, (agent) => {
    if (agent.status !== "paused") {
      throw new AppError("failed-precondition", `Agent ${agentId} is ${agent.status}, not paused`);
    }
    return { status: "published" };
  });
}

/** Archiving is final: the agent stops answering and stops changing; its history stays readable. */
export async function archiveAgent(
  deps: Deps,
  tenantId: string,
  agentId: string,
  actor = "system",
): Promise<void> {
  const path = agentPath(tenantId, agentId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Agent ${agentId} not found`);
    const { status } = agentSchema.parse(snap.data);
    if (status === "archived") return; // idempotent
    tx.update(path, { status: "archived", updatedAt: deps.clock.nowIso() });
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "agent.archive",
        target: { type: "agent", id: agentId },
        before: { status },
        after: { status: "archived" },
      },
      tx,
    );
  });
}

export async function listVersions(
  deps: Deps,
  tenantId: string,
  agentId: string,
): Promise<AgentVersionView[]> {
  await getAgent(deps, tenantId, agentId);
  const snaps = await deps.store.query({
    collection: agentVersionsPath(tenantId, agentId),
    orderBy: [{ field: "version", direction: "desc" }],
  });
  return snaps.map((s) => ({ id: s.id, ...agentVersionSchema.parse(s.data) }));
}

/** A published version's configuration, read from the store or inside a transaction. */
async function versionConfig(
  reader: Pick<Transaction, "get">,
  tenantId: string,
  agentId: string,
  version: number,
): Promise<AgentConfig> {
  const snap = await reader.get(agentVersionPath(tenantId, agentId, version));
  if (!snap) throw new AppError("not-found", `Agent ${agentId} has no version ${version}`);
  return agentVersionSchema.parse(snap.data).config;
}

/** The configuration a version is published with: its prompt checked, its label pinned to a version. */
async function pinnedConfig(tx: Transaction, tenantId: string, config: AgentConfig): Promise<AgentConfig> {
  return config.prompt ? { ...config, prompt: await pinPromptRef(tx, tenantId, config.prompt) } : config;
}

/** Who a turn is for, when the configuration is resolved for one (experiments assign by it). */
export interface TurnContext {
  /** The conversation's `endUserRef`, else its id. */
  readonly endUserKey: string;
  /** False for turns that are not live traffic (Sandbox turns, monitor probes). */
  readonly experiments: boolean;
  /** The draft as a Sandbox run fixed it (`draftSnapshot`), answering instead of the draft as it is now. */
  readonly draft?: AgentConfig;
}

/**
 * The configuration that answers a conversation turn (within the operator's current caps, `clamps`
 * saying what was lowered), and the version to record with the answer. On the published selector, for a
 * live turn, a running experiment's variant applies (prompts/experiments.ts; `experiment` says which). A
 * prompt template, when the configuration names one, is rendered into `instructions` (`prompt` says which
 * version): a published version renders the version pinned when it was published, the draft its label's now.
 */
export async function resolveConfig(
  deps: Deps,
  tenantId: string,
  agent: AgentView,
  selector: VersionSelector,
  turn?: TurnContext,
): Promise<{
  config: AgentConfig;
  version: number | "draft";
  clamps: string[];
  prompt: PromptUse | null;
  experiment: { id: string; variant: string } | null;
}> {
  let config: AgentConfig;
  let version: number | "draft" = "draft";
  let experiment: { id: string; variant: string } | null = null;
  if (selector === "draft") config = turn?.draft ?? configOf(agent);
  else {
    const served = servedVersion(agent, selector);
    if (served === null) {
      throw new AppError(
        "failed-precondition",
        typeof selector === "object" && selector.environment !== productionEnvironment
          ? `Agent ${agent.id} serves no version in ${selector.environment} yet: publish or promote one there`
          : `Agent ${agent.id} has no published version yet: publish it, or talk to its draft in the studio`,
      );
    }
    // Experiments split production's live traffic only.
    const live =
      selector === "published" ||
      (typeof selector === "object" && selector.environment === productionEnvironment);
    const assignment =
      live && turn?.experiments
        ? await experimentAssignment(deps, tenantId, agent.id, turn.endUserKey)
        : null;
    version = assignment?.variant.overrides.agentVersion ?? served;
    config = await versionConfig(deps.store, tenantId, agent.id, version);
    if (assignment) {
      config = applyVariant(config, assignment.variant);
      experiment = { id: assignment.experimentId, variant: assignment.variant.id };
    }
  }
  let prompt: PromptUse | null = null;
  if (config.prompt) {
    const rendered = await renderPromptRef(deps.store, tenantId, config.prompt);
    config = { ...config, instructions: rendered.text };
    prompt = rendered.use;
  }
  const ownModels = await workspaceModels(deps, tenantId, config.model.name);
  return { ...capModelSettings(deps, config, ownModels), version, prompt, experiment };
}

/** Whether an agent answers at all right now (the playground may still talk to a paused agent's draft). */
export function assertAnswering(agent: AgentView, selector: VersionSelector): void {
  if (agent.status === "archived") {
    throw new AppError("failed-precondition", `Agent ${agent.id} is archived and no longer answers`);
  }
  if (agent.status === "paused" && selector !== "draft") {
    throw new AppError("failed-precondition", `Agent ${agent.id} is paused; resume it to answer again`);
  }
}

/**
 * For channels bound to one agent (a WhatsApp number, a web widget): the agent must answer there now, so it
 * is published, not archived, and its served version enables `channel`. Checked when the binding is made, so
 * a mistake is refused with what to do instead of every end user's message failing later.
 */
export async function requirePublishedOn(
  deps: Deps,
  tenantId: string,
  agentId: string,
  channel: AgentConfig["channels"][number],
  environment: string = productionEnvironment,
): Promise<AgentView> {
  await requireEnvironment(deps, tenantId, environment);
  const agent = await getAgent(deps, tenantId, agentId);
  const selector = selectorIn(environment);
  if (servedVersion(agent, selector) === null || agent.status === "archived") {
    throw new AppError(
      "failed-precondition",
      environment === productionEnvironment
        ? `Agent ${agentId} has no published version to answer with`
        : `Agent ${agentId} serves no version in ${environment} to answer with: publish or promote one there`,
    );
  }
  const { config } = await resolveConfig(deps, tenantId, agent, selector);
  if (!config.channels.includes(channel)) {
    throw new AppError(
      "failed-precondition",
      `Agent ${agentId}'s version in ${environment} is not enabled on the ${channel} channel: add the channel and publish`,
    );
  }
  return agent;
}

// ----- experiments (prompts/experiments.ts, composed into their routes by channels/api/routes.ts) ---------

/** An agent as an experiment needs to know it. */
export async function experimentAgent(
  deps: Deps,
  tenantId: string,
  agentId: string,
): Promise<ExperimentAgent> {
  const agent = await getAgent(deps, tenantId, agentId);
  return {
    id: agent.id,
    status: agent.status,
    publishedVersion: agent.publishedVersion,
    latestVersion: agent.latestVersion,
    promptOf: async (version) => (await versionConfig(deps.store, tenantId, agentId, version)).prompt ?? null,
  };
}

/** A pinned prompt as the draft keeps it: the version, not the label (which may have moved since). */
const draftPrompt = (prompt: PromptRef | null | undefined): PromptRef | null =>
  prompt ? { templateId: prompt.templateId, version: prompt.version, variables: prompt.variables } : null;

/**
 * Promotes an experiment's variant: publishes the next version from the served configuration (or the variant's
 * `agentVersion`'s) with the variant's overrides, checked and pinned like any publish, and serves it. The draft
 * takes the overridden fields too (all of them for a variant that names an agent version), so publishing the
 * draft later keeps the promoted change; its other unpublished edits stay unpublished. `within` (the
 * experiment's own record) commits in the same transaction.
 */
export const publishVariant: PublishVariant = async (deps, tenantId, input) => {
  const { agentId, variant, note, actor, within } = input;
  let published = 0;
  await changeAgent(deps, tenantId, agentId, { actor, action: "agent.promote" }, async (agent, now, tx) => {
    const o = variant.overrides;
    const base = o.agentVersion ?? agent.publishedVersion;
    if (base === null) {
      throw new AppError(
        "failed-precondition",
        `Agent ${agentId} has no published version to promote a variant onto`,
      );
    }
    const config = await pinnedConfig(
      tx,
      tenantId,
      applyVariant(await versionConfig(tx, tenantId, agentId, base), variant),
    );
    checkModelCaps(deps, config, await workspaceModels(deps, tenantId, config.model.name));
    const version = agent.latestVersion + 1;
    await within(tx, version);
    const record: AgentVersion = { version, config, note, publishedAt: now, publishedBy: actor };
    tx.create(agentVersionPath(tenantId, agentId, version), record);
    published = version;
    const draft: Partial<Agent> =
      o.agentVersion !== undefined
        ? { ...config, prompt: draftPrompt(config.prompt) }
        : {
            ...(o.modelName !== undefined || o.temperature !== undefined
              ? {
                  model: {
                    ...agent.model,
                    ...(o.modelName !== undefined ? { name: o.modelName } : {}),
                    ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
                  },
                }
              : {}),
            ...(o.knowledgeBaseIds !== undefined ? { knowledgeBaseIds: config.knowledgeBaseIds } : {}),
            ...(variant.resolvedPrompt ? { prompt: draftPrompt(config.prompt) } : {}),
          };
    return {
      ...draft,
      status: agent.status === "paused" ? "paused" : "published",
      publishedVersion: version,
      latestVersion: version,
    };
  });
  return { version: published };
};
