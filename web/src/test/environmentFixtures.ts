/**
 * The HR assistant's environments as `/v1/agents/{id}/environments` answers it (functions/src/agents/): version
 * 2 in development, 1 in staging and production (production is the agent's `publishedVersion`), and a fake
 * that follows the platform's rules: promote takes the previous environment's version (or a given one),
 * rollback puts back the version that served before. Also `GET /v1/workspace` and `GET /v1/environments`.
 */
import { errorResponse, jsonResponse, type PlatformRoute, type RecordedRequest } from "./platformFetch";

export const workspaceEnvironments = [
  { name: "development", label: "Development" },
  { name: "staging", label: "Staging" },
  { name: "production", label: "Production" },
];

export function workspaceProfile(overrides: Record<string, unknown> = {}) {
  return {
    id: "acme",
    name: "Acme Corp",
    plan: "pro",
    status: "active",
    suspension: null,
    features: { whatsapp: true, mcp: true, fineTuning: true, longTermMemory: true, openaiCompat: true },
    security: { mfaRequired: false },
    environments: workspaceEnvironments,
    operator: false,
    ...overrides,
  };
}

export const suspendedProfile = workspaceProfile({
  status: "suspended",
  suspension: { reason: "Unpaid invoices since September", at: "2026-11-20T10:00:00.000Z" },
});

interface Change {
  id: string;
  environment: string;
  version: number;
  previousVersion: number | null;
  action: "publish" | "promote" | "rollback";
  from: string | null;
  at: string;
  by: string;
  note: string;
}

/**
 * A fake of one agent's environments. `onProduction` is told when production's version changes (the
 * agent's `publishedVersion`), so the test's agent can follow.
 */
export function agentEnvironmentRoutes(
  agentId: string,
  initial: Record<string, number | null> = { development: 2, staging: 1, production: 1 },
  onProduction: (version: number) => void = () => undefined,
) {
  const serving = { ...initial };
  const history: Change[] = [
    {
      id: "chg_2",
      environment: "development",
      version: 2,
      previousVersion: 1,
      action: "publish",
      from: null,
      at: "2026-11-25T14:00:00.000Z",
      by: "acc_ann",
      note: "Answer more questions",
    },
    {
      id: "chg_1",
      environment: "production",
      version: 1,
      previousVersion: null,
      action: "publish",
      from: null,
      at: "2026-11-23T14:00:00.000Z",
      by: "acc_bob",
      note: "",
    },
  ];
  let counter = 2;
  const body = () => ({
    environments: workspaceEnvironments.map((e) => ({
      ...e,
      version: serving[e.name] ?? null,
      updatedAt: history.find((c) => c.environment === e.name)?.at ?? null,
      updatedBy: history.find((c) => c.environment === e.name)?.by ?? null,
    })),
    history,
  });
  const put = (environment: string, version: number, action: Change["action"], from: string | null) => {
    history.unshift({
      id: `chg_${++counter}`,
      environment,
      version,
      previousVersion: serving[environment] ?? null,
      action,
      from,
      at: new Date().toISOString(),
      by: "acc_ann",
      note: "",
    });
    serving[environment] = version;
    if (environment === "production") onProduction(version);
    return jsonResponse(body());
  };
  const base = `/v1/agents/${agentId}/environments`;
  const routes: Record<string, PlatformRoute> = { [`GET ${base}`]: () => jsonResponse(body()) };
  workspaceEnvironments.forEach((env, i) => {
    routes[`POST ${base}/${env.name}/promote`] = (r: RecordedRequest) => {
      const { from, version } = r.body as { from?: string; version?: number };
      const source = from ?? workspaceEnvironments[i - 1]?.name;
      const chosen = version ?? (source ? serving[source] : null);
      if (!chosen) return errorResponse(400, "failed-precondition", "Nothing to promote");
      return put(env.name, chosen, "promote", version === undefined ? (source ?? null) : null);
    };
    routes[`POST ${base}/${env.name}/rollback`] = () => {
      const before = history.find((c) => c.environment === env.name)?.previousVersion;
      if (!before) return errorResponse(400, "failed-precondition", `${env.label} has no earlier version`);
      return put(env.name, before, "rollback", null);
    };
  });
  return { routes, serving, history };
}

/** What the shell asks once per session, whatever page is open (components/SessionFacts.tsx). */
export const sessionFactsPaths: readonly string[] = ["/v1/admin/me", "/v1/workspace"];

/** The requests a page made, without the shell's once-per-session questions. */
export function pageRequests<T extends { readonly path: string }>(requests: readonly T[]): T[] {
  return requests.filter((r) => !sessionFactsPaths.includes(r.path));
}
