/**
 * Alert notification channels and their delivery. A scope (a workspace, or the operator's platform scope) has
 * up to 20 channels: signed webhooks, Slack-compatible incoming webhooks, email (a document in the Firebase
 * Trigger Email extension's `mail` collection) and the studio's in-app inbox, which is implicit when a scope
 * has no channel at all. Webhook and Slack deliveries run as `monitor-notify` tasks, so a receiver that is down
 * is retried with backoff; every request goes out through the egress port (public hosts only).
 *
 * A webhook's signing secret and a Slack URL (the URL is Slack's credential) are write-only: sealed with the
 * operator's key (platform/secrets.ts) into a record outside the tenant's tree, shown once, never logged.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import { checkId } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError, toAppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { log } from "../platform/log.js";
import { seal, sealedSchema, unseal } from "../platform/secrets.js";
import { nameSchema, validate } from "../platform/validation.js";
import {
  channelPath,
  channelsPath,
  channelTypes,
  inboxPath,
  mailPath,
  notificationSchema,
  platformScope,
  type Notification,
} from "./schema.js";

/** The most channels one scope may have. */
export const maxChannelsPerScope = 20;
export const maxEmailRecipients = 10;
export const maxUrlChars = 2048;
/** A receiver has this long to answer; a slower one is retried like one that is down. */
export const deliveryTimeoutMs = 10_000;
/** What is read of a receiver's answer (only a few characters of it are kept, for a failed delivery). */
const maxAnswerBytes = 16 * 1024;
/** The queue (the `monitor-notify` onTaskDispatched function) that delivers webhook and Slack notifications. */
export const notifyQueue = "monitor-notify";

// ---------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------

export type ChannelType = (typeof channelTypes)[number];

/** An absolute http(s) URL without credentials; `httpsOnly` for Slack. Where it may go is egress's call. */
function receiverUrl(httpsOnly: boolean) {
  return z
    .string()
    .trim()
    .min(1, "url is required")
    .max(maxUrlChars, `url is at most ${maxUrlChars} characters`)
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: "custom", message: "url must be an absolute http(s) URL" });
        return;
      }
      const allowed = httpsOnly ? ["https:"] : ["https:", "http:"];
      if (!allowed.includes(url.protocol)) {
        ctx.addIssue({
          code: "custom",
          message: httpsOnly ? "url must be an https:// URL" : "url must be an http:// or https:// URL",
        });
      } else if (url.username !== "" || url.password !== "") {
        ctx.addIssue({ code: "custom", message: "url must not contain credentials (user:password@)" });
      } else if (url.hostname === "") {
        ctx.addIssue({ code: "custom", message: "url has no host" });
      }
    });
}

const channelName = nameSchema("name", 100);

const recipients = z
  .array(z.string().trim().max(254).pipe(z.email("must be an email address")))
  .min(1, "name at least one recipient")
  .max(maxEmailRecipients, `at most ${maxEmailRecipients} recipients`)
  .transform((to) => [...new Set(to.map((a) => a.toLowerCase()))]);

/** What a caller sends to create a channel. */
export const channelInputSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("webhook"), name: channelName, url: receiverUrl(false) }).strict(),
  /** A Slack incoming webhook, or any service that takes Slack's `{text}` payload (Mattermost, Rocket.Chat). */
  z.object({ type: z.literal("slack"), name: channelName, url: receiverUrl(true) }).strict(),
  z.object({ type: z.literal("email"), name: channelName, to: recipients }).strict(),
  z.object({ type: z.literal("in-app"), name: channelName }).strict(),
]);
export type ChannelInput = z.input<typeof channelInputSchema>;

export const deliverySchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  /** The receiver's HTTP status; null when none answered (refused, unreachable, timed out). */
  status: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;

/** A channel as stored (`channelPath`); its secret is elsewhere. */
export const channelSchema = z.object({
  type: z.enum(channelTypes),
  name: z.string(),
  /** Webhook: the URL. Slack: its origin only (the whole URL is Slack's credential, sealed). Else null. */
  url: z.string().nullable().default(null),
  /** Email recipients. */
  to: z.array(z.string()).default([]),
  /** A webhook's signing secret exists (it is never shown again). */
  hasSecret: z.boolean().default(false),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastDelivery: deliverySchema.nullable().default(null),
});
export type Channel = z.infer<typeof channelSchema>;
export type ChannelView = Channel & { readonly id: string };

