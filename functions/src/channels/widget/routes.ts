/** Web chat widget routes: managing widgets (admins), and the public endpoints the widget calls with its key. */
import { z } from "zod";
import { idPattern } from "../../platform/ids.js";
import { wantsEventStream, type SseSend } from "../../platform/http/http.js";
import { route, type Route } from "../../platform/http/router.js";
import { decisionInput } from "../../agents/confirmations.js";
import { feedbackInput } from "../../accountability/feedback.js";
import {
  openTurn,
  resetWidgetConversation,
  widgetConfig,
  widgetConversation,
  widgetMessageInput,
  widgetOrigins,
  widgetDecision,
  widgetFeedback,
  widgetTurn,
} from "./public.js";
import { widgetKeyPattern } from "./schema.js";
import {
  createWidget,
  deleteWidget,
  getWidget,
  listWidgets,
  updateWidget,
  widgetInput,
  widgetPatch,
} from "./widgets.js";

const tag = "Web chat widget";
const widgetParams = z.object({ widgetId: z.string().regex(idPattern, "must be a widget id") });
const keyParams = z.object({ key: z.string().regex(widgetKeyPattern, "must be a widget key (wk_...)") });
/** CORS for the public endpoints: the widget's own allowed origins, not the API's. */
const corsOrigins = (deps: Parameters<typeof widgetOrigins>[0], params: Record<string, string>) =>
  widgetKeyPattern.test(params.key ?? "") ? widgetOrigins(deps, params.key as string) : Promise.resolve([]);

