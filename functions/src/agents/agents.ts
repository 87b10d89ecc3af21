/** Agent configuration: create and read. Lifecycle (publish, versions, rollback) grows here. */
import { z } from "zod";
import { getKnowledgeBase } from "../knowledge/knowledge-bases.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { agentPath, agentsPath, agentSchema, type Agent } from "./schema.js";

export const createAgentInput = z.object({
  name: z.string().trim().min(1, "name is required").max(120),
  instructions: z
    .string()
    .max(20_000)
    .default("You are a helpful assistant. Answer from the knowledge bases you are given."),
  knowledgeBaseIds: z.array(z.string().regex(idPattern, "invalid knowledge base id")).max(20).default([]),
  confidenceThreshold: z.number().min(0).max(1).default(0.45),
  memoryWindow: z.number().int().min(0).max(50).default(6),
});
export type CreateAgentInput = z.infer<typeof createAgentInput>;

export type AgentView = Agent & { readonly id: string };

export async function createAgent(
  deps: Deps,
  tenantId: string,
  input: CreateAgentInput,
): Promise<{ id: string }> {
  const kbIds = [...new Set(input.knowledgeBaseIds)];
  // Every attached knowledge base must be the tenant's own: a foreign id reads as not found.
  await Promise.all(kbIds.map((kbId) => getKnowledgeBase(deps, tenantId, kbId)));
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const agent: Agent = {
    name: input.name,
    instructions: input.instructions,
    knowledgeBaseIds: kbIds,
    status: "draft",
    confidenceThreshold: input.confidenceThreshold,
    memoryWindow: input.memoryWindow,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.create(`${agentsPath(tenantId)}/${id}`, agent);
  return { id };
}

export async function getAgent(deps: Deps, tenantId: string, agentId: string): Promise<AgentView> {
  const snap = await deps.store.get(agentPath(tenantId, agentId));
  if (!snap) throw new AppError("not-found", `Agent ${agentId} not found`);
  return { id: snap.id, ...agentSchema.parse(snap.data) };
}
