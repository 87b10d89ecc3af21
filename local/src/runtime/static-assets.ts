/**
 * The built studio's hashed assets (`/assets/*`, names that change with their content), as a CDN would
 * serve them: cached for a year (`immutable`), and gzipped for browsers that accept it. The studio's first
 * load is mostly JavaScript; sent gzipped it is about a third of the bytes. Each file is compressed once,
 * on first request, and kept in memory (the studio's assets are a few MB at most).
 */
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { NextFunction, Request, Response } from "express";

const gzipAsync = promisify(gzip);

/** Text types worth compressing; images and fonts are compressed already. */
const compressible: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".map": "application/json",
};

export const immutableCache = "public, max-age=31536000, immutable";

/**
 * Sent with every page and asset of the studio (firebase.json sends the same on Hosting, with the Firebase
 * origins its data source talks to added to `connect-src`). Scripts come from the studio's own origin only;
 * styles may be inline because MUI (Emotion) injects its styles at run time. No page may frame the studio
 * (clickjacking), nothing is sniffed into a script, and no address (an invitation token, say) leaks in a
 * Referer header.
 */
export const studioSecurityHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

export function gzippedAssets(assetsDir: string) {
  const cache = new Map<string, { readonly mtimeMs: number; readonly body: Promise<Buffer> }>();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const type = compressible[path.extname(req.path)];
    if (!type || !/\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) return next();
    const file = path.resolve(assetsDir, `.${path.posix.normalize(`/${req.path}`)}`);
    if (!file.startsWith(assetsDir + path.sep)) return next();
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return next();
    }
    if (!stat.isFile()) return next();
    let entry = cache.get(file);
    if (!entry || entry.mtimeMs !== stat.mtimeMs) {
      entry = { mtimeMs: stat.mtimeMs, body: fs.promises.readFile(file).then((raw) => gzipAsync(raw)) };
      cache.set(file, entry);
    }
    entry.body.then(
      (body) => {
        res.set({
          "content-type": type,
          "content-encoding": "gzip",
          "content-length": String(body.length),
          "cache-control": immutableCache,
          vary: "Accept-Encoding",
        });
        if (req.method === "HEAD") res.end();
        else res.end(body);
      },
      (error: unknown) => {
        cache.delete(file);
        next(error);
      },
    );
  };
}
