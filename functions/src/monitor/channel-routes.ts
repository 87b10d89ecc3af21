/**
 * Monitor's notification routes: the workspace's alert channels (create, list, delete, test, rotate a
 * webhook's secret), its in-app inbox, and its outbox (the emails written for the Trigger Email extension,
 * which nothing sends in local mode). The scope is always the caller's workspace.
 */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { idSchema } from "../platform/validation.js";
import {
  channelInputSchema,
  channelViewSchema,
  createChannel,
  createdChannelSchema,
  deleteChannel,
  inboxEntrySchema,
  listChannels,
  mailSchema,
  rotateSecret,
  sendTestNotification,
  type ChannelInput,
} from "./notify.js";
import { inboxPath, mailPath } from "./schema.js";

const tag = "Monitor";
const channelParams = z.object({ channelId: idSchema });
/** The newest this many emails or in-app notifications are listed. */
const listLimit = 100;

const notifyOutcomeSchema = z.object({
  notificationId: z.string(),
  deliveries: z.array(
    z.object({
      channelId: z.string(),
      type: z.string(),
      outcome: z.enum(["queued", "written", "duplicate"]),
    }),
  ),
  inbox: z.enum(["written", "duplicate", "skipped"]),
});

const outboxEmailSchema = mailSchema.omit({ tenantId: true }).extend({ id: z.string() });

export const monitorChannelRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/monitor/channels",
    summary:
      "The workspace's alert notification channels (webhook, slack, email, in-app), oldest first, each with its " +
      "last delivery. Secrets are never shown: a webhook says `hasSecret`, a Slack channel shows its URL's origin",
    tag,
    permission: "monitor.view",
    response: z.object({ channels: z.array(channelViewSchema) }),
    handle: async ({ deps, caller }) => ({ channels: await listChannels(deps, caller.tenantId) }),
  }),
  route({
    method: "POST",
    path: "/v1/monitor/channels",
    summary:
      "Add an alert notification channel: {type: webhook, name, url}, {type: slack, name, url} (an incoming " +
      "webhook, https), {type: email, name, to: [1..10 addresses]} or {type: in-app, name}; at most 20. A " +
      "webhook's signing secret is in this answer (`secret`) and never again",
    tag,
    permission: "monitor.manage",
    body: { kind: "json", schema: channelInputSchema },
    status: 201,
    response: createdChannelSchema,
    handle: ({ deps, caller, body }) =>
      createChannel(deps, caller.tenantId, body as ChannelInput, { actor: caller.uid }),
  }),
  route({
    method: "DELETE",
    path: "/v1/monitor/channels/{channelId}",
    summary:
      "Delete an alert notification channel and its secret; deliveries still queued for it are dropped",
    tag,
    permission: "monitor.manage",
    params: channelParams,
    response: z.object({ id: z.string(), deleted: z.literal(true) }),
    handle: async ({ deps, caller, params }) => {
      await deleteChannel(deps, caller.tenantId, params.channelId, { actor: caller.uid });
      return { id: params.channelId, deleted: true as const };
    },
  }),
  route({
    method: "POST",
    path: "/v1/monitor/channels/{channelId}/test",
    summary:
      "Send a test notification (`type: test`) through this channel only; webhook and Slack deliveries are " +
      "queued and their result shows as the channel's `lastDelivery`",
    tag,
    permission: "monitor.manage",
    params: channelParams,
    status: 202,
    response: notifyOutcomeSchema,
    handle: ({ deps, caller, params }) => sendTestNotification(deps, caller.tenantId, params.channelId),
  }),
  route({
    method: "POST",
    path: "/v1/monitor/channels/{channelId}/rotate-secret",
    summary:
      "Give a webhook a new signing secret, shown in this answer only; the old one stops verifying at once",
    tag,
    permission: "monitor.manage",
    params: channelParams,
    response: z.object({ id: z.string(), secret: z.string() }),
    handle: ({ deps, caller, params }) =>
      rotateSecret(deps, caller.tenantId, params.channelId, { actor: caller.uid }),
  }),
  route({
    method: "GET",
    path: "/v1/monitor/outbox",
    summary:
      "The workspace's alert emails, newest 100: the documents written to the `mail` collection for the " +
      "Firebase Trigger Email extension (in local mode nothing sends them; this is where they are read)",
    tag,
    permission: "monitor.view",
    response: z.object({ emails: z.array(outboxEmailSchema) }),
    handle: async ({ deps, caller }) => {
      const snaps = await deps.store.query({
        collection: mailPath,
        where: [{ field: "tenantId", op: "==", value: caller.tenantId }],
        orderBy: [{ field: "createdAt", direction: "desc" }],
        limit: listLimit,
      });
      return {
        emails: snaps.map((s) => {
          const { tenantId: _tenant, ...mail } = mailSchema.parse(s.data);
          return { id: s.id, ...mail };
        }),
      };
    },
  }),
  route({
    method: "GET",
    path: "/v1/monitor/inbox",
    summary: "The workspace's in-app alert notifications, newest 100",
    tag,
    permission: "monitor.view",
    response: z.object({ notifications: z.array(inboxEntrySchema) }),
    handle: async ({ deps, caller }) => {
      const snaps = await deps.store.query({
        collection: inboxPath(caller.tenantId),
        orderBy: [{ field: "createdAt", direction: "desc" }],
        limit: listLimit,
      });
      // An entry's id is its notification's (`id` in the body).
      return { notifications: snaps.map((s) => inboxEntrySchema.parse(s.data)) };
    },
  }),
];
