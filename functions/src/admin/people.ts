/**
 * The operator's view across workspaces: every person with the workspaces they belong to, and the audit log of
 * every workspace (newest first). People are read from the member documents (both run modes have them), at
 * most `maxScannedMembers`; in local mode the account says whether two-step sign-in is on.
 */
import { z } from "zod";
import { accountPath, memberSchema } from "../identity/schema.js";
import { tenantSchema } from "../identity/tenants.js";
import {
  auditActionSchema,
  auditEntryPath,
  auditEntrySchema,
  listAuditLog,
  type AuditEntryView,
} from "../platform/audit.js";
import { tenantPath } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { everyMatch } from "../platform/paging.js";
import type { DocSnapshot } from "../platform/ports.js";

export const maxScannedMembers = 20_000;

export const userQuerySchema = z
  .object({
    q: z.string().trim().max(254).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    /** The `nextCursor` of the previous page: the last person's id. */
    cursor: z.string().regex(idPattern, "must be the nextCursor of a previous page").optional(),
  })
  .strict();

export const userRowSchema = z.object({
  id: z.string(),
  email: z.string(),
  workspaces: z.array(z.object({ tenantId: z.string(), name: z.string(), role: z.string() })),
  /** Local mode only: Firebase Auth keeps second factors, and this view does not ask it. */
  mfaEnrolled: z.boolean().nullable(),
  platformAdmin: z.boolean(),
  createdAt: z.string().nullable(),
});
export type UserRow = z.infer<typeof userRowSchema>;

/** The tenant id of a document under `tenants/{tenantId}/...`. */
export const tenantOf = (path: string): string => path.split("/")[1] ?? "";

export async function listUsers(
  deps: Deps,
  query: z.infer<typeof userQuerySchema>,
): Promise<{ users: UserRow[]; nextCursor: string | null; truncated: boolean }> {
  const people = new Map<string, { email: string; memberships: { tenantId: string; role: string }[] }>();
  let scanned = 0;
  let truncated = false;
  for await (const snap of everyMatch(deps.store, { collectionGroup: "members" }, 500)) {
    if (++scanned > maxScannedMembers) {
      truncated = true;
      break;
    }
    if (!snap.path.startsWith("tenants/")) continue;
    const member = memberSchema.safeParse(snap.data);
    if (!member.success) continue;
    const person = people.get(snap.id) ?? { email: member.data.email, memberships: [] };
    person.memberships.push({ tenantId: tenantOf(snap.path), role: member.data.role });
    people.set(snap.id, person);
  }
  const q = query.q?.toLowerCase();
  const matching = [...people.entries()]
    .filter(([id, p]) => !q || p.email.toLowerCase().includes(q) || id.toLowerCase().includes(q))
    .sort(([a, p], [b, r]) => p.email.localeCompare(r.email) || a.localeCompare(b));
  let start = 0;
  if (query.cursor !== undefined) {
    const at = matching.findIndex(([id]) => id === query.cursor);
    if (at < 0)
      throw new AppError("invalid-argument", `Unknown cursor "${query.cursor}": list from the start again`);
    start = at + 1;
  }
  const page = matching.slice(start, start + query.limit);
  const tenantIds = [...new Set(page.flatMap(([, p]) => p.memberships.map((m) => m.tenantId)))];
  const [tenants, accounts] = await Promise.all([
    tenantIds.length > 0 ? deps.store.getAll(tenantIds.map(tenantPath)) : Promise.resolve([]),
    deps.config.mode === "local" && page.length > 0
      ? deps.store.getAll(page.map(([id]) => accountPath(id)))
      : Promise.resolve([] as (DocSnapshot | null)[]),
  ]);
  const names = new Map(
    tenantIds.map((id, i) => {
      const parsed = tenantSchema.safeParse(tenants[i]?.data);
      return [id, parsed.success ? parsed.data.name : id];
    }),
  );
  const admins = deps.config.platformAdmins;
  return {
    users: page.map(([id, p], i) => {
      const account = accounts[i]?.data as { createdAt?: unknown; mfa?: { enabledAt?: unknown } } | undefined;
      return {
        id,
        email: p.email,
        workspaces: p.memberships.map((m) => ({ ...m, name: names.get(m.tenantId) ?? m.tenantId })),
        mfaEnrolled: deps.config.mode === "local" ? typeof account?.mfa?.enabledAt === "string" : null,
        // Local mode's list; in Firebase mode the claim is on the user, which this view does not read.
        platformAdmin: admins.includes(p.email.toLowerCase()),
        createdAt: typeof account?.createdAt === "string" ? account.createdAt : null,
      };
    }),
    nextCursor: matching.length > start + query.limit ? (page.at(-1)?.[0] ?? null) : null,
    truncated,
  };
}

