/**
 * WhatsApp numbers connected to a workspace, each answering with one published agent. The access token, app
 * secret and verify token are write-only: sealed with the operator's key (platform/secrets.ts) into a record
 * outside the tenant's tree, never returned, never logged.
 */
import { environmentNameSchema, productionEnvironment } from "../../identity/environments.js";
import { z } from "zod";
import { requirePublishedOn } from "../../agents/agents.js";
import { loadKnowledgeBase } from "../../knowledge/knowledge-bases.js";
import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import { seal, unseal } from "../../platform/secrets.js";
import { ttlCache } from "../../platform/ttl-cache.js";
import {
  connectionPath,
  connectionSchema,
  connectionsPath,
  secretsPath,
  secretsSchema,
  type Connection,
  type ConnectionSecrets,
} from "./schema.js";

const graphId = z
  .string()
  .trim()
  .regex(/^\d{5,30}$/, "must be the numeric id Meta shows");
const secret = (what: string) => z.string().trim().min(8, `${what} is at least 8 characters`).max(1000);

const label = z.string().trim().min(1).max(100);

/** Who may add documents by sending them to the number, and where they go. */
const documentsSchema = z.object({
  knowledgeBaseId: z.string().min(1).max(128),
  senders: z
    .array(
      z
        .string()
        .trim()
        .regex(/^\d{5,20}$/, "a sender is a WhatsApp number in digits, country code first"),
    )
    .min(1, "name at least one number allowed to add documents")
    .max(50)
    .transform((numbers) => [...new Set(numbers)]),
});

const templateSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[a-z0-9_]{1,512}$/, "a template name is lower-case letters, digits and _"),
  language: z
    .string()
    .trim()
    .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "a language code such as en or en_US"),
});

export const connectionInput = z.object({
  label: label.default("WhatsApp number"),
  phoneNumberId: graphId,
  wabaId: graphId,
  agentId: z.string().min(1).max(128),
  environment: environmentNameSchema.default(productionEnvironment),
  accessToken: secret("accessToken"),
  appSecret: secret("appSecret"),
  verifyToken: secret("verifyToken"),
  template: templateSchema.nullable().default(null),
  documents: documentsSchema.nullable().default(null),
});

/**
 * A change: only the fields sent (no defaults: zod 4's `.partial()` keeps `.default()`s, which would reset a
 * label or template the caller did not mention), the number's ids fixed.
 */
