/**
 * Tenant settings, kept in the tenant document's `settings` map: for now, how long conversations are
 * kept (`retentionDays`, enforced daily by retention.ts). Changes are audited.
 */
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { tenantPath } from "../platform/caller.js";

export const maxRetentionDays = 3650;

export const tenantSettingsSchema = z.object({
  /** Conversations not updated for this many days are deleted; `null` keeps them forever. */
  retentionDays: z.number().int().min(1).max(maxRetentionDays).nullable().default(null),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

export const updateSettingsInput = z
  .object({
    retentionDays: z
      .number()
      .int("retentionDays must be a whole number of days")
      .min(1, "retentionDays must be at least 1 (or null to keep conversations forever)")
      .max(maxRetentionDays, `retentionDays is at most ${maxRetentionDays}`)
      .nullable(),
  })
  .partial()
  .strict();
export type UpdateSettingsInput = z.infer<typeof updateSettingsInput>;

/** The settings stored on a tenant document, with defaults for what was never set. */
export function settingsOf(tenant: Readonly<Record<string, unknown>>): TenantSettings {
  const parsed = tenantSettingsSchema.safeParse(tenant.settings ?? {});
  // A stored value out of range (written by hand) reads as unset rather than breaking every reader.
  return parsed.success ? parsed.data : tenantSettingsSchema.parse({});
}

export async function getSettings(deps: Deps, tenantId: string): Promise<TenantSettings> {
  const snap = await deps.store.get(tenantPath(tenantId));
  if (!snap) throw new AppError("not-found", `Tenant ${tenantId} not found`);
  return settingsOf(snap.data);
}

export async function updateSettings(
  deps: Deps,
  tenantId: string,
  patch: UpdateSettingsInput,
  actor = "system",
): Promise<TenantSettings> {
  const path = tenantPath(tenantId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Tenant ${tenantId} not found`);
    const before = settingsOf(snap.data);
    const after: TenantSettings = { ...before };
    const changed: Record<string, unknown> = {};
    if (patch.retentionDays !== undefined && patch.retentionDays !== before.retentionDays) {
      after.retentionDays = patch.retentionDays;
      changed["settings.retentionDays"] = patch.retentionDays;
    }
    if (Object.keys(changed).length === 0) return after;
    tx.update(path, changed);
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "settings.update",
        target: { type: "tenant", id: tenantId },
        before: { retentionDays: before.retentionDays },
        after: { retentionDays: after.retentionDays },
      },
      tx,
    );
    return after;
  });
}
