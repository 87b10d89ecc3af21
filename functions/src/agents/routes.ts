/** The Agent Engine's REST routes: agents and their versions, conversations and their messages. */
import { environmentNameSchema } from "../identity/environments.js";
import {
  agentEnvironments,
  agentEnvironmentsSchema,
  environmentRollbackInput,
  promote,
  promoteInput,
  rollbackEnvironment,
  selectorFor,
} from "./releases.js";
import { listTunedModels } from "../prompts/tuned-models.js";
import { z } from "zod";
import { messageFeedbackSchema } from "../accountability/feedback.js";
import { citationSchema } from "../accountability/schema.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { requirePermission } from "../platform/permissions.js";
import { wantsEventStream, type SseSend } from "../platform/http/http.js";
import { route, type Route } from "../platform/http/router.js";
import { idResponse, idSchema } from "../platform/validation.js";
import {
  agentOptions,
  archiveAgent,
  createAgent,
  createAgentInput,
  getAgent,
  lastActivityOf,
  listAgents,
  listVersions,
  pauseAgent,
  publishAgent,
  publishAgentInput,
  resumeAgent,
  rollbackAgent,
  rollbackAgentInput,
  updateAgent,
  updateAgentInput,
} from "./agents.js";
import {
  conversationListQuery,
  listConversations,
  listMessages,
  openConversation,
  startConversation,
} from "./conversations.js";
import { sendMessage, sendMessageInput } from "./turn.js";
import { decideConfirmation, decisionInput } from "./confirmations.js";
import {
  agentChannels,
  agentsPath,
  deliverySchema,
  messageConfirmationSchema,
  versionSelectorSchema,
} from "./schema.js";

const agentParams = z.object({ agentId: idSchema });
const environmentParams = z.object({ agentId: idSchema, environment: environmentNameSchema });
const conversationParams = z.object({ conversationId: idSchema });

const startConversationInput = z.object({
  /** "published" (default), a version number, or "draft" (the studio playground; editors only). */
  version: versionSelectorSchema.optional(),
  /** The end user's identity on the channel (e.g. a customer id), for privacy export and erasure. */
  endUserRef: z.string().trim().min(1).max(200).optional(),
});

const messageResponse = z.object({
  id: z.string(),
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  citations: z.array(citationSchema),
  confidence: z.number().nullable(),
  abstained: z.boolean(),
  explanation: z.string().nullable(),
  traceId: z.string().nullable(),
  agentVersion: z.union([z.literal("draft"), z.number()]).nullable(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).nullable(),
  createdAt: z.string(),
  /** On an answer over an OpenAI-compatible API: the caller's system/developer instructions for that turn. */
  callerInstructions: z.string().optional(),
  /** On an answer a channel delivers later (WhatsApp): how far it got (accepted, sent, delivered, read, failed...). */
  delivery: deliverySchema.optional(),
  /**
   * On an answer that asks the end user to confirm a tool's write (a transfer): the exact request (secrets
   * masked), when it expires, and its status (pending until decided at .../confirmations/{id}).
   */
  confirmation: messageConfirmationSchema.optional(),
  /** On a rated answer: its rating ('up' or 'down'), comment and when (PUT .../messages/{id}/feedback). */
  feedback: messageFeedbackSchema.optional(),
});

