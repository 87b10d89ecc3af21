/**
 * Web chat widgets of a workspace, each talking to one published agent from the sites its admins allow. The
 * publishable key is safe to put in a page: it can only converse with that agent's published version, from
 * the allowed origins, within the widget's rate limits (public.ts). The optional identity-verification secret
 * is another matter: made by the platform, shown once, sealed at rest, never returned again.
 */
import { environmentNameSchema, productionEnvironment } from "../../identity/environments.js";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { requirePublishedOn } from "../../agents/agents.js";
import { recordAudit } from "../../platform/audit.js";
import type { Caller } from "../../platform/caller.js";
import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import { seal, unseal } from "../../platform/secrets.js";
import { ttlCache } from "../../platform/ttl-cache.js";
import {
  defaultTheme,
  themeSchema,
  widgetKeyPath,
  widgetKeySchema,
  widgetPath,
  widgetSchema,
  widgetSecretPath,
  widgetSecretSchema,
  widgetsPath,
  type Widget,
} from "./schema.js";

export const maxAllowedOrigins = 20;

const localHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** A site's origin as browsers send it: https, or plain http on this machine only (for development). */
export const originSchema = z
  .string()
  .trim()
  .max(300)
  .transform((value, ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    const bare =
      url !== undefined && (url.pathname === "/" || url.pathname === "") && !url.search && !url.hash;
    const secure =
      url !== undefined &&
      (url.protocol === "https:" || (url.protocol === "http:" && localHosts.has(url.hostname)));
    if (!url || !bare || !secure || url.username || url.password || value.includes("*")) {
      ctx.addIssue({
        code: "custom",
        message: `"${value}" is not a site origin: https://host[:port] (or http://localhost[:port]), no path or wildcard`,
      });
      return z.NEVER;
    }
    return url.origin;
  });

const originsSchema = z
  .array(originSchema)
  .min(1, "allow at least one origin (the site that embeds the widget)")
  .max(maxAllowedOrigins, `at most ${maxAllowedOrigins} origins`)
  .transform((origins) => [...new Set(origins)]);

export const widgetInput = z.object({
  name: z.string().trim().min(1).max(100).default("Web chat"),
  agentId: z.string().min(1).max(128),
  environment: environmentNameSchema.default(productionEnvironment),
  allowedOrigins: originsSchema,
  theme: themeSchema.partial().default({}),
  identityVerification: z.boolean().default(false),
});

