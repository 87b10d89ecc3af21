/**
 * The REST API v1 route table: every service's own routes, composed, and this API's OpenAPI description.
 * Handlers are thin: the router has already authenticated the caller, checked the role and validated
 * params and body; each handler calls one service function with the caller's tenant (never a tenant
 * from the request).
 */
import { adminRoutes } from "../../admin/routes.js";
import { workspaceRoutes } from "../../identity/workspace-routes.js";
import { accountabilityRoutes } from "../../accountability/routes.js";
import { feedbackRoutes } from "../../accountability/feedback-routes.js";
import { annotationRoutes } from "../../tuning/annotation-routes.js";
import { tuningExportRoutes } from "../../tuning/export-routes.js";
import { tuningJobRoutes } from "../../tuning/jobs-routes.js";
import { endUserConversations, findAnswer, openConversation } from "../../agents/conversations.js";
import { countAgents, experimentAgent, getAgent, publishVariant } from "../../agents/agents.js";
import { agentRoutes } from "../../agents/routes.js";
import { billingRoutes } from "../../billing/routes.js";
import { apiKeyRoutes, identityRoutes } from "../../identity/routes.js";
import { membersPath } from "../../identity/schema.js";
import { tenantName, type FeatureFlag } from "../../identity/tenants.js";
import { documentStock } from "../../knowledge/documents.js";
import { knowledgeRoutes } from "../../knowledge/routes.js";
import { monitorRoutes } from "../../monitor/routes.js";
import { driftRoutes } from "../../narrative/drift-routes.js";
import { endUserRoutes } from "../../narrative/routes.js";
import { experimentRoutes, promptRoutes } from "../../prompts/routes.js";
import { replayRoutes, simulationRoutes } from "../../sandbox/simulation-routes.js";
import { checkPublishGate } from "../../sandbox/gate.js";
import { sandboxRoutes } from "../../sandbox/routes.js";
import { listRuns } from "../../sandbox/runs.js";
import { openApiDocument, route, type Route } from "../../platform/http/router.js";
import { privacyRoutes } from "../../privacy/routes.js";
import { toolRoutes } from "../../tools/routes.js";
import { openaiRoutes } from "../openai/compat.js";
import { responsesRoutes } from "../openai/responses.js";
import { mcpRoutes } from "../mcp/routes.js";
import { whatsappRoutes } from "../whatsapp/routes.js";
import { widgetRoutes } from "../widget/routes.js";

/**
 * Marks a feature's routes (identity/tenants.ts's flags): the router refuses them to a workspace the platform
 * operator turned the feature off for. With `writesOnly`, what was made before can still be read (and
 * deleted: a connection's delete stays possible so a workspace can clean up).
 */
function withFeature(
  feature: FeatureFlag,
  list: readonly Route<unknown, unknown>[],
  { writesOnly = false } = {},
): Route<unknown, unknown>[] {
  return list.map((r) =>
    r.permission === null || (writesOnly && (r.method === "GET" || r.method === "DELETE"))
      ? r
      : { ...r, feature },
  );
}

const allowWhenSuspended = (r: Route<unknown, unknown>): Route<unknown, unknown> => ({
  ...r,
  allowSuspended: true,
});

export const routes: Route<unknown, unknown>[] = [
  ...monitorRoutes,
  ...sandboxRoutes,
  ...replayRoutes,
  ...simulationRoutes,
  route({
    method: "GET",
    path: "/v1/openapi.json",
    summary: "This API's OpenAPI 3.1 description",
    tag: "Platform",
    permission: null,
    raw: true,
    handle: async ({ deps }) => ({
      status: 200,
      body: openApiDocument(routes, { version: deps.config.version }),
    }),
  }),
  ...knowledgeRoutes,
  // A key limited to one agent names an agent of the caller's tenant that exists.
  ...apiKeyRoutes({ requireAgent: getAgent }),
  // Publishing runs the Sandbox's gate first, when the agent has one enabled.
  ...agentRoutes({ beforePublish: checkPublishGate }),
  ...accountabilityRoutes,
  ...promptRoutes,
  ...driftRoutes,
  // Experiments look agents up and promote a winner by publishing a version: the Agent Engine's to do.
  // The eval score of a variant is the Sandbox's latest completed run against the version it serves.
  ...experimentRoutes({
    agent: experimentAgent,
    publish: publishVariant,
    evalScore: async (deps, tenantId, { agentId, version }) => {
      const { runs } = await listRuns(deps, tenantId, { agentId, limit: "100" });
      const run = runs.find((r) => r.status === "completed" && r.target.version === version);
      const accuracy = run?.scores?.accuracy;
      return run && accuracy !== null && accuracy !== undefined ? { score: accuracy, runId: run.id } : null;
    },
  }),
  // Feedback rates an answer of a conversation the caller may read (the Agent Engine decides which).
  ...feedbackRoutes({
    openAnswer: async (deps, caller, conversationId, messageId) => {
      await openConversation(deps, caller, conversationId, "read");
      return findAnswer(deps, caller.tenantId, conversationId, messageId);
    },
  }),
  ...annotationRoutes,
  // End users' memories: an editor's memory names an agent of the workspace; their conversations are the
  // Agent Engine's.
  ...endUserRoutes({
    agentExists: async (deps, tenantId, agentId) =>
      getAgent(deps, tenantId, agentId).then(
        () => true,
        () => false,
      ),
    conversationsOf: endUserConversations,
  }),
  // Agent Tuning: training-data exports and fine-tuning jobs (these need an OpenAI-compatible provider).
  ...tuningExportRoutes,
  ...withFeature("fineTuning", tuningJobRoutes, { writesOnly: true }),
  ...toolRoutes,
  ...withFeature("openaiCompat", openaiRoutes),
  ...withFeature("openaiCompat", responsesRoutes),
  ...withFeature("mcp", mcpRoutes),
  ...withFeature("whatsapp", whatsappRoutes, { writesOnly: true }),
  ...widgetRoutes,
  // Privacy requests stay possible in a suspended workspace (its data is kept, and people keep their rights).
  ...privacyRoutes.map(allowWhenSuspended),
  ...identityRoutes.map((r) =>
    // Removing a member only takes access away; it stays possible in a suspended workspace.
    r.method === "DELETE" && r.path === "/v1/members/{memberId}" ? allowWhenSuspended(r) : r,
  ),
  ...workspaceRoutes,
  // The platform operator's console: 404 to everyone else.
  ...adminRoutes,
  // Billing compares stock limits with the counts of the services that own them. Paying stays possible in a
  // suspended workspace.
  ...billingRoutes({
    stock: async (deps, tenantId) => {
      const [docs, members, agents] = await Promise.all([
        documentStock(deps, tenantId),
        deps.store.count({ collection: membersPath(tenantId) }),
        countAgents(deps, tenantId),
      ]);
      return { documents: docs.documents, storageBytes: docs.storageBytes, members, agents };
    },
    tenantName,
  }).map((r) =>
    r.path === "/v1/billing/checkout" || r.path === "/v1/billing/portal" ? allowWhenSuspended(r) : r,
  ),
];
