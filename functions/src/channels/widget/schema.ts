/**
 * Web chat widget records.
 * - `tenants/{t}/widgets/{id}`: a widget: the agent it talks to, its publishable key, the origins allowed to
 *   use it and its theme. Nothing secret, so the studio may read it.
 * - `widgetKeys/{key}`: the tenant and widget a publishable key belongs to, outside every tenant's tree: the
 *   widget's requests name the key alone.
 * - `widgetSecrets/{id}`: the sealed identity-verification secret (platform/secrets.ts), never returned
 *   after it is made, never readable by a client.
 * - `tenants/{t}/widgetEndUsers/{id}_{endUser}`: the conversation an end user (a hash of a verified user id
 *   or of an anonymous visitor id) is in on a widget.
 */
import { z } from "zod";
import { tenantPath } from "../../platform/caller.js";
import { sealedSchema } from "../../platform/secrets.js";

export const widgetsPath = (tenantId: string): string => `${tenantPath(tenantId)}/widgets`;
export const widgetPath = (tenantId: string, id: string): string => `${widgetsPath(tenantId)}/${id}`;
export const widgetKeyPath = (key: string): string => `widgetKeys/${key}`;
export const widgetSecretPath = (id: string): string => `widgetSecrets/${id}`;
export const endUserPath = (tenantId: string, widgetId: string, endUser: string): string =>
  `${tenantPath(tenantId)}/widgetEndUsers/${widgetId}_${endUser}`;

/** A publishable key: `wk_` and 32 base64url characters (24 random bytes). */
export const widgetKeyPattern = /^wk_[A-Za-z0-9_-]{32}$/;

export const positions = ["bottom-right", "bottom-left"] as const;

export const themeSchema = z.object({
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour is #RRGGBB"),
  title: z.string().trim().min(1, "the title must not be empty").max(60),
  greeting: z.string().trim().max(500),
  suggestedQuestions: z
    .array(z.string().trim().min(1, "a suggested question must not be empty").max(120))
    .max(4, "at most 4 suggested questions"),
  position: z.enum(positions),
});
export type Theme = z.infer<typeof themeSchema>;

export const defaultTheme = (title: string): Theme => ({
  color: "#1f6feb",
  title: title.slice(0, 60),
  greeting: "Hi! Ask me anything about our documentation.",
  suggestedQuestions: [],
  position: "bottom-right",
});

export const widgetSchema = z.object({
  name: z.string(),
  agentId: z.string(),
  /** The environment whose version of the agent answers (identity/environments.ts). */
  environment: z.string().default("production"),
  key: z.string(),
  allowedOrigins: z.array(z.string()),
  theme: themeSchema,
  identityVerification: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastActivityAt: z.string().nullable(),
  lastError: z.object({ at: z.string(), code: z.string(), message: z.string() }).nullable(),
});
export type Widget = z.infer<typeof widgetSchema>;

export const widgetKeySchema = z.object({ tenantId: z.string(), widgetId: z.string() });

export const widgetSecretSchema = z.object({ tenantId: z.string(), identitySecret: sealedSchema });

/** How long a message being answered holds its `clientMessageId` against a replay before a retry may run it. */
export const answeringHoldMs = 5 * 60 * 1000;

export const endUserSchema = z.object({
  conversationId: z.string().nullable().default(null),
  updatedAt: z.string().optional(),
  /**
   * The end user's latest message as the widget named it (`clientMessageId`): a replayed or retried request
   * with the same id gets this answer instead of a second turn.
   */
  lastTurn: z
    .object({
      clientMessageId: z.string(),
      status: z.enum(["answering", "answered"]),
      conversationId: z.string().nullable(),
      messageId: z.string().nullable(),
      at: z.string(),
    })
    .nullable()
    .default(null),
});
