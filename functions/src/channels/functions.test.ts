/**
 * The `api` function as Cloud Functions runs it: an Express request whose body is already read. Whatever
 * escapes the router (here: the platform cannot even load its settings) is answered 500 with the request
 * id, and the function resolves normally, so the instance keeps serving its other requests.
 */
import type { Server } from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps } from "../platform/process-deps.js";
import { setLogSink } from "../platform/log.js";
import { api } from "./functions.js";

let server: Server;
let url: string;
const lines: string[] = [];
let restoreSink: ReturnType<typeof setLogSink>;
const saved = { mode: process.env.ALCHEMIST_MODE, port: process.env.PORT };

beforeAll(async () => {
  restoreSink = setLogSink((line) => lines.push(line));
  setDeps(undefined);
  // A setting that cannot load: every request fails before the router is reached.
  process.env.ALCHEMIST_MODE = "nonsense";
  const app = express();
  app.use(express.raw({ type: () => true }), (req, _res, next) => {
    (req as express.Request & { rawBody?: Buffer }).rawBody = req.body as Buffer;
    next();
  });
  // As the Functions Framework hands it over: `rawBody` set above.
  app.all("/{*path}", (req, res) => void api(req as Parameters<typeof api>[0], res));
  server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  setLogSink(restoreSink);
  for (const [key, value] of [
    ["ALCHEMIST_MODE", saved.mode],
    ["PORT", saved.port],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe("the api function's guard", () => {
  it("answers a failure outside the router with a 500 naming the request, and keeps answering", async () => {
    for (const id of ["req-guard-1", "req-guard-2"]) {
      const res = await fetch(`${url}/v1/agents`, { headers: { "x-request-id": id } });
      expect(res.status).toBe(500);
      expect(res.headers.get("x-request-id")).toBe(id);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(id);
    }
    expect(
      lines.some((l) => l.includes("request failed outside the router") && l.includes("req-guard-2")),
    ).toBe(true);
  });
});
