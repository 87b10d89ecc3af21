/** WhatsApp Business routes: connecting numbers (admins), and the webhook Meta calls for each. */
import { z } from "zod";
import { idPattern } from "../../platform/ids.js";
import { route, type Route } from "../../platform/http/router.js";
import {
  connectionInput,
  connectionPatch,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
} from "./connections.js";
import { receive, verify } from "./webhook.js";

const tag = "WhatsApp";
const connectionParams = z.object({ connectionId: z.string().regex(idPattern, "must be a connection id") });

export const whatsappRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/whatsapp/connections",
    summary: "List the connected WhatsApp numbers (secrets are never returned)",
    tag,
    permission: "channels.manage",
    handle: async ({ deps, caller }) => ({ connections: await listConnections(deps, caller.tenantId) }),
  }),
  route({
    method: "POST",
    path: "/v1/whatsapp/connections",
    summary:
      "Connect a WhatsApp Business number to a published agent: phone number id, WABA id, access token, app " +
      "secret and verify token (write-only, sealed), and an optional template for replies outside the 24-hour window",
    tag,
    permission: "channels.manage",
    body: { kind: "json", schema: connectionInput },
    status: 201,
    handle: ({ deps, caller, body }) => createConnection(deps, caller.tenantId, body),
  }),
  route({
    method: "GET",
    path: "/v1/whatsapp/connections/{connectionId}",
    summary: "Get one WhatsApp connection: its number, agent, webhook path, last activity and last error",
    tag,
    permission: "channels.manage",
    params: connectionParams,
    handle: ({ deps, caller, params }) => getConnection(deps, caller.tenantId, params.connectionId),
  }),
  route({
    method: "PATCH",
    path: "/v1/whatsapp/connections/{connectionId}",
    summary: "Change a WhatsApp connection's agent, label or template, or rotate its secrets",
    tag,
    permission: "channels.manage",
    params: connectionParams,
    body: { kind: "json", schema: connectionPatch },
    handle: ({ deps, caller, params, body }) =>
      updateConnection(deps, caller.tenantId, params.connectionId, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/whatsapp/connections/{connectionId}",
    summary: "Disconnect a WhatsApp number (its secrets are deleted; conversations stay)",
    tag,
    permission: "channels.manage",
    params: connectionParams,
    status: 204,
    handle: async ({ deps, caller, params }) => {
      await deleteConnection(deps, caller.tenantId, params.connectionId);
      return undefined;
    },
  }),
  route({
    method: "GET",
    path: "/webhooks/whatsapp/{connectionId}",
    summary: "WhatsApp webhook verification (hub.mode, hub.verify_token, hub.challenge)",
    tag,
    permission: null,
    params: connectionParams,
    raw: true,
    handle: async ({ deps, params, request }) => ({
      status: 200,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: Buffer.from(await verify(deps, params.connectionId, request.query), "utf8"),
    }),
  }),
  route({
    method: "POST",
    path: "/webhooks/whatsapp/{connectionId}",
    summary:
      "WhatsApp webhook: messages and statuses, signed with X-Hub-Signature-256 (checked over the raw body " +
      "before parsing); each message is recorded once and answered in the background",
    tag,
    permission: null,
    params: connectionParams,
    body: { kind: "raw" },
    ipLimited: false,
    handle: async ({ deps, params, body, request }) => ({
      received: await receive(
        deps,
        params.connectionId,
        body as unknown as Buffer,
        request.headers["x-hub-signature-256"],
      ),
    }),
  }),
];