export const channelViewSchema = channelSchema.extend({ id: z.string() });
/** The creation's answer: the one time a webhook's signing secret is shown. */
export const createdChannelSchema = channelViewSchema.extend({ secret: z.string().optional() });

/** The sealed secrets of one channel: outside the tenant's tree, naming the scope it belongs to. */
const channelSecretsSchema = z.object({
  scope: z.string(),
  signingSecret: sealedSchema.optional(),
  url: sealedSchema.optional(),
});
type ChannelSecrets = z.infer<typeof channelSecretsSchema>;

// Kept here until monitor/schema.ts takes it: the one place this record's path is spelled.
const channelSecretsPath = (channelId: string): string =>
  `monitorChannelSecrets/${checkId(channelId, "channel id")}`;

/** A `monitor-notify` task: one notification for one channel. */
export const notifyTaskSchema = z.object({
  scope: z.string().regex(idPattern),
  channelId: z.string().regex(idPattern),
  notification: notificationSchema,
});
export type NotifyTask = z.infer<typeof notifyTaskSchema>;

/** An in-app notification (`inboxPath`), by the notification's id. */
export const inboxEntrySchema = notificationSchema.extend({ createdAt: z.string() });
export type InboxEntry = z.infer<typeof inboxEntrySchema>;

/** An email as the Trigger Email extension reads it, plus what the local outbox and cleanups need. */
export const mailSchema = z.object({
  to: z.array(z.string()),
  message: z.object({ subject: z.string(), text: z.string(), html: z.string() }),
  tenantId: z.string(),
  notificationId: z.string(),
  createdAt: z.string(),
  /** Written by the extension once it tried (Firebase mode); absent in local mode. */
  delivery: z.object({ state: z.string() }).loose().optional(),
});
export type Mail = z.infer<typeof mailSchema>;

const mailDocPath = (id: string): string => `${mailPath}/${checkId(id, "mail id")}`;
const inboxDocPath = (scope: string, id: string): string =>
  `${inboxPath(scope)}/${checkId(id, "notification id")}`;

// ---------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------

const secretContext = (scope: string, channelId: string, field: "signingSecret" | "url"): string =>
  `monitor/${scope}/${channelId}/${field}`;

/** Who changed a channel, for the workspace's audit log (the platform scope has none). */
export interface ChannelActor {
  readonly actor: string;
}

const audit = async (
  deps: Deps,
  scope: string,
  who: ChannelActor | undefined,
  entry: { action: string; id: string; before?: unknown; after?: unknown },
  writer: { create(path: string, data: Record<string, unknown>): unknown },
): Promise<void> => {
  if (scope === platformScope) return;
  await recordAudit(
    deps,
    {
      tenantId: scope,
      actor: who?.actor ?? "system",
      action: entry.action,
      target: { type: "alertChannel", id: entry.id },
      ...(entry.before !== undefined ? { before: entry.before } : {}),
      ...(entry.after !== undefined ? { after: entry.after } : {}),
    },
    writer,
  );
};

/**
 * Creates a channel. A webhook gets a new signing secret, returned here once (`secret`) and never again; a
 * Slack URL is sealed and shown as its origin from then on. Refused beyond {@link maxChannelsPerScope}.
 */