export const connectionPatch = z
  .object({
    label,
    agentId: connectionInput.shape.agentId,
    environment: environmentNameSchema,
    accessToken: connectionInput.shape.accessToken,
    appSecret: connectionInput.shape.appSecret,
    verifyToken: connectionInput.shape.verifyToken,
    template: templateSchema.nullable(),
    documents: documentsSchema.nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send at least one field to change");

export type ConnectionView = Connection & {
  readonly id: string;
  /** The path Meta's webhook must call (GET for the handshake, POST for messages). */
  readonly webhookPath: string;
};

const view = (id: string, c: Connection): ConnectionView => ({
  id,
  ...c,
  webhookPath: `/webhooks/whatsapp/${id}`,
});

const sealFor = (deps: Deps, id: string, field: string, value: string) =>
  seal(deps.config, value, `whatsapp/${id}/${field}`);

export async function openSecrets(
  deps: Deps,
  id: string,
  sealed: ConnectionSecrets,
): Promise<{ accessToken: string; appSecret: string; verifyToken: string }> {
  const [accessToken, appSecret, verifyToken] = await Promise.all(
    (["accessToken", "appSecret", "verifyToken"] as const).map((f) =>
      unseal(deps.config, sealed[f], `whatsapp/${id}/${f}`),
    ),
  );
  return {
    accessToken: accessToken as string,
    appSecret: appSecret as string,
    verifyToken: verifyToken as string,
  };
}

export async function createConnection(
  deps: Deps,
  tenantId: string,
  input: z.infer<typeof connectionInput>,
): Promise<ConnectionView> {
  await requirePublishedOn(deps, tenantId, input.agentId, "whatsapp", input.environment);
  if (input.documents) await loadKnowledgeBase(deps, tenantId, input.documents.knowledgeBaseId);
  const taken = await deps.store.query({
    collection: connectionsPath(tenantId),
    where: [{ field: "phoneNumberId", op: "==", value: input.phoneNumberId }],
    limit: 1,
  });
  if (taken.length > 0) {
    throw new AppError(
      "already-exists",
      `Phone number ${input.phoneNumberId} is already connected (${taken[0]?.id})`,
    );
  }
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const connection: Connection = {
    label: input.label,
    phoneNumberId: input.phoneNumberId,
    wabaId: input.wabaId,
    agentId: input.agentId,
    environment: input.environment,
    template: input.template,
    documents: input.documents,
    createdAt: now,
    updatedAt: now,
    lastActivityAt: null,
    lastError: null,
  };
  const sealed: ConnectionSecrets = {
    tenantId,
    accessToken: await sealFor(deps, id, "accessToken", input.accessToken),
    appSecret: await sealFor(deps, id, "appSecret", input.appSecret),
    verifyToken: await sealFor(deps, id, "verifyToken", input.verifyToken),
  };
  const batch = deps.store.batch();
  batch.create(connectionPath(tenantId, id), connection);
  batch.create(secretsPath(id), sealed);
  await batch.commit();
  return view(id, connection);
}

export async function listConnections(deps: Deps, tenantId: string): Promise<ConnectionView[]> {
  const snaps = await deps.store.query({ collection: connectionsPath(tenantId) });
  return snaps
    .map((s) => view(s.id, connectionSchema.parse(s.data)))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
}

export async function getConnection(deps: Deps, tenantId: string, id: string): Promise<ConnectionView> {
  const snap = await deps.store.get(connectionPath(tenantId, id));
  if (!snap) throw new AppError("not-found", `WhatsApp connection ${id} not found`);
  return view(id, connectionSchema.parse(snap.data));
}

export async function updateConnection(
  deps: Deps,
  tenantId: string,
  id: string,
  patch: z.infer<typeof connectionPatch>,
): Promise<ConnectionView> {
  const before = await getConnection(deps, tenantId, id);
  if (patch.agentId !== undefined || patch.environment !== undefined) {
    await requirePublishedOn(
      deps,
      tenantId,
      patch.agentId ?? before.agentId,
      "whatsapp",
      patch.environment ?? before.environment,
    );
  }
  if (patch.documents) await loadKnowledgeBase(deps, tenantId, patch.documents.knowledgeBaseId);
  const secrets: Partial<Record<"accessToken" | "appSecret" | "verifyToken", unknown>> = {};
  for (const field of ["accessToken", "appSecret", "verifyToken"] as const) {
    const value = patch[field];
    if (value !== undefined) secrets[field] = await sealFor(deps, id, field, value);
  }
  const batch = deps.store.batch();
  batch.update(connectionPath(tenantId, id), {
    ...(patch.label !== undefined ? { label: patch.label } : {}),
    ...(patch.agentId !== undefined ? { agentId: patch.agentId } : {}),
    ...(patch.environment !== undefined ? { environment: patch.environment } : {}),
    ...(patch.template !== undefined ? { template: patch.template } : {}),
    ...(patch.documents !== undefined ? { documents: patch.documents } : {}),
    updatedAt: deps.clock.nowIso(),
  });
  if (Object.keys(secrets).length > 0) batch.update(secretsPath(id), secrets);
  await batch.commit();
  forget(id);
  return getConnection(deps, tenantId, id);
}

export async function deleteConnection(deps: Deps, tenantId: string, id: string): Promise<void> {
  await getConnection(deps, tenantId, id);
  const batch = deps.store.batch();
  batch.delete(connectionPath(tenantId, id));
  batch.delete(secretsPath(id));
  await batch.commit();
  forget(id);
}

type WebhookView = {
  tenantId: string;
  connection: Connection;
  secrets: Awaited<ReturnType<typeof openSecrets>>;
} | null;

/**
 * Webhook deliveries come in bursts: a connection is read and its secrets opened at most every few seconds
 * per instance. A change made here (a new agent, rotated secrets, a disconnect) applies at once on this
 * instance and within a few seconds on the others.
 */
const webhookViews = ttlCache<WebhookView>(5_000);
const forget = (id: string): void => webhookViews.forget(id);

/** A connection by id alone (the webhook's view): its tenant, settings and opened secrets, or null. */
export function connectionForWebhook(deps: Deps, id: string): Promise<WebhookView> {
  return webhookViews.get(id, () => loadForWebhook(deps, id));
}

async function loadForWebhook(deps: Deps, id: string): Promise<WebhookView> {
  const sealed = await deps.store.get(secretsPath(id));
  if (!sealed) return null;
  const parsed = secretsSchema.parse(sealed.data);
  const snap = await deps.store.get(connectionPath(parsed.tenantId, id));
  if (!snap) return null;
  return {
    tenantId: parsed.tenantId,
    connection: connectionSchema.parse(snap.data),
    secrets: await openSecrets(deps, id, parsed),
  };
}
