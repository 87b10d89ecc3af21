/**
 * The operator console over the platform's REST API (both modes: these routes have no Firestore reads; see
 * operator.ts for the interface): the requests, and the reading of their answers, checked at the edge so the
 * console can trust every figure it shows.
 */
import { PlatformRequestError } from "../platform";
import {
  deploymentOutcomes,
  workspaceStatuses,
  type AuditQuery,
  type CreditGrant,
  type Deployment,
  type OperatorIdentity,
  type OperatorMonitorSource,
  type OperatorSource,
  type PlanChoice,
  type PlatformAuditEntry,
  type PlatformAuditPage,
  type PlatformBilling,
  type PlatformUser,
  type PlatformUserPage,
  type UserQuery,
  type WorkspaceDetail,
  type WorkspaceFlag,
  type WorkspacePage,
  type WorkspaceQuery,
  type WorkspaceRow,
} from "../operator";
import { requestAsSignedIn } from "../session";
import {
  incidentsRequestPath,
  parseAlertRule,
  parseAlertStatus,
  parseIncident,
  parseMonitorOverview,
  parseMonitorSeries,
  seriesRequestPath,
} from "./monitor";
import {
  field,
  isBoolean,
  isCount,
  isInstant,
  isNullableInstant,
  isNullableString,
  isNumber,
  isOneOf,
  isString,
  isStringArray,
  list,
  nested,
  optional,
  parseWith,
  record,
  ShapeError,
  within,
} from "./shape";

export const operatorMePath = "/v1/admin/me";
export const operatorWorkspacesPath = "/v1/admin/workspaces";
export const operatorPlansPath = "/v1/admin/plans";
export const operatorUsersPath = "/v1/admin/users";
export const operatorAuditPath = "/v1/admin/audit";
export const operatorBillingPath = "/v1/admin/billing";
export const operatorDeploymentsPath = "/v1/admin/deployments";

export const operatorWorkspacePath = (tenantId: string, action?: string) =>
  `${operatorWorkspacesPath}/${encodeURIComponent(tenantId)}${action ? `/${action}` : ""}`;

/** A path with the query's non-empty values. */
function withQuery(path: string, query: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function workspacesRequestPath(query: WorkspaceQuery): string {
  return withQuery(operatorWorkspacesPath, {
    q: query.q?.trim(),
    status: query.status,
    limit: query.limit,
    cursor: query.cursor,
  });
}

export function usersRequestPath(query: UserQuery): string {
  return withQuery(operatorUsersPath, { q: query.q?.trim(), limit: query.limit, cursor: query.cursor });
}

export function auditRequestPath(query: AuditQuery): string {
  return withQuery(operatorAuditPath, {
    tenantId: query.tenantId?.trim(),
    action: query.action?.trim(),
    limit: query.limit,
    cursor: query.cursor,
  });
}

/** A workspace change: each answers the workspace as it now is. */
async function changeWorkspace(
  tenantId: string,
  method: "POST" | "PUT",
  action: string,
  body: unknown,
): Promise<WorkspaceDetail> {
  const path = operatorWorkspacePath(tenantId, action);
  const answer = await requestAsSignedIn(path, { method, body });
  return parseWith(
    () => nested(record(answer, "body"), "workspace", parseWorkspaceDetail),
    `${method} ${path}`,
    path,
    "a workspace",
  );
}

const operatorMonitorPath = "/v1/operator/monitor";
/** The workspace monitor's path, in the operator's scope: `/v1/monitor/x` → `/v1/operator/monitor/x`. */
const inOperatorScope = (path: string) => path.replace(/^\/v1\/monitor(?=\/|$|\?)/, operatorMonitorPath);

const restOperatorMonitor: OperatorMonitorSource = {
  async getMonitorOverview(signal) {
    const path = `${operatorMonitorPath}/overview`;
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseMonitorOverview(body), `GET ${path}`, path, "an overview");
  },
  async getMonitorSeries(request, signal) {
    const path = inOperatorScope(seriesRequestPath(request));
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseMonitorSeries(body), `GET ${path}`, path, "a series");
  },
  async listIncidents(filter, signal) {
    const path = inOperatorScope(incidentsRequestPath(filter));
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(
      () => list(body, "incidents").map((v, i) => within(`incidents[${i}]`, () => parseIncident(v))),
      `GET ${path}`,
      path,
      "a list of incidents",
    );
  },
  async listAlertRules(signal) {
    const path = `${operatorMonitorPath}/rules`;
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(
      () => list(body, "rules").map((v, i) => within(`rules[${i}]`, () => parseAlertRule(v))),
      `GET ${path}`,
      path,
      "a list of alert rules",
    );
  },
  async acknowledgeAlert(ruleId) {
    const path = `${operatorMonitorPath}/alerts/${encodeURIComponent(ruleId)}/acknowledge`;
    const body = await requestAsSignedIn(path, { method: "POST" });
    return parseWith(() => parseAlertStatus(body), `POST ${path}`, path, "an alert's state");
  },
  async silenceAlert(ruleId, minutes) {
    const path = `${operatorMonitorPath}/alerts/${encodeURIComponent(ruleId)}/silence`;
    const body = await requestAsSignedIn(path, { method: "POST", body: { minutes } });
    return parseWith(() => parseAlertStatus(body), `POST ${path}`, path, "an alert's state");
  },
};