export const widgetRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/widgets",
    summary: "List the workspace's web chat widgets (their identity secrets are never returned)",
    tag,
    permission: "channels.manage",
    handle: async ({ deps, caller }) => ({ widgets: await listWidgets(deps, caller.tenantId) }),
  }),
  route({
    method: "POST",
    path: "/v1/widgets",
    summary:
      "Create a web chat widget for a published agent: the sites allowed to embed it, its theme, and whether the " +
      "host site verifies its users (then the answer holds the identity secret, shown this once)",
    tag,
    permission: "channels.manage",
    body: { kind: "json", schema: widgetInput },
    status: 201,
    handle: ({ deps, caller, body }) => createWidget(deps, caller, body),
  }),
  route({
    method: "GET",
    path: "/v1/widgets/{widgetId}",
    summary: "Get one web chat widget: its key, agent, allowed origins, theme, last activity and last error",
    tag,
    permission: "channels.manage",
    params: widgetParams,
    handle: ({ deps, caller, params }) => getWidget(deps, caller.tenantId, params.widgetId),
  }),
  route({
    method: "PATCH",
    path: "/v1/widgets/{widgetId}",
    summary:
      "Change a widget's name, agent, allowed origins or theme, switch identity verification, or rotate its " +
      "identity secret (a new secret is in the answer, shown this once)",
    tag,
    permission: "channels.manage",
    params: widgetParams,
    body: { kind: "json", schema: widgetPatch },
    handle: ({ deps, caller, params, body }) => updateWidget(deps, caller, params.widgetId, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/widgets/{widgetId}",
    summary: "Delete a widget: its key stops working on every site (conversations stay)",
    tag,
    permission: "channels.manage",
    params: widgetParams,
    status: 204,
    handle: async ({ deps, caller, params }) => {
      await deleteWidget(deps, caller, params.widgetId);
      return undefined;
    },
  }),
  route({
    method: "GET",
    path: "/widget/v1/{key}/config",
    summary: "The widget's agent name and theme (from an allowed origin)",
    tag,
    permission: null,
    params: keyParams,
    // Readable from any page, so a widget on a site that is not allowed can say so (the answer is then a 403
    // naming the origin); the origin is enforced by the handler, as on every widget route.
    corsOrigins: () => Promise.resolve(["*"]),
    handle: ({ deps, params, request }) => widgetConfig(deps, params.key, request),
  }),
  route({
    method: "GET",
    path: "/widget/v1/{key}/conversation",
    summary:
      "The end user's conversation on this widget (X-Widget-Visitor, or a verified X-Widget-User and " +
      "X-Widget-User-Hash): its latest messages with citations, confidence and abstention",
    tag,
    permission: null,
    params: keyParams,
    corsOrigins,
    handle: ({ deps, params, request }) => widgetConversation(deps, params.key, request),
  }),
  route({
    method: "POST",
    path: "/widget/v1/{key}/messages",
    summary:
      "Send the end user's message and get the agent's answer; with 'Accept: text/event-stream' it streams " +
      "'delta' events, then one 'message' event with the checked answer (or an 'error' event)",
    tag,
    permission: null,
    params: keyParams,
    corsOrigins,
    body: { kind: "json", schema: widgetMessageInput },
    raw: true,
    handle: async ({ deps, params, body, request }) => {
      const { found, endUser } = await openTurn(deps, params.key, request);
      if (!wantsEventStream(request, body)) {
        return { status: 200, body: { message: await widgetTurn(deps, found, endUser, body) } };
      }
      return {
        status: 200,
        stream: async (send: SseSend) => {
          const message = await widgetTurn(deps, found, endUser, body, (text) => send({ text }, "delta"));
          send({ message }, "message");
        },
      };
    },
  }),
  route({
    method: "POST",
    path: "/widget/v1/{key}/confirmations/{confirmationId}",
    summary:
      "The end user confirms or cancels ({decision: 'confirm' | 'cancel'}) the tool write their latest answer " +
      "asks for (its `confirmation`); the agent's answer about the result comes back like a message's, " +
      "streamed with 'Accept: text/event-stream'. Refused with 409 once expired, decided or moved on from",
    tag,
    permission: null,
    params: keyParams.extend({
      confirmationId: z.string().regex(idPattern, "must be a confirmation id"),
    }),
    corsOrigins,
    body: { kind: "json", schema: decisionInput.extend({ stream: z.boolean().optional() }) },
    raw: true,
    handle: async ({ deps, params, body, request }) => {
      const { found, endUser } = await openTurn(deps, params.key, request);
      const decide = (onDelta?: (text: string) => void) =>
        widgetDecision(deps, found, endUser, params.confirmationId, body.decision, onDelta);
      if (!wantsEventStream(request, body)) {
        return { status: 200, body: { message: await decide() } };
      }
      return {
        status: 200,
        stream: async (send: SseSend) => {
          send({ message: await decide((text) => send({ text }, "delta")) }, "message");
        },
      };
    },
  }),
  route({
    method: "PUT",
    path: "/widget/v1/{key}/messages/{messageId}/feedback",
    summary:
      "The end user rates an answer of their conversation: {rating: 'up' | 'down', comment?: up to 2,000 " +
      "characters}; a second rating replaces the first. Shown on the message as `feedback`",
    tag,
    permission: null,
    params: keyParams.extend({ messageId: z.string().regex(idPattern, "must be a message id") }),
    corsOrigins,
    body: { kind: "json", schema: feedbackInput },
    handle: ({ deps, params, body, request }) =>
      widgetFeedback(deps, params.key, request, params.messageId, body),
  }),
  route({
    method: "DELETE",
    path: "/widget/v1/{key}/messages/{messageId}/feedback",
    summary:
      "The end user takes their rating of an answer back (answered the same whether or not it was rated)",
    tag,
    permission: null,
    params: keyParams.extend({ messageId: z.string().regex(idPattern, "must be a message id") }),
    corsOrigins,
    handle: ({ deps, params, request }) => widgetFeedback(deps, params.key, request, params.messageId, null),
  }),
  route({
    method: "POST",
    path: "/widget/v1/{key}/reset",
    summary: "Start over: the end user's next message begins a new conversation",
    tag,
    permission: null,
    params: keyParams,
    corsOrigins,
    handle: ({ deps, params, request }) => resetWidgetConversation(deps, params.key, request),
  }),
];
