/**
 * The platform operator's console (`/v1/admin/*`): every workspace of the installation, its people, plan,
 * credits, feature flags and security policy, suspending and resuming it, the installation's audit trail,
 * billing overview, deployments and health. Not to be confused with admin.ts, which is one workspace's own
 * administration by its admins.
 *
 * Operator routes answer 404 to everyone who is not an operator, signed in or not: the studio asks
 * `GET /v1/admin/me` and shows the console only when it answers 200. Money is integer micros of the
 * currency, as the platform keeps it.
 */
import type { MonitorSource } from "./monitor";

/** Who is operating: `GET /v1/admin/me`. */
export interface OperatorIdentity {
  readonly uid: string;
  readonly email: string | null;
}

export const workspaceStatuses = ["active", "suspended"] as const;
export type WorkspaceStatus = (typeof workspaceStatuses)[number];

/** A workspace's usage in the current billing period (a UTC month). */
export interface WorkspaceUsage {
  /** `YYYY-MM`. */
  readonly period: string;
  readonly conversations: number;
  readonly turns: number;
  readonly creditsUsedMicros: number;
}

/** One workspace as the operator's list shows it. */
export interface WorkspaceRow {
  readonly id: string;
  readonly name: string;
  /** The plan's id (`free`, `pro`…) and its name. */
  readonly plan: string;
  readonly planName: string;
  readonly status: WorkspaceStatus;
  readonly createdAt: string;
  readonly members: number;
  readonly agents: number;
  readonly usage: WorkspaceUsage;
  /** May be negative: usage past the credits, on a plan that allows overage. */
  readonly balanceMicros: number;
  readonly currency: string;
  /** Feature flags turned off for this workspace. */
  readonly flagsOff: readonly string[];
  /** Admins and owners must sign in with a second factor. */
  readonly mfaRequired: boolean;
}

export interface Suspension {
  readonly reason: string;
  readonly at: string;
  /** The operator who suspended it (an account id or uid). */
  readonly by: string;
}

/** A feature flag of one workspace: `enabled` is what it has now, `default` what every workspace starts with. */
export interface WorkspaceFlag {
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly default: boolean;
}

export interface WorkspaceMemberRow {
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly createdAt: string;
}

/** One workspace in full: `GET /v1/admin/workspaces/{id}` and the answer of every change to it. */
export interface WorkspaceDetail extends WorkspaceRow {
  readonly suspension: Suspension | null;
  readonly flags: readonly WorkspaceFlag[];
  readonly memberList: readonly WorkspaceMemberRow[];
}

