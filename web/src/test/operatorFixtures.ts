/**
 * The operator console's platform, as `/v1/admin/*` answers it (functions/src/admin/): an installation with
 * Acme Corp (Pro, busy, in credit) and Globex (Free, suspended for unpaid invoices, in debt), and a fake
 * that follows the platform's rules for the changes: suspend needs a reason, a credit grant is applied once
 * per request id, flags and the sign-in policy change the workspace. Money is integer micros.
 */
import { workspaceProfile } from "./environmentFixtures";
import { errorResponse, jsonResponse, type PlatformRoute, type RecordedRequest } from "./platformFetch";

export const operatorNow = new Date("2026-11-25T15:00:00.000Z");

export const operatorMe = { operator: true, uid: "acc_ann", email: "ann@acme.example" };

const flagCatalog = [
  { name: "whatsapp", description: "WhatsApp connections and their webhooks.", default: true },
  { name: "mcp", description: "The MCP server and MCP tool sets.", default: true },
  { name: "fineTuning", description: "Fine-tuning jobs from curated conversations.", default: true },
  { name: "longTermMemory", description: "Agents' long-term memory of end users.", default: true },
  { name: "openaiCompat", description: "The OpenAI-compatible chat completions API.", default: true },
];

/** A row of `GET /v1/admin/workspaces`, as JSON. */
export interface WorkspaceRowBody {
  id: string;
  name: string;
  plan: string;
  planName: string;
  status: string;
  createdAt: string;
  members: number;
  agents: number;
  usage: { period: string; conversations: number; turns: number; creditsUsedMicros: number };
  balanceMicros: number;
  currency: string;
  flagsOff: string[];
  mfaRequired: boolean;
}

export function acmeWorkspace(overrides: Partial<WorkspaceRowBody> = {}): WorkspaceRowBody {
  return {
    id: "acme",
    name: "Acme Corp",
    plan: "pro",
    planName: "Pro",
    status: "active",
    createdAt: "2026-03-02T09:12:00.000Z",
    members: 3,
    agents: 2,
    usage: { period: "2026-11", conversations: 613, turns: 1840, creditsUsedMicros: 12_496_900 },
    balanceMicros: 47_503_100,
    currency: "usd",
    flagsOff: [],
    mfaRequired: false,
    ...overrides,
  };
}

export function globexWorkspace(overrides: Partial<WorkspaceRowBody> = {}): WorkspaceRowBody {
  return {
    id: "globex",
    name: "Globex",
    plan: "free",
    planName: "Free",
    status: "suspended",
    createdAt: "2026-09-14T17:40:00.000Z",
    members: 1,
    agents: 1,
    usage: { period: "2026-11", conversations: 12, turns: 31, creditsUsedMicros: 5_250_000 },
    balanceMicros: -1_250_000,
    currency: "usd",
    flagsOff: ["whatsapp"],
    mfaRequired: false,
    ...overrides,
  };
}

/** The detail of a row: its suspension, flags (from `flagsOff`) and members. */
export function workspaceDetail(row: WorkspaceRowBody, extra: Record<string, unknown> = {}) {
  return {
    ...row,
    suspension:
      row.status === "suspended"
        ? { reason: "Unpaid invoices since September", at: "2026-11-20T10:00:00.000Z", by: "acc_ann" }
        : null,
    flags: flagCatalog.map((f) => ({ ...f, enabled: !row.flagsOff.includes(f.name) })),
    memberList:
      row.id === "acme"
        ? [
            {
              id: "acc_ann",
              email: "ann@acme.example",
              role: "owner",
              createdAt: "2026-03-02T09:12:00.000Z",
            },
            {
              id: "acc_bob",
              email: "bob@acme.example",
              role: "admin",
              createdAt: "2026-03-04T11:00:00.000Z",
            },
            { id: "acc_cy", email: "cy@acme.example", role: "viewer", createdAt: "2026-05-19T08:30:00.000Z" },
          ]
        : [{ id: "acc_hank", email: "hank@globex.example", role: "owner", createdAt: row.createdAt }],
    ...extra,
  };
}

export const operatorPlans = {
  plans: [
    { id: "free", name: "Free" },
    { id: "pro", name: "Pro" },
    { id: "business", name: "Business" },
  ],
};

export const platformUsers = {
  users: [
    {
      id: "acc_ann",
      email: "ann@acme.example",
      workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "owner" }],
      mfaEnrolled: true,
      platformAdmin: true,
      createdAt: "2026-03-02T09:12:00.000Z",
    },
    {
      id: "acc_hank",
      email: "hank@globex.example",
      workspaces: [{ tenantId: "globex", name: "Globex", role: "owner" }],
      mfaEnrolled: false,
      platformAdmin: false,
      createdAt: "2026-09-14T17:40:00.000Z",
    },
  ],
  nextCursor: null,
};

export const platformAudit = {
  entries: [
    {
      id: "aud_2",
      tenantId: "globex",
      at: "2026-11-20T10:00:00.000Z",
      actor: "acc_ann",
      action: "workspace.suspend",
      target: { type: "tenant", id: "globex" },
      after: { reason: "Unpaid invoices since September" },
    },
    {
      id: "aud_1",
      tenantId: "acme",
      at: "2026-11-18T08:00:00.000Z",
      actor: "acc_ann",
      action: "agent.publish",
      target: { type: "agent", id: "agt_hr" },
    },
  ],
  nextCursor: null,
};

