/** REST routes of the audit log, privacy requests and tenant settings (added to the API's route table). */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { auditActor, auditLogQuerySchema, listAuditLog } from "../platform/audit.js";
import { validate } from "../platform/validation.js";
import { endUserRequestInput, eraseEndUser, exportEndUser } from "./privacy.js";
import { getSettings, tenantSettingsSchema, updateSettings, updateSettingsInput } from "./settings.js";

const auditEntryResponse = z.object({
  id: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  at: z.string(),
});

const countsResponse = z.object({
  conversations: z.number(),
  messages: z.number(),
  traces: z.number(),
});

const settingsResponse = tenantSettingsSchema;

export const privacyRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/audit-log",
    summary:
      "The audit log, newest first: who changed what, when, with a before/after summary and the request id " +
      "(?limit= up to 200, ?before=<nextCursor>, ?action=agent.publish, ?targetType=agent)",
    tag: "Audit",
    permission: "audit.view",
    response: z.object({ entries: z.array(auditEntryResponse), nextCursor: z.string().nullable() }),
    handle: ({ deps, caller, request }) =>
      listAuditLog(
        deps,
        caller.tenantId,
        validate(auditLogQuerySchema, Object.fromEntries(request.query), "query parameter"),
      ),
  }),
  route({
    method: "POST",
    path: "/v1/privacy/export",
    summary:
      "Export everything stored about an end user (by the endUserRef their conversations carry): " +
      "conversations with their messages and traces; the export is recorded in the audit log",
    tag: "Privacy",
    permission: "privacy.manage",
    body: { kind: "json", schema: endUserRequestInput },
    response: z.object({
      endUserRef: z.string(),
      exportedAt: z.string(),
      conversations: z.array(
        z.looseObject({ id: z.string(), messages: z.array(z.unknown()), traces: z.array(z.unknown()) }),
      ),
      memory: z.array(z.unknown()),
      notes: z.array(z.string()),
    }),
    handle: ({ deps, caller, body }) =>
      exportEndUser(deps, caller.tenantId, body.endUserRef, auditActor(caller)),
  }),
  route({
    method: "POST",
    path: "/v1/privacy/erase",
    summary:
      "Erase an end user: delete their conversations, messages and traces. Idempotent; recorded in the " +
      "audit log with counts (the log names the end user by a SHA-256 of the reference)",
    tag: "Privacy",
    permission: "privacy.manage",
    body: { kind: "json", schema: endUserRequestInput },
    response: z.object({ endUserRef: z.string(), erasedAt: z.string(), deleted: countsResponse }),
    handle: ({ deps, caller, body }) =>
      eraseEndUser(deps, caller.tenantId, body.endUserRef, auditActor(caller)),
  }),
  route({
    method: "GET",
    path: "/v1/settings",
    summary: "The tenant's settings: retentionDays (conversations kept that many days; null keeps them)",
    tag: "Settings",
    permission: "settings.manage",
    response: settingsResponse,
    handle: ({ deps, caller }) => getSettings(deps, caller.tenantId),
  }),
  route({
    method: "PATCH",
    path: "/v1/settings",
    summary:
      "Change the tenant's settings: {retentionDays: 1..3650 | null}. A daily job deletes conversations " +
      "not updated for that many days, with their messages and traces",
    tag: "Settings",
    permission: "settings.manage",
    body: { kind: "json", schema: updateSettingsInput },
    response: settingsResponse,
    handle: ({ deps, caller, body }) => updateSettings(deps, caller.tenantId, body, auditActor(caller)),
  }),
];
