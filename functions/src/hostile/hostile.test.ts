/**
 * `npm run test:hostile`: the built runtime (as `npm start` runs it) as a child process, attacked the way the
 * findings of the hardening work describe, one attack at a time. For each: the process stays up, `/health`
 * answers within 100 ms at the 99th percentile while it runs, and another tenant using the API meanwhile
 * sees no failure. The runtime keeps its default limits: these are the settings a user gets.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startChildRuntime,
  stopChildRuntime,
  type ChildRuntime,
} from "../platform/local/testing/child-runtime.js";
import { underSiege, type Neighbour, type SiegeReport } from "./testing/siege.js";

const ownerKey = "alk_hostile_owner_key_for_tests_0123456789";
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-hostile-"));
let runtime: ChildRuntime;
let neighbour: Neighbour;
let kbId: string;

const owner = { authorization: `Bearer ${ownerKey}` };

async function call(pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${runtime.url}${pathname}`, { ...init, headers: { ...owner, ...init.headers } });
}

function expectUnharmed(report: SiegeReport): void {
  expect(report.alive, `the runtime died during "${report.attack}":\n${runtime.output().slice(-3000)}`).toBe(
    true,
  );
  expect(report.healthFailures, report.attack).toEqual([]);
  expect(report.healthMs.length, report.attack).toBeGreaterThanOrEqual(20);
  expect(report.healthP99, `${report.attack}: /health p99`).toBeLessThan(100);
  expect(report.neighbourFailures, report.attack).toEqual([]);
}

/** Writes raw bytes to the runtime and gives up after `ms`, whatever the server did: attackers do not wait. */
function rawSend(data: string | Buffer, ms = 200): Promise<void> {
  const url = new URL(runtime.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(data));
    socket.on("data", () => undefined);
    socket.on("error", () => resolve());
    socket.on("close", () => resolve());
    setTimeout(() => {
      socket.destroy();
      resolve();
    }, ms);
  });
}

beforeAll(async () => {
  runtime = await startChildRuntime(dataDir, { ALCHEMIST_API_KEY: ownerKey });
  // The neighbour: a stranger who signed up, with a knowledge base of their own.
  const signUp = await fetch(`${runtime.url}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: "neighbour@example.com",
      password: "a neighbour's long passphrase",
      tenantName: "Neighbour Ltd",
    }),
  });
  expect(signUp.status).toBe(201);
  const { token } = (await signUp.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const kb = await fetch(`${runtime.url}/v1/knowledge-bases`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ name: "Facilities" }),
  });
  const neighbourKb = ((await kb.json()) as { id: string }).id;
  await fetch(`${runtime.url}/v1/knowledge-bases/${neighbourKb}/documents`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({
      name: "parking.md",
      text: "Visitor parking is on level -1; ask reception for a pass.",
    }),
  });
  neighbour = { token, kbId: neighbourKb };

  const own = await call("/v1/knowledge-bases", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Target" }),
  });
  kbId = ((await own.json()) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  if (runtime) await stopChildRuntime(runtime);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("the built runtime under hostile input", () => {
  it("survives multipart bodies cut off inside a file part, and answers each with 400", async () => {
    const statuses: number[] = [];
    const report = await underSiege(runtime, neighbour, "truncated multipart", async () => {
      for (let i = 0; i < 20; i++) {
        const res = await call(`/v1/knowledge-bases/${kbId}/documents`, {
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=XX" },
          body: '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello',
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    });
    expectUnharmed(report);
    expect(new Set(statuses)).toEqual(new Set([400]));
  });

  it("survives uploads whose client vanishes mid-file", async () => {
    const head =
      `POST /v1/knowledge-bases/${kbId}/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ownerKey}\r\n` +
      "Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 9000000\r\n\r\n" +
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="half.txt"\r\n\r\n' +
      "some text ".repeat(5000);
    const report = await underSiege(runtime, neighbour, "client gone mid-upload", async () => {
      await Promise.all(Array.from({ length: 20 }, () => rawSend(head, 100)));
    });
    expectUnharmed(report);
  });

  it("does not read 24 MB bodies that four strangers send without credentials", async () => {
    const body = Buffer.alloc(24 * 1024 * 1024, 0x61);
    const statuses: number[] = [];
    const report = await underSiege(runtime, neighbour, "4 x 24 MB unauthenticated bodies", async () => {
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            try {
              const res = await fetch(`${runtime.url}/v1/agents`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body,
              });
              statuses.push(res.status);
              await res.arrayBuffer();
            } catch {
              // The server may close the connection before the client has finished sending: that is the point.
              statuses.push(0);
            }
          }),
        );
      }
    });
    expectUnharmed(report);
    expect(statuses.every((s) => s === 401 || s === 0)).toBe(true);
  });

  it("answers malformed percent escapes with 400", async () => {
    const statuses: number[] = [];
    const report = await underSiege(runtime, neighbour, "malformed percent escapes", async () => {
      for (const p of ["/v1/agents/%", "/v1/agents/%E0%A4%A", "/v1/knowledge-bases/%zz/documents"]) {
        const res = await call(p);
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    });
    expectUnharmed(report);
    expect(statuses).toEqual([400, 400, 400]);
    expect(runtime.output()).not.toContain("URIError");
  });
});