export const platformBilling = {
  period: "2026-11",
  currency: "usd",
  workspaces: 2,
  byPlan: [
    { plan: "pro", planName: "Pro", workspaces: 1 },
    { plan: "free", planName: "Free", workspaces: 1 },
  ],
  creditsUsedMicros: 17_746_900,
  turns: 1871,
  negativeBalances: [{ tenantId: "globex", name: "Globex", balanceMicros: -1_250_000 }],
  topUsage: [
    { tenantId: "acme", name: "Acme Corp", creditsUsedMicros: 12_496_900, turns: 1840 },
    { tenantId: "globex", name: "Globex", creditsUsedMicros: 5_250_000, turns: 31 },
  ],
};

export const deployments = {
  deployments: [
    {
      id: "dep_2",
      project: "alchemist-prod",
      commit: "ef315d1a9c3b7e2f00112233445566778899aabb",
      at: "2026-11-24T18:00:00.000Z",
      by: "ann@acme.example",
      targets: ["functions", "hosting", "firestore:rules"],
      outcome: "succeeded",
      checks: [
        { name: "health", ok: true, detail: "" },
        { name: "smoke", ok: true, detail: "" },
      ],
    },
    {
      id: "dep_1",
      project: "alchemist-prod",
      commit: "c43997f00000000000000000000000000000000a",
      at: "2026-11-20T18:00:00.000Z",
      by: "ann@acme.example",
      targets: ["functions"],
      outcome: "rolled-back",
      checks: [{ name: "smoke", ok: false, detail: "POST /v1/agents answered 500" }],
    },
  ],
};

const isValidRequestId = (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_-]{8,64}$/.test(v);

/**
 * A fake operator platform over Acme and Globex, keeping their state between requests. Routes can be
 * overridden by the test (`extra`).
 */
export function operatorRoutes(extra: Record<string, PlatformRoute> = {}): Record<string, PlatformRoute> {
  const rows: Record<string, WorkspaceRowBody> = { acme: acmeWorkspace(), globex: globexWorkspace() };
  const details: Record<string, ReturnType<typeof workspaceDetail>> = {
    acme: workspaceDetail(rows.acme!),
    globex: workspaceDetail(rows.globex!),
  };
  const grants = new Set<string>();
  const answer = (id: string) => jsonResponse({ workspace: details[id] });
  const change = (id: string, patch: Record<string, unknown>) => {
    details[id] = { ...details[id]!, ...patch };
    rows[id] = { ...rows[id]!, ...patch } as WorkspaceRowBody;
    return answer(id);
  };
  const workspaceRoutes = (id: string): Record<string, PlatformRoute> => {
    const base = `/v1/admin/workspaces/${id}`;
    return {
      [`GET ${base}`]: () => answer(id),
      [`POST ${base}/suspend`]: (r: RecordedRequest) => {
        const reason = (r.body as { reason?: unknown }).reason;
        if (typeof reason !== "string" || reason.trim() === "")
          return errorResponse(400, "invalid-argument", "A reason is required", {
            issues: [{ path: "reason", message: "Required" }],
          });
        return change(id, {
          status: "suspended",
          suspension: { reason, at: operatorNow.toISOString(), by: "acc_ann" },
        });
      },
      [`POST ${base}/resume`]: () => change(id, { status: "active", suspension: null }),
      [`PUT ${base}/plan`]: (r) => {
        const plan = operatorPlans.plans.find((p) => p.id === (r.body as { plan: string }).plan);
        if (!plan) return errorResponse(400, "invalid-argument", "Unknown plan");
        return change(id, { plan: plan.id, planName: plan.name });
      },
      [`POST ${base}/credits`]: (r) => {
        const { amount, requestId } = r.body as { amount: string; requestId: unknown };
        if (!isValidRequestId(requestId)) return errorResponse(400, "invalid-argument", "Bad requestId");
        const applied = !grants.has(String(requestId));
        grants.add(String(requestId));
        const [whole = "0", fraction = ""] = amount.split(".");
        const micros = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0"));
        if (applied) change(id, { balanceMicros: details[id]!.balanceMicros + micros });
        return jsonResponse({ applied, balanceMicros: details[id]!.balanceMicros, workspace: details[id] });
      },
      [`PUT ${base}/flags`]: (r) => {
        const flags = (r.body as { flags: Record<string, boolean> }).flags;
        const next = details[id]!.flags.map((f) => (f.name in flags ? { ...f, enabled: flags[f.name]! } : f));
        return change(id, { flags: next, flagsOff: next.filter((f) => !f.enabled).map((f) => f.name) });
      },
      [`PUT ${base}/security`]: (r) =>
        change(id, { mfaRequired: (r.body as { mfaRequired: boolean }).mfaRequired }),
    };
  };
  return {
    // The workspace says its reader operates the platform; only then does the studio ask who they are.
    "GET /v1/workspace": () => jsonResponse(workspaceProfile({ operator: true })),
    "GET /v1/admin/me": () => jsonResponse(operatorMe),
    "GET /v1/admin/workspaces": (r: RecordedRequest) => {
      const q = r.query.get("q")?.toLowerCase() ?? "";
      const status = r.query.get("status");
      const workspaces = Object.values(rows).filter(
        (w) =>
          (!q || w.name.toLowerCase().includes(q) || w.id.includes(q)) && (!status || w.status === status),
      );
      return jsonResponse({ workspaces, nextCursor: null });
    },
    ...workspaceRoutes("acme"),
    ...workspaceRoutes("globex"),
    "GET /v1/admin/plans": () => jsonResponse(operatorPlans),
    "GET /v1/admin/users": () => jsonResponse(platformUsers),
    "GET /v1/admin/audit": () => jsonResponse(platformAudit),
    "GET /v1/admin/billing": () => jsonResponse(platformBilling),
    "GET /v1/admin/deployments": () => jsonResponse(deployments),
    ...extra,
  };
}
