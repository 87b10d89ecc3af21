/**
 * Agents as the studio sees them: the platform's shapes, the data layer's section for agents and the
 * playground (`AgentsSource`), and the builder's form, which edits a subset of the draft configuration and
 * saves only what changed.
 */
import { unlistedAgentOptions, type AgentOptions } from "./agentOptions";
import type { AssistantMessage, ConfirmationDecision, Trace, VersionChoice } from "./conversations";
import type { KnowledgeBaseList } from "./knowledgeBases";

export const agentStatuses = ["draft", "published", "paused", "archived"] as const;
export type AgentStatus = (typeof agentStatuses)[number];

/** Where an agent may answer, in the platform's order (its `agentChannels`); each version enables some. */
export const agentChannels = [
  "api",
  "openai-compatible",
  "callable",
  "studio",
  "mcp",
  "whatsapp",
  "widget",
] as const;
export type AgentChannel = (typeof agentChannels)[number];

export interface AgentModel {
  /** `null` uses the platform's configured chat model. */
  readonly name: string | null;
  readonly temperature: number;
  readonly maxOutputTokens: number;
}

/**
 * What the agent remembers about each end user across conversations (the platform's `longTermMemory`), and
 * for how long; `workspace` scope shares it with every agent of the workspace that has memory in that scope.
 */
export interface LongTermMemory {
  readonly enabled: boolean;
  readonly retentionDays: number;
  readonly scope: "agent" | "workspace";
}

/** The platform's default: off. */
export const defaultLongTermMemory: LongTermMemory = { enabled: false, retentionDays: 365, scope: "agent" };

export interface AgentGuardrails {
  readonly blockedTopics: readonly string[];
  readonly redactPii: boolean;
}

/**
 * A tool as the platform describes it; the studio shows it and compares it whole. Built-in and HTTP tools
 * have a name; a pinned tool set (`kind: "toolset"`) names its tool set and version instead.
 */
export type AgentTool = Readonly<Record<string, unknown>> & { readonly kind: string; readonly name?: string };

/** A Tool Forge tool set's published version, pinned: a newer version changes nothing until it is pinned. */
// A type, not an interface: it must fit `AgentTool`'s index signature.
export type PinnedToolSet = {
  readonly kind: "toolset";
  readonly toolSetId: string;
  readonly version: number;
  /** Only these of the version's tools; all of them when absent. */
  readonly only?: readonly string[];
};

export function isPinnedToolSet(tool: AgentTool): tool is AgentTool & PinnedToolSet {
  return tool.kind === "toolset" && typeof tool.toolSetId === "string" && typeof tool.version === "number";
}

/** What an editor configures; a published version is an immutable copy of it. */
export interface AgentConfig {
  readonly name: string;
  readonly description: string;
  readonly instructions: string;
  readonly model: AgentModel;
  readonly knowledgeBaseIds: readonly string[];
  readonly tools: readonly AgentTool[];
  readonly maxToolSteps: number;
  readonly guardrails: AgentGuardrails;
  readonly confidenceThreshold: number;
  readonly memoryWindow: number;
  readonly contextBudgetTokens: number;
  /** `agentChannels`, or a channel newer than this studio (kept as it is). */
  readonly channels: readonly string[];
  readonly longTermMemory: LongTermMemory;
}

export interface Agent extends AgentConfig {
  readonly id: string;
  readonly status: AgentStatus;
  /** The version conversations get; `null` until the first publish. */
  readonly publishedVersion: number | null;
  /** The highest version published so far (0 before the first publish). */
  readonly latestVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * When its newest conversation last changed; null when it has none. Only listings carry it (undefined
   * elsewhere, and from a platform that does not report it).
   */
  readonly lastActivityAt?: string | null;
  /** The check publishing runs first, when one is set (not part of any version); `null` without one. */
  readonly publishGate: PublishGate | null;
}

/**
 * The publish gate (`PUT /v1/agents/{id}/publish-gate`): publishing runs the golden dataset against the draft
 * and the published version, and refuses a draft whose accuracy is lower by more than `maxDrop`.
 */