export async function createChannel(
  deps: Deps,
  scope: string,
  input: ChannelInput,
  who?: ChannelActor,
): Promise<ChannelView & { readonly secret?: string }> {
  const valid = validate(channelInputSchema, input, "channel");
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const secret = valid.type === "webhook" ? deps.ids.newSecret(32) : undefined;
  const channel: Channel = {
    type: valid.type,
    name: valid.name,
    url: valid.type === "webhook" ? valid.url : valid.type === "slack" ? new URL(valid.url).origin : null,
    to: valid.type === "email" ? valid.to : [],
    hasSecret: secret !== undefined,
    createdAt: now,
    updatedAt: now,
    lastDelivery: null,
  };
  const sealed: ChannelSecrets | null =
    valid.type === "webhook" && secret !== undefined
      ? { scope, signingSecret: await seal(deps.config, secret, secretContext(scope, id, "signingSecret")) }
      : valid.type === "slack"
        ? { scope, url: await seal(deps.config, valid.url, secretContext(scope, id, "url")) }
        : null;
  await deps.store.runTransaction(async (tx) => {
    const existing = await tx.query({ collection: channelsPath(scope), limit: maxChannelsPerScope });
    if (existing.length >= maxChannelsPerScope) {
      throw new AppError(
        "failed-precondition",
        `This workspace already has ${maxChannelsPerScope} notification channels, the most it may have; delete one first`,
        { limit: maxChannelsPerScope },
      );
    }
    tx.create(channelPath(scope, id), channel);
    if (sealed) tx.create(channelSecretsPath(id), sealed);
    await audit(deps, scope, who, { action: "alertChannel.create", id, after: channel }, tx);
  });
  return { id, ...channel, ...(secret !== undefined ? { secret } : {}) };
}

export async function listChannels(deps: Deps, scope: string): Promise<ChannelView[]> {
  const snaps = await deps.store.query({ collection: channelsPath(scope) });
  return snaps
    .map((s) => ({ id: s.id, ...channelSchema.parse(s.data) }))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
}

export async function getChannel(deps: Deps, scope: string, channelId: string): Promise<ChannelView> {
  const snap = await deps.store.get(channelPath(scope, channelId));
  if (!snap) throw new AppError("not-found", `Notification channel ${channelId} not found`);
  return { id: channelId, ...channelSchema.parse(snap.data) };
}

export async function deleteChannel(
  deps: Deps,
  scope: string,
  channelId: string,
  who?: ChannelActor,
): Promise<ChannelView> {
  const channel = await getChannel(deps, scope, channelId);
  const batch = deps.store.batch();
  batch.delete(channelPath(scope, channelId));
  batch.delete(channelSecretsPath(channelId));
  await audit(
    deps,
    scope,
    who,
    { action: "alertChannel.delete", id: channelId, before: { type: channel.type, name: channel.name } },
    batch,
  );
  await batch.commit();
  return channel;
}

/** A webhook's new signing secret, returned once; the old one stops verifying at once. */
export async function rotateSecret(
  deps: Deps,
  scope: string,
  channelId: string,
  who?: ChannelActor,
): Promise<{ readonly id: string; readonly secret: string }> {
  const channel = await getChannel(deps, scope, channelId);
  if (channel.type !== "webhook") {
    throw new AppError("failed-precondition", `A ${channel.type} channel has no signing secret`);
  }
  const secret = deps.ids.newSecret(32);
  const sealed: ChannelSecrets = {
    scope,
    signingSecret: await seal(deps.config, secret, secretContext(scope, channelId, "signingSecret")),
  };
  const batch = deps.store.batch();
  batch.set(channelSecretsPath(channelId), sealed);
  batch.update(channelPath(scope, channelId), { hasSecret: true, updatedAt: deps.clock.nowIso() });
  await audit(
    deps,
    scope,
    who,
    { action: "alertChannel.rotateSecret", id: channelId, after: { secretRotated: true } },
    batch,
  );
  await batch.commit();
  return { id: channelId, secret };
}

