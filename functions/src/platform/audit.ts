/**
 * The audit log: an append-only record of who changed what in a tenant, when, under which request, with a
 * short before/after summary. Entries are only ever created (a service writes its entry in the same
 * transaction or batch as the change it records, so the two cannot disagree) and never updated.
 *
 * Summaries are for people reading a log, not a backup: long strings are cut, big arrays become their
 * length, fields named like credentials are dropped and every string passes through PII/secret redaction.
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import type { Caller } from "./caller.js";
import type { Deps } from "./deps.js";
import { AppError } from "./errors.js";
import { idPattern } from "./ids.js";
import { currentRequestId } from "./log.js";
import type { DocData, DocSnapshot } from "./ports.js";
import { redactPii } from "./redact.js";
import { checkId, tenantPath } from "./caller.js";
import { validate } from "./validation.js";

export const auditLogPath = (tenantId: string): string => `${tenantPath(tenantId)}/auditLog`;
export const auditEntryPath = (tenantId: string, entryId: string): string =>
  `${auditLogPath(tenantId)}/${checkId(entryId, "audit entry id")}`;

export const auditTargetSchema = z.object({
  /** What kind of thing changed: `agent`, `knowledgeBase`, `document`, `apiKey`, `endUser`, `tenant`... */
  type: z.string().regex(/^[a-zA-Z][\w-]{0,59}$/),
  id: z.string().min(1).max(300),
});
export type AuditTarget = z.infer<typeof auditTargetSchema>;

/** `<thing>.<verb>`, e.g. `agent.publish`, `document.delete`, `privacy.erase`. */
export const auditActionSchema = z.string().regex(/^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)+$/);

export const auditEntrySchema = z.object({
  /** The caller's uid: `apikey:<keyId>`, an account id, or `system` for the platform's own jobs. */
  actor: z.string().min(1).max(200),
  action: auditActionSchema,
  target: auditTargetSchema,
  before: z.unknown().nullable().default(null),
  after: z.unknown().nullable().default(null),
  requestId: z.string().nullable().default(null),
  at: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditEntryView = AuditEntry & { readonly id: string };

export interface AuditInput {
  readonly tenantId: string;
  readonly actor: string;
  readonly action: string;
  readonly target: AuditTarget;
  /** The state before the change (omit for a creation); summarized before it is stored. */
  readonly before?: unknown;
  /** The state after the change (omit for a deletion); summarized before it is stored. */
  readonly after?: unknown;
  /** Defaults to the request id of the request, trigger or task this runs under. */
  readonly requestId?: string;
}

/** Where an entry is written: a transaction or batch that also holds the change, or the store itself. */
export interface AuditWriter {
  create(path: string, data: DocData): unknown;
}

/** The actor an entry names for a caller. */
export const auditActor = (caller: Pick<Caller, "uid">): string => caller.uid;

// ---------------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------------

const maxStringChars = 200;
const maxArrayItems = 10;
const maxObjectKeys = 40;
const maxDepth = 4;

/** Fields never worth a line in an audit log, whatever they hold: `hash`, `apiKey`, `accessToken`... */
const secretKey = /(hash|key|token|password|passwd|secret)$/i;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function summarizeValue(value: unknown, depth: number, inArray: boolean): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "string") {
    // Redaction before truncation: a cut could leave half a secret that no pattern recognizes.
    const text = redactPii(value).text;
    return text.length > maxStringChars ? `${text.slice(0, maxStringChars)}… (${text.length} chars)` : text;
  }
  if (typeof value !== "object") return typeof value === "undefined" ? null : `[${typeof value}]`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    // Firestore cannot store an array directly inside an array.
    if (inArray || value.length > maxArrayItems || depth >= maxDepth) return `[${value.length} items]`;
    return value.map((item: unknown) => summarizeValue(item, depth + 1, true));
  }
  if (!isPlainObject(value)) return "[object]";
  if (depth >= maxDepth) return "{…}";
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value).filter(([k, v]) => v !== undefined && !secretKey.test(k));
  for (const [k, v] of entries.slice(0, maxObjectKeys)) out[k] = summarizeValue(v, depth + 1, false);
  if (entries.length > maxObjectKeys) out["…"] = `${entries.length - maxObjectKeys} more fields`;
  return out;
}