const conversationPageResponse = z.object({
  conversations: z.array(
    z.object({
      id: z.string(),
      agentId: z.string(),
      /** What the conversation talks to: "published" (follows the agent), a pinned version, or "draft". */
      agentVersion: versionSelectorSchema,
      channel: z.enum(agentChannels),
      endUserRef: z.string().nullable(),
      /** The credential that started it (an account or Firebase uid, or apikey:<id>); null if not recorded. */
      startedBy: z.string().nullable(),
      messageCount: z.number(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const bounds = z.object({ min: z.number().int(), max: z.number().int(), default: z.number().int() });

const agentOptionsResponse = z.object({
  models: z.object({
    default: z.object({ model: z.string(), label: z.string(), provider: z.string() }),
    allowed: z.array(z.string()),
    /** This workspace's fine-tuned models (Agent Tuning), which its agents may name too. */
    tuned: z.array(z.string()),
  }),
  maxOutputTokens: bounds,
  contextBudgetTokens: bounds,
  toolHosts: z.array(z.string()).nullable(),
});

/**
 * Runs before every publish when the API composes one (channels/api/routes.ts passes the Sandbox's publish
 * gate): it throws to refuse the publish. Agents cannot import the Sandbox, so the check is handed in.
 */
export type PublishCheck = (deps: Deps, caller: Caller, agentId: string) => Promise<void>;

export interface AgentRouteOptions {
  readonly beforePublish?: PublishCheck;
}

/** The Agent Engine's routes, with what the API composes into them. */
export const agentRoutes = (options: AgentRouteOptions = {}): Route<unknown, unknown>[] => [
  route({
    method: "GET",
    path: "/v1/agent-options",
    summary:
      "What agents may be configured with on this platform: the chat models an agent may name (model.name; " +
      "null uses models.default; models.tuned are this workspace's fine-tuned models), the largest maxOutputTokens and contextBudgetTokens, and the hosts HTTP " +
      "tools may call (null: any public host). Saving an agent outside these is refused",
    tag: "Agents",
    permission: "workspace.read",
    response: agentOptionsResponse,
    handle: async ({ deps, caller }) => {
      const options = agentOptions(deps);
      const tuned = await listTunedModels(deps, caller.tenantId);
      return { ...options, models: { ...options.models, tuned: tuned.map((m) => m.name) } };
    },
  }),

  // ----- Agents -----
  route({
    method: "GET",
    path: "/v1/agents",
    summary:
      "List agents, most recently changed first (archived ones with ?includeArchived=true), each with " +
      "lastActivityAt: when its newest conversation last changed (null if none)",
    tag: "Agents",
    permission: "workspace.read",
    live: ({ caller }) => ({ collection: agentsPath(caller.tenantId) }),
    handle: async ({ deps, caller, request }) => {
      const agents = await listAgents(deps, caller.tenantId, {
        includeArchived: request.query.get("includeArchived") === "true",
      });
      const activity = await lastActivityOf(
        deps,
        caller.tenantId,
        agents.map((a) => a.id),
      );
      return { agents: agents.map((a) => ({ ...a, lastActivityAt: activity.get(a.id) ?? null })) };
    },
  }),
  route({
    method: "POST",
    path: "/v1/agents",
    summary: "Create an agent; it starts as a draft",
    tag: "Agents",
    permission: "agents.manage",
    body: { kind: "json", schema: createAgentInput },
    status: 201,
    response: idResponse,
    handle: ({ deps, caller, body }) => createAgent(deps, caller.tenantId, body, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/agents/{agentId}",
    summary: "Get an agent: its draft configuration, status and published version",
    tag: "Agents",
    permission: "workspace.read",
    params: agentParams,
    handle: ({ deps, caller, params }) => getAgent(deps, caller.tenantId, params.agentId),
  }),
  route({
    method: "PATCH",
    path: "/v1/agents/{agentId}",
    summary: "Change the draft configuration (published versions never change)",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    body: { kind: "json", schema: updateAgentInput },
    handle: ({ deps, caller, params, body }) =>
      updateAgent(deps, caller.tenantId, params.agentId, body, caller.uid),
  }),
  route({
    method: "DELETE",
    path: "/v1/agents/{agentId}",
    summary: "Archive an agent: it stops answering; its versions, conversations and traces stay readable",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    status: 204,
    raw: true,
    handle: async ({ deps, caller, params }) => {
      await archiveAgent(deps, caller.tenantId, params.agentId, caller.uid);
      return { status: 204 };
    },
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/publish",
    summary:
      "Publish the draft as the next immutable version and serve it. With a publish gate enabled " +
      "(PUT /v1/agents/{agentId}/publish-gate), the golden dataset is run against the draft and the published " +
      "version first, and a draft scoring lower by more than the gate's margin is refused (400 " +
      "failed-precondition, with the comparison in details; 504 when the runs outlast the gate's timeout)",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    body: { kind: "json", schema: publishAgentInput },
    handle: async ({ deps, caller, params, body }) => {
      await options.beforePublish?.(deps, caller, params.agentId);
      return publishAgent(deps, caller.tenantId, params.agentId, body, caller.uid);
    },
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/rollback",
    summary: "Serve an earlier published version again (the draft is unchanged)",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    body: { kind: "json", schema: rollbackAgentInput },
    handle: ({ deps, caller, params, body }) =>
      rollbackAgent(deps, caller.tenantId, params.agentId, body.version, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/agents/{agentId}/environments",
    summary:
      "Which version the agent serves in each of the workspace's environments, and the promotion history",
    tag: "Agents",
    permission: "workspace.read",
    params: agentParams,
    response: agentEnvironmentsSchema,
    handle: ({ deps, caller, params }) => agentEnvironments(deps, caller.tenantId, params.agentId),
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/environments/{environment}/promote",
    summary:
      "Serve in this environment the version the one before it serves (or ?from's, or a named version); " +
      "promoting to production publishes that version",
    tag: "Agents",
    permission: "agents.manage",
    params: environmentParams,
    body: { kind: "json", schema: promoteInput },
    response: agentEnvironmentsSchema,
    handle: ({ deps, caller, params, body }) =>
      promote(deps, caller, params.agentId, params.environment, body),
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/environments/{environment}/rollback",
    summary: "Serve in this environment the version it served before (or a named version)",
    tag: "Agents",
    permission: "agents.manage",
    params: environmentParams,
    body: { kind: "json", schema: environmentRollbackInput },
    response: agentEnvironmentsSchema,
    handle: ({ deps, caller, params, body }) =>
      rollbackEnvironment(deps, caller, params.agentId, params.environment, body),
  }),
  route({
    method: "GET",
    path: "/v1/agents/{agentId}/versions",
    summary: "List an agent's published versions, newest first",
    tag: "Agents",
    permission: "workspace.read",
    params: agentParams,
    handle: async ({ deps, caller, params }) => ({
      versions: await listVersions(deps, caller.tenantId, params.agentId),
    }),
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/pause",
    summary: "Pause a published agent: it stops answering until resumed",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    handle: ({ deps, caller, params }) => pauseAgent(deps, caller.tenantId, params.agentId, caller.uid),
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/resume",
    summary: "Resume a paused agent",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    handle: ({ deps, caller, params }) => resumeAgent(deps, caller.tenantId, params.agentId, caller.uid),
  }),

  // ----- Conversations -----
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/conversations",
    summary:
      "Start a conversation with the published version (default), a pinned version, an environment's version " +
      '({"environment": "staging"}), or the draft (editors only). An API key bound to an environment talks to ' +
      "that environment's version",
    tag: "Conversations",
    permission: "conversations.converse",
    agentOf: ({ params }) => params.agentId,
    params: agentParams,
    body: { kind: "json", schema: startConversationInput },
    status: 201,
    handle: ({ deps, caller, params, body }) => {
      if (body.version === "draft") requirePermission(caller, "agents.manage");
      return startConversation(deps, caller.tenantId, params.agentId, {
        channel: body.version === "draft" ? "studio" : "api",
        version: selectorFor(caller, body.version),
        endUserRef: body.endUserRef,
        startedBy: caller.uid,
      });
    },
  }),
  route({
    method: "GET",
    path: "/v1/conversations",
    summary:
      "List conversations, most recent activity first. Filters: ?agentId=, ?channel= (api, " +
      "openai-compatible, callable, studio), ?from= and ?to= (last activity in [from, to): ISO dates, " +
      "midnight UTC, or date-times with an offset). Pages: ?limit= (1-200, default 50) and ?cursor= " +
      "(the previous page's nextCursor; null on the last page)",
    tag: "Conversations",
    permission: "conversations.view",
    response: conversationPageResponse,
    // Watches exactly the page it lists: a new conversation, or one that gets a message, changes it.
    live: ({ caller, request }) => conversationListQuery(caller.tenantId, Object.fromEntries(request.query)),
    handle: ({ deps, caller, request }) =>
      listConversations(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
  route({
    method: "GET",
    path: "/v1/conversations/{conversationId}",
    summary:
      "Get a conversation: one the credential started, or any with the conversations.view permission (editors)",
    tag: "Conversations",
    permission: "conversations.converse",
    params: conversationParams,
    handle: ({ deps, caller, params }) => openConversation(deps, caller, params.conversationId, "read"),
  }),
  route({
    method: "POST",
    path: "/v1/conversations/{conversationId}/messages",
    summary:
      "Send a message; the answer carries citations, confidence, abstention and a trace id. With " +
      "'Accept: text/event-stream' or {stream: true} the answer streams as server-sent events: 'delta' events " +
      "with text as the model writes, then one 'message' event with the checked message (or an 'error' event). " +
      "Only the credential that started a conversation may continue it",
    tag: "Conversations",
    permission: "conversations.converse",
    params: conversationParams,
    body: { kind: "json", schema: sendMessageInput.extend({ stream: z.boolean().optional() }) },
    response: z.object({ message: messageResponse }),
    raw: true,
    handle: async ({ deps, caller, params, body, request }) => {
      await openConversation(deps, caller, params.conversationId, "continue");
      const input = { content: body.content };
      if (!wantsEventStream(request, body)) {
        const message = await sendMessage(deps, caller.tenantId, params.conversationId, input);
        return { status: 200, body: { message: toMessageResponse(message) } };
      }
      return {
        status: 200,
        stream: async (send: SseSend) => {
          const message = await sendMessage(deps, caller.tenantId, params.conversationId, input, {
            onDelta: (text) => send({ text }, "delta"),
          });
          send({ message: toMessageResponse(message) }, "message");
        },
      };
    },
  }),
  route({
    method: "POST",
    path: "/v1/conversations/{conversationId}/confirmations/{confirmationId}",
    summary:
      "Confirm or cancel the tool write the conversation's latest answer asks for (its message's " +
      "`confirmation`): {decision: 'confirm'} runs exactly the request shown, then the agent answers from the " +
      "result; 'cancel' sends nothing. Refused with 409 when it expired, was already decided, or the " +
      "conversation moved on. Streams like sending a message. Only the credential that started the conversation " +
      "may decide",
    tag: "Conversations",
    permission: "conversations.converse",
    params: z.object({ conversationId: idSchema, confirmationId: idSchema }),
    body: { kind: "json", schema: decisionInput.extend({ stream: z.boolean().optional() }) },
    response: z.object({ message: messageResponse }),
    raw: true,
    handle: async ({ deps, caller, params, body, request }) => {
      await openConversation(deps, caller, params.conversationId, "continue");
      const decide = (onDelta?: (text: string) => void) =>
        decideConfirmation(
          deps,
          caller.tenantId,
          params.conversationId,
          params.confirmationId,
          body.decision,
          caller.uid,
          onDelta ? { onDelta } : {},
        );
      if (!wantsEventStream(request, body)) {
        return { status: 200, body: { message: toMessageResponse(await decide()) } };
      }
      return {
        status: 200,
        stream: async (send: SseSend) => {
          const message = await decide((text) => send({ text }, "delta"));
          send({ message: toMessageResponse(message) }, "message");
        },
      };
    },
  }),
  route({
    method: "GET",
    path: "/v1/conversations/{conversationId}/messages",
    summary:
      "List a conversation's messages, oldest first (a conversation the credential started, or any with " +
      "conversations.view)",
    tag: "Conversations",
    permission: "conversations.converse",
    params: conversationParams,
    response: z.object({ messages: z.array(messageResponse) }),
    handle: async ({ deps, caller, params }) => {
      await openConversation(deps, caller, params.conversationId, "read");
      return {
        messages: (await listMessages(deps, caller.tenantId, params.conversationId)).map(toMessageResponse),
      };
    },
  }),
];

function toMessageResponse(
  m: Awaited<ReturnType<typeof listMessages>>[number],
): z.infer<typeof messageResponse> {
  return {
    id: m.id,
    role: m.role,
    content: m.content,
    citations: m.citations,
    confidence: m.confidence,
    abstained: m.abstained,
    explanation: m.explanation,
    traceId: m.traceId,
    agentVersion: m.agentVersion,
    usage: m.usage,
    createdAt: m.createdAt,
    ...(m.callerInstructions !== undefined ? { callerInstructions: m.callerInstructions } : {}),
    ...(m.delivery !== undefined ? { delivery: m.delivery } : {}),
    ...(m.confirmation !== undefined ? { confirmation: m.confirmation } : {}),
    ...(m.feedback !== undefined ? { feedback: m.feedback } : {}),
  };
}
