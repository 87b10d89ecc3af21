/**
 * The Global Narrative Framework's records (narrative/): what an agent remembers about the people it serves,
 * what it told them, and where its answers changed.
 *
 *   tenants/{t}/endUsers/{endUserKey}        an end user seen by an agent with long-term memory: their reference,
 *                                            when they were first and last seen, and `rev`, bumped by every
 *                                            change to their memories (a turn's recall cache is keyed on it)
 *   tenants/{t}/memories/{memoryId}          one remembered fact, preference or commitment, with provenance
 *   tenants/{t}/statements/{statementId}     a sentence an agent told an end user, with its sources: what a later
 *                                            answer is checked against for contradictions
 *   tenants/{t}/consistencyFlags/{flagId}    a contradiction found between an answer and an earlier one
 *
 * An end user is known only by the `endUserRef` their conversations record (`whatsapp:+49…`, `widget:…`, an API
 * client's `user`). Documents are keyed by a SHA-256 of it (`endUserKey`), so an id never spells the reference.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";

export const memoryKinds = ["fact", "preference", "commitment"] as const;
export type MemoryKind = (typeof memoryKinds)[number];
/** How a memory came to be: the documented patterns (extract.ts), a model, or an editor in the studio. */
export const memoryMethods = ["rules", "model", "editor"] as const;
export type MemoryMethod = (typeof memoryMethods)[number];

/** An agent's long-term memory settings (part of its versioned configuration). Off unless turned on. */
export const longTermMemorySchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Memories and statements older than this are deleted (and never recalled). */
    retentionDays: z.number().int().min(1).max(3650).default(365),
    /**
     * `agent`: what this agent learns, only it recalls. `workspace`: every agent of the workspace with memory
     * in workspace scope shares what it learns about an end user.
     */
    scope: z.enum(["agent", "workspace"]).default("agent"),
  })
  .strict();
export type LongTermMemory = z.infer<typeof longTermMemorySchema>;
export const defaultLongTermMemory: LongTermMemory = { enabled: false, retentionDays: 365, scope: "agent" };

/** The most memories one end user has in one scope; the oldest superseded go first, then the oldest. */
export const maxMemoriesPerScope = 2000;
export const maxMemoryTextChars = 500;

export const memorySourceSchema = z.object({
  conversationId: z.string(),
  /** The message's position in its conversation. */
  messageSeq: z.number().int().min(0),
  /** The turn's trace. */
  traceId: z.string().nullable(),
  /** The words the memory was taken from, as the end user (or, for a commitment, the agent) wrote them. */
  quote: z.string(),
});

export const memorySchema = z.object({
  endUserKey: z.string(),
  endUserRef: z.string(),
  /** `agent:{agentId}` or `workspace`: who recalls it. */
  scopeKey: z.string(),
  /** The agent that learned it (or the one an editor added it for); null for a workspace memory an editor added. */
  agentId: z.string().nullable(),
  kind: z.enum(memoryKinds),
  /**
   * The slot it fills ("name", "city", "language", "preference:contact"...): a newer memory with the same key in
   * the same scope supersedes the older one. null for memories that never replace another.
   */
  key: z.string().nullable(),
  /** The value alone ("Berlin"), for lists and edits. */
  value: z.string(),
  /** The memory as evidence, addressed to the end user: "You live in Berlin." */
  text: z.string().min(1).max(maxMemoryTextChars),
  confidence: z.number().min(0).max(1),
  method: z.enum(memoryMethods),
  /** The pattern id (rules), the model name (model), or the editor's uid (editor). */
  pattern: z.string().nullable(),
  source: memorySourceSchema.nullable(),
  status: z.enum(["active", "superseded"]),
  supersedes: z.string().nullable(),
  supersededBy: z.string().nullable(),
  supersededAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** After this the memory is not recalled, and the retention sweep deletes it. */
  expiresAt: z.string().nullable(),
  editedBy: z.string().nullable(),
  /** `<model>@<version>` of `embedding`; a memory of another model is matched by its words only. */
  embeddingModel: z.string().nullable(),
  embedding: z.array(z.number()).nullable(),
});
export type Memory = z.infer<typeof memorySchema>;
/** A memory as the API shows it: without its vector. */
export type MemoryView = Omit<Memory, "embedding" | "embeddingModel"> & { readonly id: string };