export interface PublishGate {
  readonly enabled: boolean;
  readonly datasetId: string;
  /** The largest drop in accuracy allowed, 0..1 (0.05: five points). */
  readonly maxDrop: number;
  /** How long a publish waits for the gate's runs, 10..240 s. */
  readonly timeoutSeconds: number;
}

/** The platform's bounds on a gate's wait (functions/src/sandbox/gate.ts). */
export const publishGateTimeout = { min: 10, max: 240, default: 120 } as const;

export interface AgentVersion {
  readonly version: number;
  readonly config: AgentConfig;
  readonly note: string;
  readonly publishedAt: string;
  /** The account (or API key) that published it. */
  readonly publishedBy: string;
}

/** `PATCH /v1/agents/{id}`: any subset of the configuration; `model` and `guardrails` are replaced whole. */
export type AgentPatch = Partial<
  Pick<
    AgentConfig,
    | "name"
    | "description"
    | "instructions"
    | "model"
    | "knowledgeBaseIds"
    | "tools"
    | "maxToolSteps"
    | "guardrails"
    | "confidenceThreshold"
    | "memoryWindow"
    | "contextBudgetTokens"
    | "channels"
    | "longTermMemory"
  >
>;

/** `POST /v1/agents`: the fields the builder sets. */
export type AgentCreateInput = Required<AgentPatch>;

// ----- the data layer's section ------------------------------------------------------------------

/** Agents, their versions, and the playground's conversations (see source.ts for the whole interface). */
export interface AgentsSource {
  /** Most recently changed first. */
  listAgents(options: { readonly includeArchived: boolean }, signal: AbortSignal): Promise<Agent[]>;
  getAgent(agentId: string, signal: AbortSignal): Promise<Agent>;
  /** Published versions, newest first. */
  listAgentVersions(agentId: string, signal: AbortSignal): Promise<AgentVersion[]>;
  listKnowledgeBases(signal: AbortSignal): Promise<KnowledgeBaseList>;
  /** What agents may be configured with here (models, token caps, tool hosts); asked of the API in both modes. */
  getAgentOptions(signal: AbortSignal): Promise<AgentOptions>;

  createAgent(input: AgentCreateInput): Promise<{ id: string }>;
  /** Changes the draft configuration; published versions never change. */
  updateAgent(agentId: string, patch: AgentPatch): Promise<Agent>;
  /** Copies the draft into the next immutable version and serves it. */
  /** Into `environment` (the workspace's production by default). */
  publishAgent(agentId: string, note: string, environment?: string): Promise<Agent>;
  /** Serves an earlier published version again; the draft is unchanged. */
  rollbackAgent(agentId: string, version: number): Promise<Agent>;
  pauseAgent(agentId: string): Promise<Agent>;
  resumeAgent(agentId: string): Promise<Agent>;
  /** Final: the agent stops answering and changing; its history stays readable. */
  archiveAgent(agentId: string): Promise<void>;
  /** Sets (or replaces) the publish gate; answers the gate as stored. Needs `agents.manage`. */
  setPublishGate(agentId: string, gate: PublishGate): Promise<PublishGate>;
  /** Publishing no longer runs a gate. */
  removePublishGate(agentId: string): Promise<void>;

  /** Starts a conversation with the draft or a published version; answers its id. */
  /**
   * Starts a conversation with `version`; with `endUserRef`, as that end user (long-term memory remembers them,
   * as it would a real end user on a channel).
   */
  startConversation(agentId: string, version: VersionChoice, endUserRef?: string): Promise<string>;
  /** Sends a message; `onDelta` gets the answer's text as it streams, the promise the checked answer. */
  sendMessage(
    conversationId: string,
    content: string,
    onDelta: (text: string) => void,
  ): Promise<AssistantMessage>;
  /**
   * Confirms or cancels the write an answer asks for; the agent's next answer (which reports the result) streams
   * like sendMessage's. Refused when it expired, was decided already, or the conversation moved on.
   */
  decideConfirmation(
    conversationId: string,
    confirmationId: string,
    decision: ConfirmationDecision,
    onDelta: (text: string) => void,
  ): Promise<AssistantMessage>;
  /** The decision trace of one answer. */
  getTrace(traceId: string, signal: AbortSignal): Promise<Trace>;
}

