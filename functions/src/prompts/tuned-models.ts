/**
 * The workspace's own models: `tenants/{t}/tunedModels/{id}`, one per fine-tuning job that succeeded (written by
 * tuning/finetune.ts). A tuned model is trained on one workspace's conversations, so it is offered to that
 * workspace only: its agents and its experiments' variants may name it besides the operator's
 * ALLOWED_CHAT_MODELS, and no other workspace may. The schema lives here, under both the Agent Engine and the
 * Prompt Engine's experiments, which check model names against it.
 */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";

export const tunedModelSchema = z.object({
  /** The provider's model name (`ft:gpt-4o-mini-2024-07-18:org::abc123`): what an agent or variant names. */
  name: z.string(),
  baseModel: z.string(),
  jobId: z.string(),
  exportId: z.string(),
  agentId: z.string().nullable(),
  createdAt: z.string(),
});
export type TunedModel = z.infer<typeof tunedModelSchema>;
export type TunedModelView = TunedModel & { readonly id: string };

export const tunedModelsPath = (tenantId: string): string => `${tenantPath(tenantId)}/tunedModels`;
export const tunedModelPath = (tenantId: string, modelId: string): string =>
  `${tunedModelsPath(tenantId)}/${checkId(modelId, "tuned model id")}`;

/** The workspace's tuned models, newest first. */
export async function listTunedModels(
  deps: Pick<Deps, "store">,
  tenantId: string,
  limit = 100,
): Promise<TunedModelView[]> {
  const snaps = await deps.store.query({
    collection: tunedModelsPath(tenantId),
    orderBy: [{ field: "createdAt", direction: "desc" }],
    limit,
  });
  return snaps.map((s) => ({ id: s.id, ...tunedModelSchema.parse(s.data) }));
}

/** The workspace's tuned model of that name, if it has one. */
export async function findTunedModel(
  deps: Pick<Deps, "store">,
  tenantId: string,
  name: string,
): Promise<TunedModelView | null> {
  const snaps = await deps.store.query({
    collection: tunedModelsPath(tenantId),
    where: [{ field: "name", op: "==", value: name }],
    limit: 1,
  });
  const snap = snaps[0];
  return snap ? { id: snap.id, ...tunedModelSchema.parse(snap.data) } : null;
}

/**
 * The model names a workspace may use beyond the operator's list, as far as `name` is concerned: `[name]` when
 * it is one of the workspace's tuned models, else none. Asked only for a name the operator's list lacks, so the
 * usual turn reads nothing.
 */
export async function workspaceModels(
  deps: Pick<Deps, "store" | "config">,
  tenantId: string,
  name: string | null | undefined,
): Promise<string[]> {
  if (!name || deps.config.modelCaps.allowedChatModels.includes(name)) return [];
  return (await findTunedModel(deps, tenantId, name)) ? [name] : [];
}