export const widgetPatch = z
  .object({
    name: z.string().trim().min(1).max(100),
    agentId: z.string().min(1).max(128),
    environment: environmentNameSchema,
    allowedOrigins: originsSchema,
    theme: themeSchema.partial(),
    identityVerification: z.boolean(),
    rotateIdentitySecret: z.literal(true),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send at least one field to change");

export type WidgetView = Widget & { readonly id: string };
/** A widget as just made or changed: `identitySecret` only when one was made now (shown once). */
export type WidgetChange = WidgetView & { readonly identitySecret?: string };

const view = (id: string, w: Widget): WidgetView => ({ id, ...w });

const newKey = (): string => `wk_${randomBytes(24).toString("base64url")}`;
const newIdentitySecret = (): string => `wsec_${randomBytes(32).toString("base64url")}`;
const secretContext = (id: string): string => `widget/${id}/identitySecret`;

export async function createWidget(
  deps: Deps,
  caller: Caller,
  input: z.infer<typeof widgetInput>,
): Promise<WidgetChange> {
  const tenantId = caller.tenantId;
  const agent = await requirePublishedOn(deps, tenantId, input.agentId, "widget", input.environment);
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const widget: Widget = {
    name: input.name,
    agentId: input.agentId,
    environment: input.environment,
    key: newKey(),
    allowedOrigins: input.allowedOrigins,
    theme: { ...defaultTheme(agent.name), ...input.theme },
    identityVerification: input.identityVerification,
    createdAt: now,
    updatedAt: now,
    lastActivityAt: null,
    lastError: null,
  };
  const identitySecret = input.identityVerification ? newIdentitySecret() : undefined;
  const batch = deps.store.batch();
  batch.create(widgetPath(tenantId, id), widget);
  batch.create(widgetKeyPath(widget.key), { tenantId, widgetId: id });
  if (identitySecret) {
    batch.create(widgetSecretPath(id), {
      tenantId,
      identitySecret: await seal(deps.config, identitySecret, secretContext(id)),
    });
  }
  await recordAudit(
    deps,
    {
      tenantId,
      actor: caller.uid,
      action: "widget.create",
      target: { type: "widget", id },
      after: { name: widget.name, agentId: widget.agentId, allowedOrigins: widget.allowedOrigins },
    },
    batch,
  );
  await batch.commit();
  return { ...view(id, widget), ...(identitySecret ? { identitySecret } : {}) };
}

export async function listWidgets(deps: Deps, tenantId: string): Promise<WidgetView[]> {
  const snaps = await deps.store.query({ collection: widgetsPath(tenantId) });
  return snaps
    .map((s) => view(s.id, widgetSchema.parse(s.data)))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

export async function getWidget(deps: Deps, tenantId: string, id: string): Promise<WidgetView> {
  const snap = await deps.store.get(widgetPath(tenantId, id));
  if (!snap) throw new AppError("not-found", `Widget ${id} not found`);
  return view(id, widgetSchema.parse(snap.data));
}

export async function updateWidget(
  deps: Deps,
  caller: Caller,
  id: string,
  patch: z.infer<typeof widgetPatch>,
): Promise<WidgetChange> {
  const tenantId = caller.tenantId;
  const before = await getWidget(deps, tenantId, id);
  const agentId = patch.agentId ?? before.agentId;
  const environment = patch.environment ?? before.environment;
  if (agentId !== before.agentId || environment !== before.environment) {
    await requirePublishedOn(deps, tenantId, agentId, "widget", environment);
  }
  if (patch.rotateIdentitySecret && !(patch.identityVerification ?? before.identityVerification)) {
    throw new AppError(
      "failed-precondition",
      "This widget does not verify identities: switch identityVerification on to get a secret",
    );
  }
  const verification = patch.identityVerification ?? before.identityVerification;
  const makeSecret = verification && (patch.rotateIdentitySecret === true || !before.identityVerification);
  const identitySecret = makeSecret ? newIdentitySecret() : undefined;
  const changes: Partial<Widget> = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.agentId !== undefined ? { agentId: patch.agentId } : {}),
    ...(patch.environment !== undefined ? { environment: patch.environment } : {}),
    ...(patch.allowedOrigins !== undefined ? { allowedOrigins: patch.allowedOrigins } : {}),
    ...(patch.theme !== undefined ? { theme: { ...before.theme, ...patch.theme } } : {}),
    identityVerification: verification,
    updatedAt: deps.clock.nowIso(),
  };
  const batch = deps.store.batch();
  batch.update(widgetPath(tenantId, id), changes);
  if (identitySecret) {
    batch.set(widgetSecretPath(id), {
      tenantId,
      identitySecret: await seal(deps.config, identitySecret, secretContext(id)),
    });
  } else if (!verification) batch.delete(widgetSecretPath(id));
  await recordAudit(
    deps,
    {
      tenantId,
      actor: caller.uid,
      action: "widget.update",
      target: { type: "widget", id },
      before: {
        agentId: before.agentId,
        allowedOrigins: before.allowedOrigins,
        identity: before.identityVerification,
      },
      after: {
        agentId: changes.agentId ?? before.agentId,
        allowedOrigins: changes.allowedOrigins ?? before.allowedOrigins,
        identity: verification,
        ...(identitySecret ? { identitySecretRotated: true } : {}),
      },
    },
    batch,
  );
  await batch.commit();
  publicViews.forget(before.key);
  return { ...(await getWidget(deps, tenantId, id)), ...(identitySecret ? { identitySecret } : {}) };
}

export async function deleteWidget(deps: Deps, caller: Caller, id: string): Promise<void> {
  const widget = await getWidget(deps, caller.tenantId, id);
  const batch = deps.store.batch();
  batch.delete(widgetPath(caller.tenantId, id));
  batch.delete(widgetKeyPath(widget.key));
  batch.delete(widgetSecretPath(id));
  await recordAudit(
    deps,
    {
      tenantId: caller.tenantId,
      actor: caller.uid,
      action: "widget.delete",
      target: { type: "widget", id },
      before: { name: widget.name, agentId: widget.agentId },
    },
    batch,
  );
  await batch.commit();
  publicViews.forget(widget.key);
}

/** A widget as its public endpoints see it: found by key alone, with its identity secret opened. */
export type PublicWidget = {
  readonly tenantId: string;
  readonly id: string;
  readonly widget: Widget;
  readonly identitySecret: string | null;
} | null;

/**
 * Every widget request names its key, and a page may make several at once: a key is read (and its secret
 * opened) at most every few seconds per instance. A change made here applies at once on this instance and
 * within `ttl` on the others, so a deleted widget's key stops working everywhere within seconds.
 */
const publicViews = ttlCache<PublicWidget>(5_000);

export function widgetByKey(deps: Deps, key: string): Promise<PublicWidget> {
  return publicViews.get(key, () => loadByKey(deps, key));
}

async function loadByKey(deps: Deps, key: string): Promise<PublicWidget> {
  const ref = await deps.store.get(widgetKeyPath(key));
  if (!ref) return null;
  const { tenantId, widgetId } = widgetKeySchema.parse(ref.data);
  const [snap, secret] = await Promise.all([
    deps.store.get(widgetPath(tenantId, widgetId)),
    deps.store.get(widgetSecretPath(widgetId)),
  ]);
  if (!snap) return null;
  const widget = widgetSchema.parse(snap.data);
  const sealed = secret ? widgetSecretSchema.parse(secret.data).identitySecret : null;
  return {
    tenantId,
    id: widgetId,
    widget,
    identitySecret: sealed ? await unseal(deps.config, sealed, secretContext(widgetId)) : null,
  };
}
