/**
 * A fake Graph API for the WhatsApp suites (nothing talks to Meta): records every send and mark-read, answers
 * with message ids (or with the scripted failures first), and serves media as Meta does: described at
 * /{version}/{id}, downloaded from /media/{id}, both only with the number's access token.
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

/** A fake Graph API: records every call; answers with message ids, or with the scripted failures first. */
export function startFakeGraph(accessToken: () => string) {
  const calls: GraphCall[] = [];
  const failures: { status: number; code: number }[] = [];
  /** Media Meta holds for incoming messages: described at /{version}/{id}, downloaded from /media/{id}. */
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  let next = 0;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
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
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