export const restOperator: OperatorSource = {
  async getOperatorIdentity(signal) {
    let body: unknown;
    try {
      body = await requestAsSignedIn(operatorMePath, { signal });
    } catch (error) {
      // Operator routes do not exist for anyone else: a 404 is the platform's "not an operator".
      if (error instanceof PlatformRequestError && error.status === 404) return null;
      throw error;
    }
    return parseWith(
      () => parseOperatorIdentity(body),
      `GET ${operatorMePath}`,
      operatorMePath,
      "an operator",
    );
  },
  async listOperatedWorkspaces(query, signal) {
    const path = workspacesRequestPath(query);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseWorkspacePage(body), `GET ${path}`, path, "a page of workspaces");
  },
  async getOperatedWorkspace(tenantId, signal) {
    const path = operatorWorkspacePath(tenantId);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(
      () => nested(record(body, "body"), "workspace", parseWorkspaceDetail),
      `GET ${path}`,
      path,
      "a workspace",
    );
  },
  suspendWorkspace: (tenantId, reason) => changeWorkspace(tenantId, "POST", "suspend", { reason }),
  resumeWorkspace: (tenantId) => changeWorkspace(tenantId, "POST", "resume", {}),
  changeWorkspacePlan: (tenantId, plan) => changeWorkspace(tenantId, "PUT", "plan", { plan }),
  async grantWorkspaceCredits(tenantId, grant) {
    const path = operatorWorkspacePath(tenantId, "credits");
    const note = grant.note?.trim();
    const body = await requestAsSignedIn(path, {
      method: "POST",
      body: { amount: grant.amount.trim(), requestId: grant.requestId, ...(note ? { note } : {}) },
    });
    return parseWith(() => parseCreditGrant(body), `POST ${path}`, path, "a credit grant");
  },
  setWorkspaceFlags: (tenantId, flags) => changeWorkspace(tenantId, "PUT", "flags", { flags }),
  setWorkspaceMfaRequired: (tenantId, mfaRequired) =>
    changeWorkspace(tenantId, "PUT", "security", { mfaRequired }),
  async listOperatorPlans(signal) {
    const body = await requestAsSignedIn(operatorPlansPath, { signal });
    return parseWith(
      () => list(body, "plans").map((v, i) => within(`plans[${i}]`, () => parsePlanChoice(v))),
      `GET ${operatorPlansPath}`,
      operatorPlansPath,
      "a list of plans",
    );
  },
  async listPlatformUsers(query, signal) {
    const path = usersRequestPath(query);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseUserPage(body), `GET ${path}`, path, "a page of users");
  },
  async listPlatformAudit(query, signal) {
    const path = auditRequestPath(query);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseAuditPage(body), `GET ${path}`, path, "a page of the audit trail");
  },
  async getPlatformBilling(signal) {
    const body = await requestAsSignedIn(operatorBillingPath, { signal });
    return parseWith(
      () => parsePlatformBilling(body),
      `GET ${operatorBillingPath}`,
      operatorBillingPath,
      "a billing overview",
    );
  },
  async listDeployments(signal) {
    const body = await requestAsSignedIn(operatorDeploymentsPath, { signal });
    return parseWith(
      () => list(body, "deployments").map((v, i) => within(`deployments[${i}]`, () => parseDeployment(v))),
      `GET ${operatorDeploymentsPath}`,
      operatorDeploymentsPath,
      "a list of deployments",
    );
  },
  operatorMonitor: restOperatorMonitor,
};

