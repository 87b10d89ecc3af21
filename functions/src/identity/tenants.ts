/** A tenant: the workspace every other record lives under (see `tenantPath`). */
import { z } from "zod";
import { tenantPath } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";

export const tenantSchema = z.object({
  name: z.string().min(1).max(120),
  plan: z.string().default("free"),
  createdAt: z.string(),
});
export type Tenant = z.infer<typeof tenantSchema>;

/** The workspace's name (its id when the tenant document is missing). */
export async function tenantName(deps: Deps, tenantId: string): Promise<string> {
  const snap = await deps.store.get(tenantPath(tenantId));
  const parsed = tenantSchema.safeParse(snap?.data);
  return parsed.success ? parsed.data.name : tenantId;
}

export async function createTenant(deps: Deps, tenantId: string, name: string): Promise<void> {
  await deps.store.create(tenantPath(tenantId), { name, plan: "free", createdAt: deps.clock.nowIso() });
}
