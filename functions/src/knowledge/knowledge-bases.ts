/**
 * Knowledge bases: create, read and list. A knowledge base's `active` map says which document versions are
 * searchable.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { knowledgeBasePath, knowledgeBasesPath, knowledgeBaseSchema, type KnowledgeBase } from "./schema.js";
import { nameSchema } from "../platform/validation.js";

export const createKnowledgeBaseInput = z.object({
  name: nameSchema("name", 120),
  description: z.string().max(2000).optional(),
});

export type KnowledgeBaseView = Omit<KnowledgeBase, "active"> & {
  readonly id: string;
  readonly documentCount: number;
};

export async function createKnowledgeBase(
  deps: Deps,
  tenantId: string,
  input: z.infer<typeof createKnowledgeBaseInput>,
  actor = "system",
): Promise<{ id: string }> {
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const kb: KnowledgeBase = {
    name: input.name,
    description: input.description ?? "",
    active: {},
    createdAt: now,
    updatedAt: now,
  };
  const batch = deps.store.batch();
  batch.create(`${knowledgeBasesPath(tenantId)}/${id}`, kb);
  const after = { name: kb.name, description: kb.description };
  const target = { type: "knowledgeBase", id };
  await recordAudit(deps, { tenantId, actor, action: "knowledgeBase.create", target, after }, batch);
  await batch.commit();
  return { id };
}

export async function loadKnowledgeBase(deps: Deps, tenantId: string, kbId: string): Promise<KnowledgeBase> {
  const snap = await deps.store.get(knowledgeBasePath(tenantId, kbId));
  if (!snap) throw new AppError("not-found", `Knowledge base ${kbId} not found`);
  return knowledgeBaseSchema.parse(snap.data);
}

export async function getKnowledgeBase(
  deps: Deps,
  tenantId: string,
  kbId: string,
): Promise<KnowledgeBaseView> {
  return toView(kbId, await loadKnowledgeBase(deps, tenantId, kbId));
}

/**
 * A short fingerprint of what the knowledge bases `kbIds` hold: each base's searchable document versions.
 * It changes exactly when a version becomes searchable, is re-embedded or is deleted (the `active` map), so two
 * answers taken under the same fingerprint were given from the same passages. A base that does not exist
 * counts as empty.
 */
export async function knowledgeFingerprint(
  deps: Deps,
  tenantId: string,
  kbIds: readonly string[],
): Promise<string> {
  const ids = [...new Set(kbIds)].sort();
  const snaps = await deps.store.getAll(ids.map((id) => knowledgeBasePath(tenantId, id)));
  const hash = createHash("sha256");
  ids.forEach((id, i) => {
    const snap = snaps[i];
    const active = snap ? knowledgeBaseSchema.parse(snap.data).active : {};
    const versions = Object.entries(active)
      .map(([docId, entry]) => `${docId}:${entry.version}`)
      .sort();
    hash.update(`${id}=${versions.join(",")}\n`);
  });
  return hash.digest("hex").slice(0, 16);
}

/** What callers see: the `active` map is internal, summarized as the number of searchable documents. */
function toView(id: string, { active, ...kb }: KnowledgeBase): KnowledgeBaseView {
  return { id, ...kb, documentCount: Object.keys(active).length };
}

/** The tenant's knowledge bases, most recently changed first (a document becoming searchable is a change). */
export async function listKnowledgeBases(deps: Deps, tenantId: string): Promise<KnowledgeBaseView[]> {
  const snaps = await deps.store.query({ collection: knowledgeBasesPath(tenantId) });
  return snaps
    .map((s) => toView(s.id, knowledgeBaseSchema.parse(s.data)))
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? -1 : 1));
}