export const endUserSchema = z.object({
  endUserRef: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  /** Bumped by every change to the end user's memories or statements. */
  rev: z.number().int().min(0),
  /** Agents with long-term memory that talked to them. */
  agentIds: z.array(z.string()),
});
export type EndUser = z.infer<typeof endUserSchema>;

export const statementSourceSchema = z.object({
  kbId: z.string(),
  docId: z.string(),
  docName: z.string(),
  quote: z.string(),
});

export const statementSchema = z.object({
  endUserKey: z.string(),
  endUserRef: z.string(),
  scopeKey: z.string(),
  agentId: z.string(),
  agentVersion: z.number().int().nullable(),
  conversationId: z.string(),
  traceId: z.string(),
  /** One supported sentence of the answer, without its marker. */
  claim: z.string(),
  sources: z.array(statementSourceSchema),
  createdAt: z.string(),
  /** The end of the agent's retention period when it was said: then the sweep deletes it. */
  expiresAt: z.string(),
  /** Set when a later answer contradicted it: the flag that records it. */
  contradictedBy: z.string().nullable(),
});
export type Statement = z.infer<typeof statementSchema>;

export const consistencyFlagSchema = z.object({
  endUserKey: z.string(),
  agentId: z.string(),
  conversationId: z.string(),
  traceId: z.string(),
  createdAt: z.string(),
  earlier: z.object({
    statementId: z.string(),
    claim: z.string(),
    traceId: z.string(),
    conversationId: z.string(),
    at: z.string(),
    sources: z.array(statementSourceSchema),
  }),
  now: z.object({ claim: z.string(), sources: z.array(statementSourceSchema) }),
  /** Why the two disagree, as the entailment check put it ("states 20 where the source states 25"). */
  reason: z.string(),
  /** The answer followed the current evidence and told the end user about the change. */
  resolution: z.literal("corrected"),
  status: z.enum(["open", "reviewed"]),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
});
export type ConsistencyFlag = z.infer<typeof consistencyFlagSchema>;

/** The key of an end user's documents: a SHA-256 of their reference, so no id spells it. */
export function endUserKeyOf(endUserRef: string): string {
  return createHash("sha256").update(endUserRef, "utf8").digest("hex").slice(0, 40);
}
export const endUserKeySchema = z.string().regex(/^[0-9a-f]{40}$/, "must be an end user key (40 hex digits)");

export const scopeKeyOf = (scope: LongTermMemory["scope"], agentId: string): string =>
  scope === "workspace" ? "workspace" : `agent:${agentId}`;

export const endUsersPath = (tenantId: string): string => `${tenantPath(tenantId)}/endUsers`;
export const endUserPath = (tenantId: string, endUserKey: string): string =>
  `${endUsersPath(tenantId)}/${checkId(endUserKey, "end user key")}`;
export const memoriesPath = (tenantId: string): string => `${tenantPath(tenantId)}/memories`;
export const memoryPath = (tenantId: string, memoryId: string): string =>
  `${memoriesPath(tenantId)}/${checkId(memoryId, "memory id")}`;
export const statementsPath = (tenantId: string): string => `${tenantPath(tenantId)}/statements`;
export const statementPath = (tenantId: string, statementId: string): string =>
  `${statementsPath(tenantId)}/${checkId(statementId, "statement id")}`;
export const consistencyFlagsPath = (tenantId: string): string => `${tenantPath(tenantId)}/consistencyFlags`;
export const consistencyFlagPath = (tenantId: string, flagId: string): string =>
  `${consistencyFlagsPath(tenantId)}/${checkId(flagId, "flag id")}`;
