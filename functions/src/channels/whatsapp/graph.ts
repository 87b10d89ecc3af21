/**
 * The WhatsApp Cloud API (Meta's Graph API) as this channel uses it: send a text or a template, mark a message
 * read (with a typing indicator), check that a number's access token still works (the monitor's check). The
 * base URL and version are the operator's (`WHATSAPP_GRAPH_URL`, `WHATSAPP_GRAPH_VERSION`), never a tenant's,
 * so requests go straight out, not through the tools' egress guard. 429 and 5xx are retried with backoff
 * (honouring `Retry-After`); Meta's error code and message are kept, so a caller can tell "outside the 24-hour
 * window" (131047) from anything else.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { Config } from "../../platform/config.js";

export class GraphError extends Error {
  override readonly name = "GraphError";
  constructor(
    readonly status: number,
    /** Meta's error code (e.g. 131047: re-engagement needed, the 24-hour window has closed). */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface WhatsAppGraph {
  /** Sends a text message; the message id Meta gives it (`wamid…`). */
  sendText(to: string, text: string): Promise<string>;
  sendTemplate(to: string, template: { name: string; language: string }): Promise<string>;
  /** Sends a text (at most 1,024 characters) with up to three reply buttons; a tap comes back with the id. */
  sendButtons(to: string, text: string, buttons: readonly { id: string; title: string }[]): Promise<string>;
  /** Marks an incoming message read and shows typing while the answer is made. */
  markRead(messageId: string): Promise<void>;
  /**
   * Downloads a message's media (a document, a voice note): its bytes and type. More than `maxBytes` is refused
   * (`media-too-large`) without reading the rest.
   */
  downloadMedia(mediaId: string, maxBytes: number): Promise<{ bytes: Uint8Array; mimeType: string }>;
  /**
   * Reads the number itself once (no retry, 10 s at most): resolves with the number as WhatsApp shows it when
   * the token is accepted, throws a `GraphError` with Meta's code otherwise (a 401 or code 190: the token is
   * invalid or has expired, and the message says so).
   */
  checkToken(): Promise<{ displayPhoneNumber: string | null }>;
}

const attempts = 3;
const timeoutMs = 15_000;
/** The token check runs every minute for many numbers: a slow answer counts as a failure, not a wait. */
const checkTimeoutMs = 10_000;