// ----- parsing ----------------------------------------------------------------------------------------

/** Money may be negative (a balance past zero), never a fraction of a micro. */
const isMicros = (v: unknown): v is number => isNumber(v) && Number.isInteger(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isNullableBoolean = (v: unknown): v is boolean | null => v === null || isBoolean(v);
const isCursor = isNullableString;

function listOf<T>(r: Record<string, unknown>, key: string, parse: (value: unknown) => T): T[] {
  return field(r, key, isArray).map((v, i) => within(`${key}[${i}]`, () => parse(v)));
}

export function parseOperatorIdentity(body: unknown): OperatorIdentity {
  const b = record(body, "body");
  if (b.operator !== true) throw new ShapeError("operator");
  return { uid: field(b, "uid", isString), email: optional(b, "email", isString, null) };
}

export function parseWorkspaceRow(value: unknown): WorkspaceRow {
  const w = record(value, "workspace");
  return {
    id: field(w, "id", isString),
    name: field(w, "name", isString),
    plan: field(w, "plan", isString),
    planName: field(w, "planName", isString),
    status: field(w, "status", isOneOf(workspaceStatuses)),
    createdAt: field(w, "createdAt", isInstant),
    members: field(w, "members", isCount),
    agents: field(w, "agents", isCount),
    usage: nested(w, "usage", (u) => ({
      period: field(u, "period", isString),
      conversations: field(u, "conversations", isCount),
      turns: field(u, "turns", isCount),
      creditsUsedMicros: field(u, "creditsUsedMicros", isMicros),
    })),
    balanceMicros: field(w, "balanceMicros", isMicros),
    currency: field(w, "currency", isString),
    flagsOff: optional(w, "flagsOff", isStringArray, []),
    mfaRequired: optional(w, "mfaRequired", isBoolean, false),
  };
}

function parseFlag(value: unknown): WorkspaceFlag {
  const f = record(value, "flag");
  return {
    name: field(f, "name", isString),
    description: optional(f, "description", isString, ""),
    enabled: field(f, "enabled", isBoolean),
    default: field(f, "default", isBoolean),
  };
}

export function parseWorkspaceDetail(value: unknown): WorkspaceDetail {
  const w = record(value, "workspace");
  const suspension = w.suspension;
  return {
    ...parseWorkspaceRow(w),
    suspension:
      suspension === null || suspension === undefined
        ? null
        : nested(w, "suspension", (s) => ({
            reason: field(s, "reason", isString),
            at: field(s, "at", isInstant),
            by: field(s, "by", isString),
          })),
    flags: listOf(w, "flags", parseFlag),
    memberList: listOf(w, "memberList", (v) => {
      const m = record(v, "member");
      return {
        id: field(m, "id", isString),
        email: field(m, "email", isString),
        role: field(m, "role", isString),
        createdAt: field(m, "createdAt", isString),
      };
    }),
  };
}

export function parseWorkspacePage(body: unknown): WorkspacePage {
  const b = record(body, "body");
  return {
    workspaces: listOf(b, "workspaces", parseWorkspaceRow),
    nextCursor: field(b, "nextCursor", isCursor),
  };
}

export function parseCreditGrant(body: unknown): CreditGrant {
  const b = record(body, "body");
  return {
    applied: field(b, "applied", isBoolean),
    balanceMicros: field(b, "balanceMicros", isMicros),
    workspace: nested(b, "workspace", parseWorkspaceDetail),
  };
}

function parsePlanChoice(value: unknown): PlanChoice {
  const p = record(value, "plan");
  return { id: field(p, "id", isString), name: field(p, "name", isString) };
}

function parseUser(value: unknown): PlatformUser {
  const u = record(value, "user");
  return {
    id: field(u, "id", isString),
    email: field(u, "email", isString),
    workspaces: listOf(u, "workspaces", (v) => {
      const w = record(v, "workspace");
      return {
        tenantId: field(w, "tenantId", isString),
        name: field(w, "name", isString),
        role: field(w, "role", isString),
      };
    }),
    mfaEnrolled: optional(u, "mfaEnrolled", isNullableBoolean, null),
    platformAdmin: optional(u, "platformAdmin", isBoolean, false),
    createdAt: optional(u, "createdAt", isNullableInstant, null),
  };
}

export function parseUserPage(body: unknown): PlatformUserPage {
  const b = record(body, "body");
  return { users: listOf(b, "users", parseUser), nextCursor: field(b, "nextCursor", isCursor) };
}

function parseAuditEntry(value: unknown): PlatformAuditEntry {
  const e = record(value, "entry");
  return {
    id: field(e, "id", isString),
    tenantId: field(e, "tenantId", isString),
    at: field(e, "at", isInstant),
    actor: field(e, "actor", isString),
    action: field(e, "action", isString),
    target: nested(e, "target", (t) => ({ type: field(t, "type", isString), id: field(t, "id", isString) })),
    before: e.before,
    after: e.after,
  };
}

export function parseAuditPage(body: unknown): PlatformAuditPage {
  const b = record(body, "body");
  return { entries: listOf(b, "entries", parseAuditEntry), nextCursor: field(b, "nextCursor", isCursor) };
}

export function parsePlatformBilling(body: unknown): PlatformBilling {
  const b = record(body, "body");
  return {
    period: field(b, "period", isString),
    currency: field(b, "currency", isString),
    workspaces: field(b, "workspaces", isCount),
    byPlan: listOf(b, "byPlan", (v) => {
      const p = record(v, "plan");
      return {
        plan: field(p, "plan", isString),
        planName: field(p, "planName", isString),
        workspaces: field(p, "workspaces", isCount),
      };
    }),
    creditsUsedMicros: field(b, "creditsUsedMicros", isMicros),
    turns: field(b, "turns", isCount),
    negativeBalances: listOf(b, "negativeBalances", (v) => {
      const n = record(v, "workspace");
      return {
        tenantId: field(n, "tenantId", isString),
        name: field(n, "name", isString),
        balanceMicros: field(n, "balanceMicros", isMicros),
      };
    }),
    topUsage: listOf(b, "topUsage", (v) => {
      const t = record(v, "workspace");
      return {
        tenantId: field(t, "tenantId", isString),
        name: field(t, "name", isString),
        creditsUsedMicros: field(t, "creditsUsedMicros", isMicros),
        turns: field(t, "turns", isCount),
      };
    }),
  };
}

export function parseDeployment(value: unknown): Deployment {
  const d = record(value, "deployment");
  return {
    id: field(d, "id", isString),
    project: field(d, "project", isString),
    commit: field(d, "commit", isString),
    at: field(d, "at", isInstant),
    by: field(d, "by", isString),
    targets: field(d, "targets", isStringArray),
    outcome: field(d, "outcome", isOneOf(deploymentOutcomes)),
    checks: listOf(d, "checks", (v) => {
      const c = record(v, "check");
      return {
        name: field(c, "name", isString),
        ok: field(c, "ok", isBoolean),
        detail: optional(c, "detail", isString, ""),
      };
    }),
  };
}