// ----- limits (the platform's, repeated so the form can say so before saving) ----------------------
// The model's limits (names, output and context tokens) are the operator's: see agentOptions.ts.

export const agentLimits = {
  name: 120,
  description: 2000,
  instructions: 20_000,
  modelName: 200,
  maxMemoryWindow: 50,
  blockedTopic: 120,
  blockedTopics: 50,
  knowledgeBases: 20,
  tools: 20,
  maxToolSteps: 10,
  minRetentionDays: 1,
  maxRetentionDays: 3650,
  toolDescription: 1000,
  minToolTimeoutMs: 100,
  maxToolTimeoutMs: 60_000,
} as const;

/** Tools the platform runs itself, and what each lets the model do (the platform's `builtinTools`). */
export const builtinToolDescriptions = {
  search_knowledge: "Search the agent's knowledge bases again mid-answer, with its own query.",
  current_time: 'Know today\'s date and the time (for deadlines, opening hours, "this year").',
} as const;
export type BuiltinToolName = keyof typeof builtinToolDescriptions;

/** An HTTP tool: the platform calls `url` with the model's arguments, checked against `parameters`. */
// A type, not an interface: it must fit `AgentTool`'s index signature.
export type HttpTool = {
  readonly kind: "http";
  readonly name: string;
  readonly description: string;
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly timeoutMs: number;
  /** JSON Schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
};

export function isHttpTool(tool: AgentTool): tool is AgentTool & HttpTool {
  return tool.kind === "http";
}

/** Tool names as the platform (and OpenAI's API) accept them. */
export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** What the platform gives a new agent; the builder starts from the same values. */
export const defaultInstructions =
  "You are a helpful assistant. Answer from the knowledge bases you are given.";

/** About four characters per token for English text: the same estimate the platform budgets context with. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

// ----- the builder's form ---------------------------------------------------------------------------

/** The builder's editable fields, as the controls hold them (a number being typed is still text). */
export interface AgentDraft {
  readonly name: string;
  readonly description: string;
  readonly instructions: string;
  /** Blank uses the platform's default model. */
  readonly modelName: string;
  readonly temperature: number;
  readonly maxOutputTokens: string;
  readonly knowledgeBaseIds: readonly string[];
  readonly blockedTopics: readonly string[];
  readonly redactPii: boolean;
  readonly confidenceThreshold: number;
  readonly memoryWindow: number;
  readonly tools: readonly AgentTool[];
  readonly maxToolSteps: number;
  readonly contextBudgetTokens: number;
  /** In the platform's order (`inChannelOrder`), so checking a channel off and on again changes nothing. */
  readonly channels: readonly string[];
  /** Long-term memory: on or off, how many days to keep it (as typed), and who recalls it. */
  readonly longTermMemory: boolean;
  readonly memoryRetentionDays: string;
  readonly memoryScope: LongTermMemory["scope"];
}

export type DraftField = keyof AgentDraft;
export type DraftErrors = Partial<Record<DraftField, string>>;

export const newAgentDraft: AgentDraft = {
  name: "",
  description: "",
  instructions: defaultInstructions,
  modelName: "",
  temperature: 0.2,
  maxOutputTokens: "800",
  knowledgeBaseIds: [],
  blockedTopics: [],
  redactPii: true,
  // Calibrated: at 0.8 an agent answers when four in five such answers are right (README, Agent Engine).
  confidenceThreshold: 0.8,
  memoryWindow: 6,
  tools: [],
  maxToolSteps: 4,
  contextBudgetTokens: 8000,
  // The platform's default: a new agent answers everywhere.
  channels: [...agentChannels],
  longTermMemory: defaultLongTermMemory.enabled,
  memoryRetentionDays: String(defaultLongTermMemory.retentionDays),
  memoryScope: defaultLongTermMemory.scope,
};

/** A new agent's draft, its model settings starting where the platform's caps allow. */
export function newAgentDraftFor(options: AgentOptions): AgentDraft {
  return {
    ...newAgentDraft,
    maxOutputTokens: String(options.maxOutputTokens.default),
    contextBudgetTokens: options.contextBudgetTokens.default,
  };
}

export function draftOf(config: AgentConfig): AgentDraft {
  return {
    name: config.name,
    description: config.description,
    instructions: config.instructions,
    modelName: config.model.name ?? "",
    temperature: config.model.temperature,
    maxOutputTokens: String(config.model.maxOutputTokens),
    knowledgeBaseIds: config.knowledgeBaseIds,
    blockedTopics: config.guardrails.blockedTopics,
    redactPii: config.guardrails.redactPii,
    confidenceThreshold: config.confidenceThreshold,
    memoryWindow: config.memoryWindow,
    tools: config.tools,
    maxToolSteps: config.maxToolSteps,
    contextBudgetTokens: config.contextBudgetTokens,
    channels: inChannelOrder(config.channels),
    longTermMemory: config.longTermMemory.enabled,
    memoryRetentionDays: String(config.longTermMemory.retentionDays),
    memoryScope: config.longTermMemory.scope,
  };
}

/** Known channels in the platform's order, once each; then any newer than this studio, as they came. */
export function inChannelOrder(channels: readonly string[]): string[] {
  const known = agentChannels.filter((channel) => channels.includes(channel));
  const newer = channels.filter((channel) => !(agentChannels as readonly string[]).includes(channel));
  return [...known, ...new Set(newer)];
}

/** The draft's channels with `channel` switched on or off. */
export function withChannel(channels: readonly string[], channel: AgentChannel, on: boolean): string[] {
  return inChannelOrder(on ? [...channels, channel] : channels.filter((c) => c !== channel));
}

/**
 * The problems the platform would refuse, found before sending; empty when the draft can be saved. The
 * model's limits are the platform's `options` (a platform that does not list them: the schema's own).
 */
export function validateDraft(draft: AgentDraft, options: AgentOptions = unlistedAgentOptions): DraftErrors {
  const errors: DraftErrors = {};
  if (draft.name.trim() === "") errors.name = "Give the agent a name.";
  else if (draft.name.trim().length > agentLimits.name)
    errors.name = `At most ${agentLimits.name} characters.`;
  if (draft.description.length > agentLimits.description)
    errors.description = `At most ${agentLimits.description.toLocaleString("en")} characters.`;
  if (draft.instructions.length > agentLimits.instructions)
    errors.instructions = `At most ${agentLimits.instructions.toLocaleString("en")} characters.`;
  const modelName = draft.modelName.trim();
  if (modelName.length > agentLimits.modelName)
    errors.modelName = `At most ${agentLimits.modelName} characters.`;
  else if (modelName !== "" && options.models && !options.models.allowed.includes(modelName))
    errors.modelName = "This platform does not offer this model: pick one it offers, or its default.";
  const output = options.maxOutputTokens;
  if (outputTokens(draft, output) === undefined)
    errors.maxOutputTokens = `A whole number from ${output.min} to ${output.max.toLocaleString("en")}.`;
  const context = options.contextBudgetTokens;
  if (draft.contextBudgetTokens > context.max)
    errors.contextBudgetTokens = `At most ${context.max.toLocaleString("en")} tokens on this platform.`;
  else if (draft.contextBudgetTokens < context.min)
    errors.contextBudgetTokens = `At least ${context.min.toLocaleString("en")} tokens.`;
  if (retentionDays(draft) === undefined)
    errors.memoryRetentionDays = `A whole number of days from ${agentLimits.minRetentionDays} to ${agentLimits.maxRetentionDays.toLocaleString("en")}.`;
  return errors;
}

function retentionDays(draft: AgentDraft): number | undefined {
  const text = draft.memoryRetentionDays.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= agentLimits.minRetentionDays && value <= agentLimits.maxRetentionDays ? value : undefined;
}

function longTermMemoryOf(draft: AgentDraft, fallback: LongTermMemory): LongTermMemory {
  return {
    enabled: draft.longTermMemory,
    retentionDays: retentionDays(draft) ?? fallback.retentionDays,
    scope: draft.memoryScope,
  };
}

function outputTokens(
  draft: AgentDraft,
  bounds: AgentOptions["maxOutputTokens"] = unlistedAgentOptions.maxOutputTokens,
): number | undefined {
  const text = draft.maxOutputTokens.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= bounds.min && value <= bounds.max ? value : undefined;
}

function modelOf(draft: AgentDraft, fallback: AgentModel): AgentModel {
  const name = draft.modelName.trim();
  return {
    name: name === "" ? null : name,
    temperature: draft.temperature,
    maxOutputTokens: outputTokens(draft) ?? fallback.maxOutputTokens,
  };
}

/** The body that creates an agent from a new draft (validate it first). */
export function createInputOf(draft: AgentDraft): AgentCreateInput {
  return {
    name: draft.name.trim(),
    description: draft.description,
    instructions: draft.instructions,
    model: modelOf(draft, { name: null, temperature: 0.2, maxOutputTokens: 800 }),
    knowledgeBaseIds: draft.knowledgeBaseIds,
    guardrails: { blockedTopics: draft.blockedTopics, redactPii: draft.redactPii },
    confidenceThreshold: draft.confidenceThreshold,
    memoryWindow: draft.memoryWindow,
    tools: draft.tools,
    maxToolSteps: draft.maxToolSteps,
    contextBudgetTokens: draft.contextBudgetTokens,
    channels: draft.channels,
    longTermMemory: longTermMemoryOf(draft, defaultLongTermMemory),
  };
}

/** The saved configuration with the form's edits applied: what the draft will be once saved. */
export function applyDraft(config: AgentConfig, draft: AgentDraft): AgentConfig {
  return {
    ...config,
    ...createInputOf(draft),
    model: modelOf(draft, config.model),
    longTermMemory: longTermMemoryOf(draft, config.longTermMemory),
  };
}

/**
 * Only the fields the form changed, so a save never overwrites what someone else changed meanwhile in
 * fields this form did not touch.
 */
export function draftChanges(saved: AgentConfig, draft: AgentDraft): AgentPatch {
  const next = applyDraft(saved, draft);
  // The platform keeps channels in the order they were sent, the form in its own: compared as sets.
  const before = { ...saved, channels: inChannelOrder(saved.channels) };
  const patch: Record<string, unknown> = {};
  for (const key of [
    "name",
    "description",
    "instructions",
    "model",
    "knowledgeBaseIds",
    "tools",
    "maxToolSteps",
    "guardrails",
    "confidenceThreshold",
    "memoryWindow",
    "contextBudgetTokens",
    "channels",
    "longTermMemory",
  ] as const) {
    if (!sameValue(before[key], next[key])) patch[key] = next[key];
  }
  return patch as AgentPatch;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The form field a platform validation issue is about (`model.maxOutputTokens` → `maxOutputTokens`). */
export function draftFieldOfIssue(path: string): DraftField | undefined {
  const [head, sub] = path.split(".");
  switch (head) {
    case "name":
    case "description":
    case "instructions":
    case "knowledgeBaseIds":
    case "confidenceThreshold":
    case "memoryWindow":
    case "tools":
    case "maxToolSteps":
    case "contextBudgetTokens":
    case "channels":
      return head;
    case "model":
      return sub === "name" ? "modelName" : sub === "temperature" ? "temperature" : "maxOutputTokens";
    case "guardrails":
      return sub === "redactPii" ? "redactPii" : "blockedTopics";
    case "longTermMemory":
      return sub === "retentionDays"
        ? "memoryRetentionDays"
        : sub === "scope"
          ? "memoryScope"
          : "longTermMemory";
    default:
      return undefined;
  }
}
