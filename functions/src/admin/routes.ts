/**
 * The platform operator's routes (`/v1/admin/...`): every one is an operator route, so to anyone who is not an
 * operator (a workspace owner included, or no credential at all) it answers 404 as if it did not exist, and the
 * public OpenAPI document leaves it out (platform/http/router.ts).
 */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { idSchema, validate } from "../platform/validation.js";
import { installationBilling, billingOverviewSchema } from "./billing.js";
import { deploymentInputSchema, listDeployments, recordDeployment } from "./deployments.js";
import { adminAuditQuerySchema, listAllAudit, listUsers, userQuerySchema, userRowSchema } from "./people.js";
import {
  creditsInputSchema,
  flagsInputSchema,
  getWorkspace,
  grantCredits,
  listPlans,
  listWorkspaces,
  planInputSchema,
  resumeWorkspace,
  securityInputSchema,
  setFlags,
  setPlan,
  setSecurity,
  suspendInputSchema,
  suspendWorkspace,
  workspaceDetailSchema,
  workspaceQuerySchema,
  workspaceRowSchema,
} from "./workspaces.js";

const tag = "Operator";
const tenantParams = z.object({ tenantId: idSchema });
const workspaceResponse = z.object({ workspace: workspaceDetailSchema });
const queryOf = (request: { query: URLSearchParams }) => Object.fromEntries(request.query);

/** Every operator route shares these: public to the router (it checks the operator itself), never listed. */
const operatorRoute = { permission: null, operator: true, tag } as const;