// ----- the audit log of every workspace --------------------------------------------------------------

export const adminAuditQuerySchema = z
  .object({
    tenantId: z.string().regex(idPattern, "must be a workspace id").optional(),
    action: auditActionSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The `nextCursor` of the previous page. */
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,400}$/, "must be the nextCursor of a previous page")
      .optional(),
  })
  .strict();

export type AdminAuditEntry = AuditEntryView & { readonly tenantId: string };

/** A cursor across workspaces names the tenant and the entry: base64url of `tenantId/entryId`. */
const encodeCursor = (tenantId: string, id: string): string =>
  Buffer.from(`${tenantId}/${id}`, "utf8").toString("base64url");

function decodeCursor(cursor: string): { tenantId: string; id: string } {
  const [tenantId, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("/");
  if (!tenantId || !id || extra !== undefined || !idPattern.test(tenantId) || !idPattern.test(id)) {
    throw new AppError("invalid-argument", "Unknown audit cursor: list from the start again");
  }
  return { tenantId, id };
}

export async function listAllAudit(
  deps: Deps,
  query: z.infer<typeof adminAuditQuerySchema>,
): Promise<{ entries: AdminAuditEntry[]; nextCursor: string | null }> {
  if (query.tenantId !== undefined) {
    // One workspace: its own log's paging; the cursor carries the workspace too.
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (before && before.tenantId !== query.tenantId) {
      throw new AppError(
        "invalid-argument",
        "This cursor belongs to another listing: list from the start again",
      );
    }
    const page = await listAuditLog(deps, query.tenantId, {
      limit: query.limit,
      ...(before ? { before: before.id } : {}),
      ...(query.action ? { action: query.action } : {}),
    });
    return {
      entries: page.entries.map((e) => ({ ...e, tenantId: query.tenantId as string })),
      nextCursor: page.nextCursor === null ? null : encodeCursor(query.tenantId, page.nextCursor),
    };
  }
  let startAfter: DocSnapshot | null = null;
  if (query.cursor !== undefined) {
    const { tenantId, id } = decodeCursor(query.cursor);
    startAfter = await deps.store.get(auditEntryPath(tenantId, id));
    if (!startAfter)
      throw new AppError("invalid-argument", "Unknown audit cursor: list from the start again");
  }
  const snaps = await deps.store.query({
    collectionGroup: "auditLog",
    where: query.action ? [{ field: "action", op: "==", value: query.action }] : [],
    orderBy: [{ field: "at", direction: "desc" }],
    limit: query.limit + 1,
    ...(startAfter ? { startAfter } : {}),
  });
  const page = snaps.slice(0, query.limit).filter((s) => s.path.startsWith("tenants/"));
  const last = page.at(-1);
  return {
    entries: page.map((s) => ({ id: s.id, tenantId: tenantOf(s.path), ...auditEntrySchema.parse(s.data) })),
    nextCursor: snaps.length > query.limit && last ? encodeCursor(tenantOf(last.path), last.id) : null,
  };
}