/** A small, secret-free picture of a value for an audit entry. */
export function auditSummary(value: unknown): unknown {
  return value === undefined ? null : summarizeValue(value, 0, false);
}

/**
 * The fields that differ between two states of a record (compared deeply), as `{before, after}` holding
 * only those fields; `ignore` names bookkeeping fields such as `updatedAt`.
 */
export function changedFields(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  ignore: readonly string[] = ["updatedAt"],
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const out = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (ignore.includes(key) || isDeepStrictEqual(before[key], after[key])) continue;
    if (key in before) out.before[key] = before[key];
    if (key in after) out.after[key] = after[key];
  }
  return out;
}

export const hasChanges = (diff: { before: object; after: object }): boolean =>
  Object.keys(diff.before).length > 0 || Object.keys(diff.after).length > 0;

// ---------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------

/** Breaks ties between entries of the same millisecond so that, within a process, ids keep their order. */
let sequence = 0;
const sequenceSpan = 36 ** 6;

/** `20260101T093000123Z-00000a-Xy12Ab34`: sorting ids sorts entries by time. */
function newEntryId(deps: Deps, at: string): string {
  sequence = (sequence + 1) % sequenceSpan;
  const stamp = at.replace(/[^0-9TZ]/g, "");
  return `${stamp}-${sequence.toString(36).padStart(6, "0")}-${deps.ids.newId().slice(0, 8)}`;
}

/**
 * Records one entry. With `writer` (a transaction or batch that also holds the change), the entry is
 * added to it and commits with it; without, it is written at once. Returns the entry's id.
 */
export async function recordAudit(deps: Deps, input: AuditInput, writer?: AuditWriter): Promise<string> {
  const at = deps.clock.nowIso();
  const entry: AuditEntry = {
    actor: input.actor,
    action: input.action,
    target: input.target,
    before: auditSummary(input.before),
    after: auditSummary(input.after),
    requestId: input.requestId ?? currentRequestId() ?? null,
    at,
  };
  const parsed = auditEntrySchema.safeParse(entry);
  // A malformed entry is a bug in the service that records it, never the caller's fault.
  if (!parsed.success) throw new Error(`Invalid audit entry: ${parsed.error.message}`);
  const id = newEntryId(deps, at);
  const path = auditEntryPath(input.tenantId, id);
  if (writer) writer.create(path, entry);
  else await deps.store.create(path, entry);
  return id;
}

// ---------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------

export const maxAuditPage = 200;

export const auditLogQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(maxAuditPage).default(50),
    /** The `nextCursor` of the previous page. */
    before: z.string().regex(idPattern, "must be a cursor returned by a previous page").optional(),
    action: auditActionSchema.optional(),
    targetType: auditTargetSchema.shape.type.optional(),
  })
  .strict();
export type AuditLogQuery = z.input<typeof auditLogQuerySchema>;

/** Newest first. Filtering by action or target type needs a composite index with `at` in Firestore. */
export async function listAuditLog(
  deps: Deps,
  tenantId: string,
  query: AuditLogQuery = {},
): Promise<{ entries: AuditEntryView[]; nextCursor: string | null }> {
  const { limit, before, action, targetType } = validate(auditLogQuerySchema, query, "audit log query");
  let startAfter: DocSnapshot | null | undefined;
  if (before !== undefined) {
    startAfter = await deps.store.get(auditEntryPath(tenantId, before));
    if (!startAfter) throw new AppError("invalid-argument", `Unknown audit log cursor "${before}"`);
  }
  const snaps = await deps.store.query({
    collection: auditLogPath(tenantId),
    where: [
      ...(action !== undefined ? [{ field: "action", op: "==" as const, value: action }] : []),
      ...(targetType !== undefined ? [{ field: "target.type", op: "==" as const, value: targetType }] : []),
    ],
    // Ties on `at` fall back to the id (Firestore's implicit order), which keeps the same order.
    orderBy: [{ field: "at", direction: "desc" }],
    limit: limit + 1,
    ...(startAfter ? { startAfter } : {}),
  });
  const page = snaps.slice(0, limit);
  return {
    entries: page.map((s) => ({ id: s.id, ...auditEntrySchema.parse(s.data) })),
    nextCursor: snaps.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