export const adminRoutes: Route<unknown, unknown>[] = [
  route({
    ...operatorRoute,
    method: "GET",
    path: "/v1/admin/me",
    summary:
      "Whether the caller is a platform operator (the studio shows the Admin console when this answers 200)",
    response: z.object({ operator: z.literal(true), uid: z.string() }),
    handle: async ({ caller }) => ({ operator: true as const, uid: caller.uid }),
  }),
  route({
    ...operatorRoute,
    method: "GET",
    path: "/v1/admin/workspaces",
    summary:
      "Every workspace, newest first, with plan, usage this period, members, agents and standing (?q=, ?status=)",
    response: z.object({
      workspaces: z.array(workspaceRowSchema),
      nextCursor: z.string().nullable(),
      truncated: z.boolean(),
    }),
    handle: ({ deps, request }) =>
      listWorkspaces(deps, validate(workspaceQuerySchema, queryOf(request), "query parameter")),
  }),
  route({
    ...operatorRoute,
    method: "GET",
    path: "/v1/admin/workspaces/{tenantId}",
    summary: "One workspace: its row, suspension, feature flags and members",
    params: tenantParams,
    response: workspaceResponse,
    handle: async ({ deps, params }) => ({ workspace: await getWorkspace(deps, params.tenantId) }),
  }),
  route({
    ...operatorRoute,
    method: "POST",
    path: "/v1/admin/workspaces/{tenantId}/suspend",
    summary:
      "Suspend a workspace: its channels stop answering (end users get a neutral message), its members can read " +
      "but not change anything; its data stays",
    params: tenantParams,
    body: { kind: "json", schema: suspendInputSchema },
    response: workspaceResponse,
    handle: async ({ deps, caller, params, body }) => ({
      workspace: await suspendWorkspace(deps, caller, params.tenantId, body.reason),
    }),
  }),
  route({
    ...operatorRoute,
    method: "POST",
    path: "/v1/admin/workspaces/{tenantId}/resume",
    summary: "Resume a suspended workspace",
    params: tenantParams,
    response: workspaceResponse,
    handle: async ({ deps, caller, params }) => ({
      workspace: await resumeWorkspace(deps, caller, params.tenantId),
    }),
  }),
  route({
    ...operatorRoute,
    method: "PUT",
    path: "/v1/admin/workspaces/{tenantId}/plan",
    summary:
      "Move a workspace to a plan now (limits change at once; an upgrade grants the included credits' difference)",
    params: tenantParams,
    body: { kind: "json", schema: planInputSchema },
    response: workspaceResponse,
    handle: async ({ deps, caller, params, body }) => ({
      workspace: await setPlan(deps, caller, params.tenantId, body.plan),
    }),
  }),
  route({
    ...operatorRoute,
    method: "POST",
    path: "/v1/admin/workspaces/{tenantId}/credits",
    summary: "Grant credits (amount in the catalog's currency; the same requestId grants once)",
    params: tenantParams,
    body: { kind: "json", schema: creditsInputSchema },
    response: z.object({ applied: z.boolean(), balanceMicros: z.number(), workspace: workspaceDetailSchema }),
    handle: ({ deps, caller, params, body }) => grantCredits(deps, caller, params.tenantId, body),
  }),
  route({
    ...operatorRoute,
    method: "PUT",
    path: "/v1/admin/workspaces/{tenantId}/flags",
    summary:
      "Turn features on or off for a workspace ({flags: {whatsapp: false}}); unnamed flags keep their state",
    params: tenantParams,
    body: { kind: "json", schema: flagsInputSchema },
    response: workspaceResponse,
    handle: async ({ deps, caller, params, body }) => ({
      workspace: await setFlags(deps, caller, params.tenantId, body.flags),
    }),
  }),
  route({
    ...operatorRoute,
    method: "PUT",
    path: "/v1/admin/workspaces/{tenantId}/security",
    summary: "Require two-step sign-in for the workspace's admins and owners",
    params: tenantParams,
    body: { kind: "json", schema: securityInputSchema },
    response: workspaceResponse,
    handle: async ({ deps, caller, params, body }) => ({
      workspace: await setSecurity(deps, caller, params.tenantId, body),
    }),
  }),
  route({
    ...operatorRoute,
    method: "GET",
    path: "/v1/admin/plans",
    summary: "The plans of the billing catalog in force",
    response: z.object({ plans: z.array(z.object({ id: z.string(), name: z.string() })) }),
    handle: ({ deps }) => listPlans(deps),
  }),
  route({
    ...operatorRoute,
    method: "GET",
    path: "/v1/admin/users",
    summary: "Everyone with a membership, with their workspaces and roles (?q= searches emails)",
    response: z.object({
      users: z.array(userRowSchema),
      nextCursor: z.string().nullable(),
      truncated: z.boolean(),
    }),
    handle: ({ deps, request }) =>
      listUsers(deps, validate(userQuerySchema, queryOf(request), "query parameter")),
  }),
  route({
    ...operatorRoute,
    method: "GET",
    path: "/v1/admin/audit",
    summary: "The audit log of every workspace, newest first (?tenantId=, ?action=, ?limit=, ?cursor=)",
    handle: ({ deps, request }) =>
      listAllAudit(deps, validate(adminAuditQuerySchema, queryOf(request), "query parameter")),
  }),
  route({
    ...operatorRoute,
    method: "GET",
    path: "/v1/admin/billing",
    summary:
      "The installation's billing this period: workspaces per plan, credits used, negative balances, top usage",
    response: billingOverviewSchema,
    handle: ({ deps }) => installationBilling(deps),
  }),
  route({
    ...operatorRoute,
    method: "GET",
    path: "/v1/admin/deployments",
    summary: "What `npm run deploy` deployed here, newest first (?limit= up to 100)",
    handle: ({ deps, request }) =>
      listDeployments(
        deps,
        validate(
          z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }).strict(),
          queryOf(request),
          "query parameter",
        ).limit,
      ),
  }),
  route({
    ...operatorRoute,
    method: "POST",
    path: "/v1/admin/deployments",
    summary: "Record a deploy (posted by `npm run deploy` with the operator token; the same id records once)",
    body: { kind: "json", schema: deploymentInputSchema },
    status: 201,
    handle: async ({ deps, body }) => ({ deployment: (await recordDeployment(deps, body)).deployment }),
  }),
];