export interface WorkspaceQuery {
  /** Matches names and ids. */
  readonly q?: string;
  readonly status?: WorkspaceStatus;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface WorkspacePage {
  readonly workspaces: readonly WorkspaceRow[];
  /** Where the next page starts; `null` on the last. */
  readonly nextCursor: string | null;
}

export interface PlanChoice {
  readonly id: string;
  readonly name: string;
}

/**
 * Credits given by the operator. `requestId` makes the grant idempotent: the platform applies one grant per
 * id, so a second click (or a retry after a lost answer) with the same id grants nothing more.
 */
export interface CreditGrantInput {
  /** A decimal amount of the workspace's currency, as typed: "10", "2.50". */
  readonly amount: string;
  readonly note?: string;
  readonly requestId: string;
}

export interface CreditGrant {
  /** `false` when a grant with this request id had already been applied. */
  readonly applied: boolean;
  readonly balanceMicros: number;
  readonly workspace: WorkspaceDetail;
}

export interface PlatformUserWorkspace {
  readonly tenantId: string;
  readonly name: string;
  readonly role: string;
}

export interface PlatformUser {
  readonly id: string;
  readonly email: string;
  readonly workspaces: readonly PlatformUserWorkspace[];
  /** Whether a second factor is enrolled; `null` when the platform cannot tell (an identity provider's). */
  readonly mfaEnrolled: boolean | null;
  readonly platformAdmin: boolean;
  readonly createdAt: string | null;
}

export interface UserQuery {
  readonly q?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface PlatformUserPage {
  readonly users: readonly PlatformUser[];
  readonly nextCursor: string | null;
}

export interface PlatformAuditEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string };
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditQuery {
  readonly tenantId?: string;
  readonly action?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface PlatformAuditPage {
  /** Newest first. */
  readonly entries: readonly PlatformAuditEntry[];
  readonly nextCursor: string | null;
}

/** The installation's billing this period: `GET /v1/admin/billing`. */
export interface PlatformBilling {
  readonly period: string;
  readonly currency: string;
  readonly workspaces: number;
  readonly byPlan: readonly {
    readonly plan: string;
    readonly planName: string;
    readonly workspaces: number;
  }[];
  readonly creditsUsedMicros: number;
  readonly turns: number;
  readonly negativeBalances: readonly {
    readonly tenantId: string;
    readonly name: string;
    readonly balanceMicros: number;
  }[];
  readonly topUsage: readonly {
    readonly tenantId: string;
    readonly name: string;
    readonly creditsUsedMicros: number;
    readonly turns: number;
  }[];
}

export const deploymentOutcomes = ["succeeded", "failed", "rolled-back"] as const;
export type DeploymentOutcome = (typeof deploymentOutcomes)[number];

/** One `npm run deploy`, as it reported itself to the platform. */
export interface Deployment {
  readonly id: string;
  readonly project: string;
  readonly commit: string;
  readonly at: string;
  readonly by: string;
  readonly targets: readonly string[];
  readonly outcome: DeploymentOutcome;
  readonly checks: readonly { readonly name: string; readonly ok: boolean; readonly detail: string }[];
}

/** The installation's health: the workspace monitor's reads, over `/v1/operator/monitor/...`. */
export type OperatorMonitorSource = Pick<
  MonitorSource,
  | "getMonitorOverview"
  | "getMonitorSeries"
  | "listIncidents"
  | "listAlertRules"
  | "acknowledgeAlert"
  | "silenceAlert"
>;

/** The operator console's part of the studio's source (see source.ts). */
export interface OperatorSource {
  /** The operator signed in, or `null` when the platform says there is no such route (not an operator). */
  getOperatorIdentity(signal: AbortSignal): Promise<OperatorIdentity | null>;
  listOperatedWorkspaces(query: WorkspaceQuery, signal: AbortSignal): Promise<WorkspacePage>;
  getOperatedWorkspace(tenantId: string, signal: AbortSignal): Promise<WorkspaceDetail>;
  /** Every write of the workspace is refused until it is resumed; its data is kept. */
  suspendWorkspace(tenantId: string, reason: string): Promise<WorkspaceDetail>;
  resumeWorkspace(tenantId: string): Promise<WorkspaceDetail>;
  changeWorkspacePlan(tenantId: string, plan: string): Promise<WorkspaceDetail>;
  grantWorkspaceCredits(tenantId: string, grant: CreditGrantInput): Promise<CreditGrant>;
  setWorkspaceFlags(tenantId: string, flags: Readonly<Record<string, boolean>>): Promise<WorkspaceDetail>;
  setWorkspaceMfaRequired(tenantId: string, mfaRequired: boolean): Promise<WorkspaceDetail>;
  listOperatorPlans(signal: AbortSignal): Promise<PlanChoice[]>;
  listPlatformUsers(query: UserQuery, signal: AbortSignal): Promise<PlatformUserPage>;
  listPlatformAudit(query: AuditQuery, signal: AbortSignal): Promise<PlatformAuditPage>;
  getPlatformBilling(signal: AbortSignal): Promise<PlatformBilling>;
  /** Newest first. */
  listDeployments(signal: AbortSignal): Promise<Deployment[]>;
  readonly operatorMonitor: OperatorMonitorSource;
}

// ----- limits and forms (the platform's, repeated so forms can say so before sending) -----------------

export const operatorLimits = {
  suspensionReason: 500,
  creditNote: 200,
} as const;

/** The list pages' size (the platform allows 1..100). */
export const operatorPageSize = 50;

/**
 * Why an amount typed for a credit grant would be refused, or `undefined` when it is a positive decimal with
 * at most 6 digits after the point (micros).
 */
export function creditAmountProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return "Enter an amount, such as 10 or 2.50.";
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(trimmed))
    return "A positive amount with a dot for decimals, such as 2.50.";
  if (/^0+(\.0+)?$/.test(trimmed)) return "The amount must be more than zero.";
  return undefined;
}

/** Whole micros of a decimal amount ("2.50" → 2,500,000), with integer arithmetic only. */
export function microsOfAmount(text: string): number {
  const [whole = "0", fraction = ""] = text.trim().split(".");
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0").slice(0, 6));
}

/**
 * A fresh idempotency key for one credit grant (the platform takes 8..64 of `[A-Za-z0-9_-]`): made once when
 * the dialog opens, so double clicks and retries of that grant are one grant.
 */
export function newGrantRequestId(): string {
  // getRandomValues, not randomUUID: the latter exists only in secure contexts (not a studio over plain http).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `grant_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
