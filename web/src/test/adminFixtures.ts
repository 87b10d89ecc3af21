/**
 * Acme Corp's workspace as its admins see it, in the shapes the platform answers (checked against a running
 * local runtime): Ann owns it (annSession), Bob is an admin, Chen an editor, Dana a viewer.
 */
import { errorResponse, jsonResponse, type PlatformRoute } from "./platformFetch";
import { whatsAppRoutes } from "./whatsappFixtures";
import { widgetRoutes } from "./widgetFixtures";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const daysFromNow = (days: number) => new Date(Date.now() + days * 24 * 3600_000).toISOString();

export const ann = {
  id: "acc_ann",
  email: "ann@acme.example",
  role: "owner",
  createdAt: minutesAgo(90 * 24 * 60),
};
export const bob = {
  id: "acc_bob",
  email: "bob@acme.example",
  role: "admin",
  createdAt: minutesAgo(60 * 24 * 60),
  updatedAt: minutesAgo(30 * 24 * 60),
};
export const chen = {
  id: "acc_chen",
  email: "chen@acme.example",
  role: "editor",
  createdAt: minutesAgo(14 * 24 * 60),
};
export const dana = {
  id: "acc_dana",
  email: "dana@acme.example",
  role: "viewer",
  createdAt: minutesAgo(2 * 24 * 60),
};

/** `GET /v1/members`: oldest first. */
export const memberList = { members: [ann, bob, chen, dana] };

export const erinInvitation = {
  id: "inv_erin",
  email: "erin@acme.example",
  role: "editor",
  status: "pending",
  createdBy: "acc_ann",
  createdAt: minutesAgo(3 * 60),
  expiresAt: daysFromNow(7),
  acceptedAt: null,
  acceptedBy: null,
  revokedAt: null,
  revokedBy: null,
};

/** `GET /v1/invitations`: pending ones, newest first. */
export const invitationList = { invitations: [erinInvitation] };

/** `POST /v1/invitations`: the only answer that holds the token. */
export function createdInvitation(email: string, role: string) {
  const token = "ali_acme.inv_new.WfdogJBO50WEV7eF6B6_bQIYVGaZJ29eI1_gx11GvrM";
  return {
    id: "inv_new",
    email,
    role,
    token,
    acceptUrl: `/accept-invitation?token=${token}`,
    expiresAt: daysFromNow(7),
  };
}

export const widgetKey = {
  id: "key_widget",
  name: "Website widget",
  prefix: "alk_rTMp",
  role: "viewer",
  tenantId: "acme",
  agentId: "agt_hr",
  createdBy: "acc_ann",
  createdAt: minutesAgo(2 * 24 * 60),
  lastUsedAt: minutesAgo(10),
  revokedAt: null,
};
export const backendKey = {
  id: "key_backend",
  name: "Intranet backend",
  prefix: "alk_1EzC",
  role: "editor",
  tenantId: "acme",
  agentId: null,
  createdBy: "acc_bob",
  createdAt: minutesAgo(20 * 24 * 60),
  lastUsedAt: null,
  revokedAt: null,
};
export const oldKey = {
  id: "key_old",
  name: "Old importer",
  prefix: "alk_Zx9q",
  role: "editor",
  tenantId: "acme",
  agentId: null,
  createdBy: "acc_ann",
  createdAt: minutesAgo(80 * 24 * 60),
  lastUsedAt: minutesAgo(40 * 24 * 60),
  revokedAt: minutesAgo(30 * 24 * 60),
};

/** `GET /v1/api-keys`: newest first, revoked ones included. */
export const apiKeyList = { keys: [widgetKey, backendKey, oldKey] };

/** `GET /v1/audit-log`: newest first. */
export const auditLogPage = {
  entries: [
    {
      id: "20261125T174700000Z-000003-aaaa",
      actor: "acc_bob",
      action: "member.changeRole",
      target: { type: "member", id: "acc_chen" },
      before: { role: "viewer" },
      after: { role: "editor" },
      requestId: "req_1",
      at: minutesAgo(15),
    },
    {
      id: "20261125T174600000Z-000002-bbbb",
      actor: "apikey:key_backend",
      action: "agent.publish",
      target: { type: "agent", id: "agt_hr" },
      before: { status: "draft", publishedVersion: null },
      after: { status: "published", publishedVersion: 1 },
      requestId: "req_2",
      at: minutesAgo(2 * 60),
    },
    {
      id: "20261125T174500000Z-000001-cccc",
      actor: "system",
      action: "retention.purge",
      target: { type: "tenant", id: "acme" },
      before: null,
      after: { conversations: 3 },
      requestId: null,
      at: minutesAgo(26 * 60),
    },
  ],
  nextCursor: "20261125T174500000Z-000001-cccc",
};

/** The page after `auditLogPage`: the first entry ever recorded. */
export const olderAuditLogPage = {
  entries: [
    {
      id: "20261120T090000000Z-000000-dddd",
      actor: "acc_ann",
      action: "tenant.create",
      target: { type: "tenant", id: "acme" },
      before: null,
      after: { name: "Acme Corp", owner: "acc_ann" },
      requestId: null,
      at: minutesAgo(90 * 24 * 60),
    },
  ],
  nextCursor: null,
};

/** `POST /v1/privacy/export` for a customer with one conversation. */
export const cust42Export = {
  endUserRef: "cust-42",
  exportedAt: "2026-11-25T17:46:56.084Z",
  conversations: [
    {
      id: "cnv_42",
      agentId: "agt_hr",
      endUserRef: "cust-42",
      messages: [{ id: "msg_1", role: "user", content: "Can I carry over vacation days?" }],
      traces: [],
    },
  ],
  memory: [],
  notes: [
    "Traces are exported as stored: when an agent's guardrails redact personal data, they hold the redacted text.",
  ],
};

/** `POST /v1/privacy/erase` for the same customer. */
export const cust42Erasure = {
  endUserRef: "cust-42",
  erasedAt: "2026-11-25T17:50:00.000Z",
  deleted: { conversations: 1, messages: 2, traces: 1 },
};

/** The platform's refusal of a route a role may not use, as `requirePermission` words it. */
export function permissionDenied(needed: string, has: string): Response {
  return errorResponse(
    403,
    "permission-denied",
    `This action needs the ${needed} role; your credential has ${has}`,
  );
}

/** Every admin list of Acme Corp, for tests that open a section. */
export function adminRoutes(): Record<string, PlatformRoute> {
  return {
    "GET /v1/members": () => jsonResponse(memberList),
    "GET /v1/invitations": () => jsonResponse(invitationList),
    "GET /v1/api-keys": () => jsonResponse(apiKeyList),
    "GET /v1/settings": () => jsonResponse({ retentionDays: null }),
    "GET /v1/audit-log": () => jsonResponse(auditLogPage),
    ...whatsAppRoutes(),
    ...widgetRoutes(),
  };
}