async function openSecrets(
  deps: Deps,
  scope: string,
  channelId: string,
): Promise<{ signingSecret?: string; url?: string }> {
  const snap = await deps.store.get(channelSecretsPath(channelId));
  if (!snap) return {};
  const sealed = channelSecretsSchema.parse(snap.data);
  // A record of another scope's channel of the same id is not this channel's.
  if (sealed.scope !== scope) return {};
  return {
    ...(sealed.signingSecret
      ? {
          signingSecret: await unseal(
            deps.config,
            sealed.signingSecret,
            secretContext(scope, channelId, "signingSecret"),
          ),
        }
      : {}),
    ...(sealed.url
      ? { url: await unseal(deps.config, sealed.url, secretContext(scope, channelId, "url")) }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Notifying
// ---------------------------------------------------------------------------------------------------

export interface NotifyOutcome {
  readonly notificationId: string;
  /** Per channel: queued for delivery, written (email), or already done by an earlier call. */
  readonly deliveries: readonly {
    readonly channelId: string;
    readonly type: ChannelType;
    readonly outcome: "queued" | "written" | "duplicate";
  }[];
  /** The in-app inbox entry; `skipped` when no in-app channel was asked for and others were. */
  readonly inbox: "written" | "duplicate" | "skipped";
}

/** Creates a document unless it exists: what makes a repeated notify write once. */
async function createOnce(deps: Deps, path: string, data: Record<string, unknown>): Promise<boolean> {
  try {
    await deps.store.create(path, data);
    return true;
  } catch (e) {
    if (isAppError(e) && e.code === "already-exists") return false;
    throw e;
  }
}

/**
 * Tells a scope's channels about `notification`: `channelIds` names them (empty: every channel of the scope).
 * Idempotent by the notification's id: a second call with the same id queues and writes nothing new. Ids that
 * name no channel (deleted since a rule named them) are skipped; with none left, the in-app inbox gets it, so
 * an alert never goes nowhere.
 */
export async function notify(
  deps: Deps,
  scope: string,
  notification: Notification,
  channelIds: readonly string[] = [],
): Promise<NotifyOutcome> {
  const n = notificationSchema.parse(notification);
  if (!idPattern.test(n.id) || n.id.length > 100) {
    throw new AppError("invalid-argument", "A notification id is 1-100 letters, digits, '-' or '_'");
  }
  const all = await listChannels(deps, scope);
  const wanted = new Set(channelIds);
  const chosen = wanted.size === 0 ? all : all.filter((c) => wanted.has(c.id));
  const missing = [...wanted].filter((id) => !all.some((c) => c.id === id));
  if (missing.length > 0) log.warn("notify: some channels no longer exist", { scope, missing });

  const deliveries: NotifyOutcome["deliveries"][number][] = [];
  for (const channel of chosen) {
    const key = `${n.id}_${channel.id}`;
    if (channel.type === "webhook" || channel.type === "slack") {
      const task: NotifyTask = { scope, channelId: channel.id, notification: n };
      const { enqueued } = await deps.tasks.enqueue(notifyQueue, task, { id: key });
      deliveries.push({
        channelId: channel.id,
        type: channel.type,
        outcome: enqueued ? "queued" : "duplicate",
      });
    } else if (channel.type === "email") {
      const mail: Mail = {
        to: channel.to,
        message: emailMessage(n),
        tenantId: scope,
        notificationId: n.id,
        createdAt: deps.clock.nowIso(),
      };
      const written = await createOnce(deps, mailDocPath(key), mail);
      deliveries.push({ channelId: channel.id, type: "email", outcome: written ? "written" : "duplicate" });
    }
  }
  const inApp = chosen.filter((c) => c.type === "in-app");
  let inbox: NotifyOutcome["inbox"] = "skipped";
  if (inApp.length > 0 || chosen.length === 0) {
    const entry: InboxEntry = { ...n, createdAt: deps.clock.nowIso() };
    const written = await createOnce(deps, inboxDocPath(scope, n.id), entry);
    inbox = written ? "written" : "duplicate";
    for (const c of inApp) {
      deliveries.push({ channelId: c.id, type: "in-app", outcome: written ? "written" : "duplicate" });
    }
  }
  return { notificationId: n.id, deliveries, inbox };
}

/** A `type: "test"` notification for one channel, with a fresh id (each test is sent). */
export async function sendTestNotification(
  deps: Deps,
  scope: string,
  channelId: string,
): Promise<NotifyOutcome> {
  await getChannel(deps, scope, channelId);
  const studio = deps.config.monitor.studioUrl;
  const notification: Notification = {
    id: `test-${deps.ids.newId()}`,
    scope,
    type: "test",
    incidentId: null,
    ruleId: null,
    ruleName: "Test notification",
    severity: "info",
    metric: "test",
    value: null,
    summary: "A test notification from Alchemist: this channel is set up correctly.",
    at: deps.clock.nowIso(),
    // The studio's Health page, on its notifications tab.
    url: studio ? `${studio}/monitor/notifications` : null,
  };
  return notify(deps, scope, notification, [channelId]);
}

// ---------------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------------

const verb: Record<Notification["type"], string> = {
  fired: "firing",
  renotified: "still firing",
  resolved: "resolved",
  test: "test",
};

const formatValue = (value: number | null): string =>
  value === null ? "n/a" : Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);

/** The one line a person reads first: `[CRITICAL] Error rate high firing: error-rate = 0.23`. */
export function headline(n: Notification): string {
  const metric = n.type === "test" ? "" : `: ${n.metric} = ${formatValue(n.value)}`;
  return `[${n.severity.toUpperCase()}] ${n.ruleName} ${verb[n.type]}${metric}`;
}

/** Slack's mrkdwn treats these three as markup; everything else is shown as sent. */
const slackEscape = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Slack's `{text}`: one readable line (severity, rule, value, summary, link). */
export function slackText(n: Notification): string {
  const summary = n.summary.replace(/\s+/g, " ").trim().slice(0, 500);
  const link = n.url ? ` <${n.url.replace(/[<>|]/g, encodeURIComponent)}|Open in Alchemist>` : "";
  return `${slackEscape(headline(n))}${summary ? ` — ${slackEscape(summary)}` : ""}${link}`;
}

const htmlEscape = (text: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

export function emailMessage(n: Notification): Mail["message"] {
  const subject = `[Alchemist] ${headline(n)}`.replace(/[\r\n]+/g, " ").slice(0, 200);
  const lines = [
    headline(n),
    "",
    n.summary,
    "",
    `Rule: ${n.ruleName}`,
    `Metric: ${n.metric}`,
    `Value: ${formatValue(n.value)}`,
    `At: ${n.at}`,
    ...(n.url ? ["", `Open in Alchemist: ${n.url}`] : []),
  ];
  const safeUrl = n.url && /^https?:\/\//i.test(n.url) ? n.url : null;
  const html = [
    `<p><strong>${htmlEscape(headline(n))}</strong></p>`,
    `<p>${htmlEscape(n.summary)}</p>`,
    "<ul>",
    `<li>Rule: ${htmlEscape(n.ruleName)}</li>`,
    `<li>Metric: ${htmlEscape(n.metric)}</li>`,
    `<li>Value: ${htmlEscape(formatValue(n.value))}</li>`,
    `<li>At: ${htmlEscape(n.at)}</li>`,
    "</ul>",
    ...(safeUrl ? [`<p><a href="${htmlEscape(safeUrl)}">Open in Alchemist</a></p>`] : []),
  ].join("\n");
  return { subject, text: lines.join("\n"), html };
}

// ---------------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------------

const sign = (secret: string, timestamp: number, rawBody: string | Buffer): string =>
  createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");

/** The `x-alchemist-signature` header for a body sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `t=${timestamp},v1=${sign(secret, timestamp, rawBody)}`;
}

/**
 * Checks an `x-alchemist-signature` header (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`)
 * against the exact bytes received: false for a wrong secret, a changed body, or a timestamp more than
 * `toleranceSeconds` away from `nowSeconds` (a replay). Several `v1` values are accepted (any may match).
 */
export function verifySignature(
  secret: string,
  header: string | undefined | null,
  rawBody: string | Buffer,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (typeof header !== "string" || header.length > 1000 || secret === "") return false;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, timestamp, rawBody), "hex");
  let ok = false;
  // Every candidate is compared (no early exit), each in constant time.
  for (const candidate of candidates) {
    if (timingSafeEqual(expected, Buffer.from(candidate, "hex"))) ok = true;
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------------
// Delivering
// ---------------------------------------------------------------------------------------------------

export type DeliveryOutcome = "delivered" | "failed" | "dropped";

/** Statuses worth trying again: the receiver is busy, rate limiting, or broken for now. */
const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

async function recordDelivery(deps: Deps, scope: string, channelId: string, delivery: Delivery) {
  try {
    await deps.store.update(channelPath(scope, channelId), { lastDelivery: delivery });
  } catch (e) {
    // Deleted while its delivery ran: nothing left to record on.
    if (!(isAppError(e) && e.code === "not-found")) throw e;
  }
}

/** A receiver's answer, cut to a few printable characters, for the channel's record. */
function answerExcerpt(body: Uint8Array): string {
  const text = new TextDecoder()
    .decode(body.subarray(0, 400))
    .replace(/[\p{Cc}\s]+/gu, " ")
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Delivers one `monitor-notify` task: POSTs the notification to a webhook (signed) or a Slack-compatible URL.
 * A 2xx answer is delivered; 408, 429, 5xx, a timeout or a network error throw, for the queue to retry with
 * backoff; a refusal by the egress policy or any other answer is recorded and given up (a retry would get the
 * same). A channel deleted since is dropped quietly. Each attempt is recorded on the channel (`lastDelivery`).
 */
export async function deliverNotification(deps: Deps, task: NotifyTask): Promise<DeliveryOutcome> {
  const { scope, channelId, notification } = notifyTaskSchema.parse(task);
  const snap = await deps.store.get(channelPath(scope, channelId));
  if (!snap) {
    log.info("notification dropped: the channel was deleted", { scope, channelId });
    return "dropped";
  }
  const channel = channelSchema.parse(snap.data);
  if (channel.type !== "webhook" && channel.type !== "slack") return "dropped";
  let secrets: { signingSecret?: string; url?: string };
  try {
    secrets = await openSecrets(deps, scope, channelId);
  } catch (e) {
    // Sealed with another operator key, or tampered with: no retry opens it.
    await recordDelivery(deps, scope, channelId, {
      at: deps.clock.nowIso(),
      ok: false,
      status: null,
      error: toAppError(e).message,
    });
    return "failed";
  }

  let request: { url: string; body: string; headers: Record<string, string> };
  if (channel.type === "webhook") {
    if (!channel.url || !secrets.signingSecret) {
      await recordDelivery(deps, scope, channelId, {
        at: deps.clock.nowIso(),
        ok: false,
        status: null,
        error: "The webhook has no URL or signing secret; create it again",
      });
      return "failed";
    }
    const body = JSON.stringify(notification);
    const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
    request = {
      url: channel.url,
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": "Alchemist-Monitor/1",
        "x-alchemist-event": notification.type,
        "x-alchemist-delivery": notification.id,
        "x-alchemist-signature": signatureHeader(secrets.signingSecret, timestamp, body),
      },
    };
  } else {
    if (!secrets.url) {
      await recordDelivery(deps, scope, channelId, {
        at: deps.clock.nowIso(),
        ok: false,
        status: null,
        error: "The Slack channel has no URL; create it again",
      });
      return "failed";
    }
    request = {
      url: secrets.url,
      body: JSON.stringify({ text: slackText(notification) }),
      headers: { "content-type": "application/json", "user-agent": "Alchemist-Monitor/1" },
    };
  }

  const fields = { scope, channelId, type: channel.type, notificationId: notification.id };
  let status: number;
  let answer: Uint8Array;
  try {
    const response = await deps.egress.request({
      method: "POST",
      url: request.url,
      headers: request.headers,
      body: request.body,
      timeoutMs: deliveryTimeoutMs,
      maxBodyBytes: maxAnswerBytes,
    });
    status = response.status;
    answer = response.body;
  } catch (e) {
    const error = toAppError(e);
    const egress = (error.details as { egress?: string } | undefined)?.egress;
    // The policy refused the destination, or the URL cannot be called: the same answer every time.
    const final = error.code === "permission-denied" || egress === "invalid";
    const message = `${final ? "Refused" : "Could not reach the receiver"}: ${error.message}`;
    await recordDelivery(deps, scope, channelId, {
      at: deps.clock.nowIso(),
      ok: false,
      status: null,
      error: message,
    });
    if (final) {
      log.warn("notification not delivered: the destination is refused", {
        ...fields,
        reason: error.message,
      });
      return "failed";
    }
    throw new AppError("unavailable", message);
  }

  if (status >= 200 && status <= 299) {
    await recordDelivery(deps, scope, channelId, { at: deps.clock.nowIso(), ok: true, status, error: null });
    log.info("notification delivered", { ...fields, status });
    return "delivered";
  }
  const excerpt = answerExcerpt(answer);
  const error = `The receiver answered HTTP ${status}${excerpt ? `: ${excerpt}` : ""}`;
  await recordDelivery(deps, scope, channelId, { at: deps.clock.nowIso(), ok: false, status, error });
  if (retryable(status)) throw new AppError("unavailable", error);
  log.warn("notification not delivered: the receiver refused it", { ...fields, status });
  return "failed";
}