export function whatsappGraph(config: Config, phoneNumberId: string, accessToken: string): WhatsAppGraph {
  const url = `${config.whatsapp.graphUrl}/${config.whatsapp.graphVersion}/${encodeURIComponent(phoneNumberId)}/messages`;
  const post = async (body: Record<string, unknown>): Promise<{ messages?: { id?: string }[] }> => {
    let last: GraphError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
          body: JSON.stringify({ messaging_product: "whatsapp", ...body }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        last = new GraphError(0, "network", `The Graph API did not answer: ${(e as Error).message}`);
        await sleep(250 * attempt);
        continue;
      }
      const { json, error } = await readAnswer(response);
      if (!error) return (json ?? {}) as { messages?: { id?: string }[] };
      last = error;
      if (response.status !== 429 && response.status < 500) throw last;
      const retryAfter = Number(response.headers.get("retry-after"));
      await sleep(
        Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 10) * 1000 : 250 * attempt,
      );
    }
    throw last ?? new GraphError(0, "network", "The Graph API did not answer");
  };
  const sentId = (answer: { messages?: { id?: string }[] }): string => {
    const id = answer.messages?.[0]?.id;
    if (!id) throw new GraphError(200, "no-message-id", "The Graph API accepted the message without an id");
    return id;
  };
  return {
    async sendText(to, text) {
      return sentId(await post({ recipient_type: "individual", to, type: "text", text: { body: text } }));
    },
    async sendButtons(to, text, buttons) {
      return sentId(
        await post({
          recipient_type: "individual",
          to,
          type: "interactive",
          interactive: {
            type: "button",
            body: { text },
            action: {
              buttons: buttons.map((b) => ({ type: "reply", reply: { id: b.id, title: b.title } })),
            },
          },
        }),
      );
    },
    async sendTemplate(to, template) {
      return sentId(
        await post({
          to,
          type: "template",
          template: { name: template.name, language: { code: template.language } },
        }),
      );
    },
    async markRead(messageId) {
      await post({ status: "read", message_id: messageId, typing_indicator: { type: "text" } });
    },
    async downloadMedia(mediaId, maxBytes) {
      const base = `${config.whatsapp.graphUrl}/${config.whatsapp.graphVersion}`;
      const meta = await getJson(`${base}/${encodeURIComponent(mediaId)}`, accessToken);
      const parsed = mediaSchema.safeParse(meta);
      if (!parsed.success)
        throw new GraphError(200, "bad-media", "The Graph API described the media without a URL");
      if (parsed.data.file_size !== undefined && parsed.data.file_size > maxBytes) {
        throw new GraphError(
          413,
          "media-too-large",
          `The file is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB`,
        );
      }
      // Meta's media URLs are https (lookaside.fbsbx.com); only the operator's own Graph URL may be plain http.
      const url = new URL(parsed.data.url);
      if (url.protocol !== "https:" && url.origin !== new URL(config.whatsapp.graphUrl).origin) {
        throw new GraphError(200, "bad-media", "The Graph API gave a media URL that is not https");
      }
      return { bytes: await getBytes(url, accessToken, maxBytes), mimeType: parsed.data.mime_type };
    },
    async checkToken() {
      const base = `${config.whatsapp.graphUrl}/${config.whatsapp.graphVersion}`;
      try {
        const answer = await getJson(
          `${base}/${encodeURIComponent(phoneNumberId)}?fields=id,display_phone_number`,
          accessToken,
          checkTimeoutMs,
        );
        const parsed = phoneSchema.safeParse(answer);
        return { displayPhoneNumber: parsed.success ? (parsed.data.display_phone_number ?? null) : null };
      } catch (e) {
        if (!(e instanceof GraphError)) throw e;
        // Meta's "Malformed access token …" quotes the token: it never leaves here.
        const message = e.message.split(accessToken).join("[token]");
        if (e.status === 401 || e.code === "190") {
          throw new GraphError(e.status, e.code, `The access token is invalid or has expired: ${message}`);
        }
        throw new GraphError(e.status, e.code, message);
      }
    },
  };
}

const phoneSchema = z.object({ display_phone_number: z.string().max(50).optional() });

const mediaSchema = z.object({
  url: z.string().url(),
  mime_type: z.string().max(200),
  file_size: z.number().optional(),
});

async function getJson(url: string, accessToken: string, timeout = timeoutMs): Promise<unknown> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(timeout),
  }).catch((e: unknown) => {
    throw new GraphError(0, "network", `The Graph API did not answer: ${(e as Error).message}`);
  });
  const { json, error } = await readAnswer(response);
  if (error) throw error;
  return json;
}

/** A Graph API answer: its JSON (null when it is not JSON), and Meta's error when it is not a success. */
async function readAnswer(response: Response): Promise<{ json: unknown; error: GraphError | null }> {
  let json: unknown = null;
  try {
    json = JSON.parse(await response.text());
  } catch {
    // an error page: described by its status below
  }
  if (response.ok) return { json, error: null };
  const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    json,
    error: new GraphError(
      response.status,
      error?.code !== undefined ? String(error.code) : `http-${response.status}`,
      typeof error?.message === "string" ? error.message : `The Graph API answered ${response.status}`,
    ),
  };
}

/** The body of `url`, read up to `maxBytes`: a larger one is refused as soon as it passes the limit. */
async function getBytes(url: URL, accessToken: string, maxBytes: number): Promise<Uint8Array> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(60_000),
  }).catch((e: unknown) => {
    throw new GraphError(0, "network", `The media download failed: ${(e as Error).message}`);
  });
  if (!response.ok || !response.body) {
    throw new GraphError(
      response.status,
      `http-${response.status}`,
      `The media download answered ${response.status}`,
    );
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw new GraphError(
        413,
        "media-too-large",
        `The file is larger than ${Math.floor(maxBytes / 1024 / 1024)} MB`,
      );
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
