/**
 * A fake Graph API for the WhatsApp suites (nothing talks to Meta): records every send and mark-read, answers
 * with message ids (or with the scripted failures first), serves media as Meta does: described at
 * /{version}/{id}, downloaded from /media/{id}, both only with the number's access token; and describes a
 * number (/{version}/{phoneNumberId}?fields=id,display_phone_number, the token check) when the token is right
 * and no failure is scripted for it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface GraphCall {
  readonly path: string;
  readonly auth: string | undefined;
  /** Answered with a scripted failure. */
  readonly failed: boolean;
  readonly body: {
    type?: string;
    status?: string;
    to?: string;
    text?: { body: string };
    template?: { name: string };
  };
}

/** An answer Meta gives instead of the number: its HTTP status and error envelope. */
export interface TokenFailure {
  readonly status: number;
  readonly error: { message: string; type: string; code: number };
}

/** What Meta answers once a number's access token has expired. */
export const expiredToken: TokenFailure = {
  status: 401,
  error: { message: "Error validating access token: Session has expired", type: "OAuthException", code: 190 },
};

/** A fake Graph API: records every call; answers with message ids, or with the scripted failures first. */
export function startFakeGraph(accessToken: () => string) {
  const calls: GraphCall[] = [];
  const failures: { status: number; code: number }[] = [];
  /** Token checks (reads of a number) received, with the token they carried. */
  const tokenChecks: { phoneNumberId: string; auth: string | undefined }[] = [];
  /** Answered instead of the number, by phone number id, until removed (an expired token stays expired). */
  const tokenFailures = new Map<string, TokenFailure>();
  /** Numbers as WhatsApp shows them, by phone number id (others are shown as + and their id). */
  const displayNumbers = new Map<string, string>();
  /** Media Meta holds for incoming messages: described at /{version}/{id}, downloaded from /media/{id}. */
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  let next = 0;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const asked = new URL(req.url ?? "/", "http://graph.invalid");
      if (req.method === "GET" && asked.searchParams.get("fields")?.includes("display_phone_number")) {
        const phoneNumberId = /^\/v[\d.]+\/([^/]+)$/.exec(asked.pathname)?.[1] ?? "";
        tokenChecks.push({ phoneNumberId, auth: req.headers.authorization });
        const failure =
          tokenFailures.get(phoneNumberId) ??
          (req.headers.authorization === `Bearer ${accessToken()}`
            ? undefined
            : {
                status: 401,
                error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190 },
              });
        res.setHeader("content-type", "application/json");
        res.statusCode = failure?.status ?? 200;
        res.end(
          JSON.stringify(
            failure
              ? { error: failure.error }
              : {
                  id: phoneNumberId,
                  display_phone_number: displayNumbers.get(phoneNumberId) ?? `+${phoneNumberId}`,
                },
          ),
        );
        return;
      }
      if (req.method === "GET") {
        const download = /^\/media\/(.+)$/.exec(req.url ?? "");
        const described = /^\/v[\d.]+\/([^/]+)$/.exec(req.url ?? "");
        const item = media.get(download?.[1] ?? described?.[1] ?? "");
        if (!item || req.headers.authorization !== `Bearer ${accessToken()}`) {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: { code: 100, message: "Unknown media" } }));
        } else if (download) {
          res.setHeader("content-type", item.mimeType);
          res.end(item.bytes);
        } else {
          const host = `http://${req.headers.host ?? ""}`;
          res.setHeader("content-type", "application/json");
          res.end(
            JSON.stringify({
              url: `${host}/media/${described?.[1] ?? ""}`,
              mime_type: item.mimeType,
              // Media whose id says so comes without its size: the download itself must stop at the limit.
              ...(described?.[1]?.startsWith("undeclared") ? {} : { file_size: item.bytes.length }),
            }),
          );
        }
        return;
      }
      const body = JSON.parse(raw || "{}") as GraphCall["body"];
      const failure = body.status === "read" ? undefined : failures.shift();
      calls.push({
        path: req.url ?? "",
        auth: req.headers.authorization,
        body,
        failed: failure !== undefined,
      });
      res.setHeader("content-type", "application/json");
      if (failure) {
        res.statusCode = failure.status;
        res.end(JSON.stringify({ error: { code: failure.code, message: `scripted ${failure.code}` } }));
        return;
      }
      res.end(
        JSON.stringify(
          body.status === "read" ? { success: true } : { messages: [{ id: `wamid.OUT${++next}` }] },
        ),
      );
    });
  });
  return {
    calls,
    failures,
    media,
    tokenChecks,
    tokenFailures,
    displayNumbers,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
