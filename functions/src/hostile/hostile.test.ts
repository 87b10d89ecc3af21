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
} from "@alchemist/local/testing/child-runtime";
import {
  signedWebhook,
  startFakeStripeServer,
  type FakeStripeServer,
  type StripeEventPayload,
} from "../platform/testing/fake-stripe-server.js";
import { expectUnharmed, signUpNeighbour, underSiege, type Neighbour } from "./testing/siege.js";

const ownerKey = "alk_hostile_owner_key_for_tests_0123456789";
const operatorToken = "operator-token-for-the-hostile-suite-0123456789";
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-hostile-"));
let runtime: ChildRuntime;
let neighbour: Neighbour;
let kbId: string;
let stripe: FakeStripeServer;

const owner = { authorization: `Bearer ${ownerKey}` };

async function call(pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${runtime.url}${pathname}`, { ...init, headers: { ...owner, ...init.headers } });
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
  // Stripe is connected (to the local fake of its API), so the webhook verifies and processes for real.
  stripe = await startFakeStripeServer();
  runtime = await startChildRuntime(dataDir, {
    ALCHEMIST_API_KEY: ownerKey,
    MONITOR_OPERATOR_TOKEN: operatorToken,
    ...stripe.env,
  });
  neighbour = await signUpNeighbour(runtime);
  await fetch(`${runtime.url}/v1/knowledge-bases/${neighbour.kbId}/documents`, {
    method: "POST",
    headers: { authorization: `Bearer ${neighbour.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "parking.md",
      text: "Visitor parking is on level -1; ask reception for a pass.",
    }),
  });

  const own = await call("/v1/knowledge-bases", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Target" }),
  });
  kbId = ((await own.json()) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  if (runtime) await stopChildRuntime(runtime);
  await stripe?.close();
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
    expectUnharmed(runtime, report);
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
    expectUnharmed(runtime, report);
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
    expectUnharmed(runtime, report);
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
    expectUnharmed(runtime, report);
    expect(statuses).toEqual([400, 400, 400]);
    expect(runtime.output()).not.toContain("URIError");
  });

  it("refuses HTTP tools aimed inside the network, in every spelling, at save time", async () => {
    const statuses: number[] = [];
    const urls = [
      "http://169.254.169.254/computeMetadata/v1/",
      "http://10.0.0.5/admin",
      "http://127.0.0.1:8787/v1/api-keys",
      "http://localhost/",
      "http://[::1]/",
      "http://0x7f000001/",
      "http://2130706433/",
      "http://[::ffff:7f00:1]/",
    ];
    const report = await underSiege(runtime, neighbour, "tools aimed inside the network", async () => {
      for (const url of urls) {
        const res = await call("/v1/agents", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            name: "Internal fetcher",
            tools: [
              {
                kind: "http",
                name: "fetch_page",
                description: "Fetches a page",
                url,
                method: "GET",
                parameters: { type: "object", properties: {} },
              },
            ],
          }),
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    });
    expectUnharmed(runtime, report);
    expect(statuses).toEqual(urls.map(() => 400));
  });

  it("holds a credential to its share of live listings while it opens fifty", async () => {
    const controllers: AbortController[] = [];
    const statuses: number[] = [];
    const report = await underSiege(runtime, neighbour, "fifty live listings on one key", async () => {
      const opened = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const controller = new AbortController();
          controllers.push(controller);
          const res = await call("/v1/knowledge-bases", {
            headers: { accept: "text/event-stream" },
            signal: controller.signal,
          });
          statuses.push(res.status);
          if (res.status !== 200) await res.arrayBuffer();
          return res;
        }),
      );
      void opened;
    });
    for (const c of controllers) c.abort();
    expectUnharmed(runtime, report);
    expect(statuses.filter((s) => s === 200)).toHaveLength(16);
    expect(statuses.filter((s) => s === 429)).toHaveLength(34);
  });

  it("holds a web chat widget's public endpoints to their limits under a flood from rotating visitors", async () => {
    // A published agent and its widget, whose key anyone can read off the page that embeds it.
    const json = { "content-type": "application/json" };
    const agent = (await (
      await call("/v1/agents", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ name: "Front desk" }),
      })
    ).json()) as { id: string };
    await call(`/v1/agents/${agent.id}/publish`, { method: "POST" });
    const site = "https://shop.example.com";
    const widget = (await (
      await call("/v1/widgets", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ agentId: agent.id, allowedOrigins: [site] }),
      })
    ).json()) as { key: string };
    const statuses: number[] = [];
    const attempt = async (origin: string | undefined, body: string) => {
      try {
        const res = await fetch(`${runtime.url}/widget/v1/${widget.key}/messages`, {
          method: "POST",
          headers: {
            ...json,
            ...(origin ? { origin } : {}),
            "x-widget-visitor": `flood-${Math.random().toString(36).slice(2).padEnd(20, "0")}`,
          },
          body,
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      } catch {
        statuses.push(0); // closed before the whole body was sent: the point of refusing early
      }
    };
    const report = await underSiege(
      runtime,
      neighbour,
      "a widget flooded from rotating visitors",
      async () => {
        for (let round = 0; round < 10; round++) {
          await Promise.all([
            ...Array.from({ length: 10 }, () =>
              attempt(site, JSON.stringify({ content: "Where do I park?" })),
            ),
            attempt("https://evil.example", JSON.stringify({ content: "hi" })),
            attempt(undefined, JSON.stringify({ content: "hi" })),
            attempt(site, JSON.stringify({ content: "x".repeat(2 * 1024 * 1024) })),
            attempt(site, "{not json"),
          ]);
        }
      },
    );
    expectUnharmed(runtime, report);
    expect(statuses).toHaveLength(140);
    // Refused for what it is (403, 400, 413), for being too many (429), or answered (200): nothing else.
    expect(new Set(statuses).size).toBeGreaterThan(1);
    for (const status of statuses) expect([0, 200, 400, 403, 413, 429]).toContain(status);
    // The per-address budget on public POSTs stops the flood long before 100 turns are run.
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(40);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(60);
  });

  it("keeps serving a neighbour while an end user floods an agent that remembers with 8,000-character statements", async () => {
    const json = { "content-type": "application/json" };
    const agent = (await (
      await call("/v1/agents", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ name: "Concierge", longTermMemory: { enabled: true } }),
      })
    ).json()) as { id: string };
    await call(`/v1/agents/${agent.id}/publish`, { method: "POST" });
    // Messages at the length limit built to make the memory patterns work hard: hundreds of statements, clauses
    // that never end, and near-misses that make a regular expression backtrack.
    const messages = [
      Array.from({ length: 400 }, (_, i) => `My name is Name${i}. I live in City${i}.`).join(" "),
      `I live in ${"a ".repeat(3990)}`,
      `My name is ${"A".repeat(7980)}`,
      `I'm ${"Very ".repeat(1590)}`,
      `Please forget ${"that ".repeat(1590)}`,
      Array.from({ length: 500 }, (_, i) => `I'll call you ${i}`).join(", "),
    ].map((m) => m.slice(0, 8000));
    const statuses: number[] = [];
    const send = async (content: string) => {
      const conversation = await call(`/v1/agents/${agent.id}/conversations`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ endUserRef: "flooding-end-user" }),
      });
      if (conversation.status !== 201) {
        statuses.push(conversation.status);
        await conversation.arrayBuffer();
        return;
      }
      const { id } = (await conversation.json()) as { id: string };
      const res = await call(`/v1/conversations/${id}/messages`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ content }),
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    };
    // A runtime that has read such messages before (its code compiled and optimised), as a long-running one
    // under a sustained attack is: the first reading of each pattern costs tens of milliseconds once.
    for (const content of messages) await send(content);
    const report = await underSiege(runtime, neighbour, "an end user flooding a memory", async () => {
      // One at a time: the attack is on memory's reading of a message. Many 8,000-character turns at once cost
      // the runtime's CPU with memory on or off alike (the widget flood above is the concurrency attack).
      for (let round = 0; round < 3; round++) for (const content of messages) await send(content);
    });
    expectUnharmed(runtime, report);
    for (const status of statuses) expect([200, 429]).toContain(status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    // What was learned stays within the limits: at most 10 memories a message, none longer than 500 characters.
    const list = (await (await call("/v1/end-users?q=flooding")).json()) as {
      endUsers: { endUserKey: string }[];
    };
    const page = (await (await call(`/v1/end-users/${list.endUsers[0]?.endUserKey}`)).json()) as {
      memories: { text: string }[];
    };
    expect(page.memories.length).toBeLessThanOrEqual(10 * statuses.filter((s) => s === 200).length);
    for (const m of page.memories) expect(m.text.length).toBeLessThanOrEqual(500);
  });

  it("refuses a flood of forged Stripe webhooks, storing nothing, and applies a genuine one replayed in it once", async () => {
    // A genuine top-up: Checkout through the API, paid at the fake Stripe, its completion event signed for real.
    const started = await call("/v1/billing/checkout", {
      method: "POST",
      headers: { "content-type": "application/json", origin: runtime.url },
      body: JSON.stringify({
        kind: "topup",
        amountMicros: 10_000_000,
        returnUrl: `${runtime.url}/settings/billing`,
      }),
    });
    expect(started.status).toBe(200);
    const { sessionId } = (await started.json()) as { sessionId: string };
    const [completed] = stripe.completeCheckout(sessionId) as [StripeEventPayload];
    const genuine = stripe.signedWebhook(completed);
    const forged = (i: number) => {
      const event = { ...completed, id: `evt_forged_${i}` };
      switch (i % 5) {
        case 0:
          return signedWebhook(event, "whsec_not_the_endpoints_secret"); // someone else's secret
        case 1:
          return { body: JSON.stringify(event), signature: genuine.signature }; // a real signature, another body
        case 2:
          return stripe.signedWebhook(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 }); // replayed late
        case 3:
          return { body: "x".repeat(3 * 1024 * 1024), signature: genuine.signature }; // oversized
        default:
          return { body: "{not json", signature: "t=1,v1=00" };
      }
    };
    const statuses: number[] = [];
    const deliver = async (delivery: { body: string; signature: string }) => {
      try {
        const res = await fetch(`${runtime.url}/webhooks/stripe`, {
          method: "POST",
          headers: { "content-type": "application/json", "stripe-signature": delivery.signature },
          body: delivery.body,
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      } catch {
        statuses.push(0); // refused before the whole body was read
      }
    };
    const report = await underSiege(runtime, neighbour, "forged Stripe webhooks", async () => {
      for (let round = 0; round < 10; round++) {
        await Promise.all([
          ...Array.from({ length: 10 }, (_, i) => deliver(forged(round * 10 + i))),
          deliver(genuine),
        ]);
      }
    });
    expectUnharmed(runtime, report);
    expect(statuses).toHaveLength(110);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10); // the genuine delivery, each time
    for (const status of statuses) expect([0, 200, 400, 413]).toContain(status);
    // The ten replays of the genuine event grant once; no forged event left an entry.
    let topups: { ref: string }[] = [];
    for (let i = 0; i < 100 && topups.length === 0; i++) {
      const overview = (await (await call("/v1/billing/ledger?limit=500")).json()) as {
        entries: { kind: string; ref: string }[];
      };
      topups = overview.entries.filter((e) => e.kind === "topup");
      if (topups.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(topups.map((e) => e.ref)).toEqual([completed.id]);
  });

  it("hides the operator's surface from token guesses, and keeps metric labels to route templates under random paths", async () => {
    const guesses = [
      "",
      "Bearer ",
      `Bearer ${ownerKey}`,
      `Bearer ${operatorToken.slice(0, -1)}`,
      `Bearer ${operatorToken}x`,
      `Basic ${Buffer.from(`operator:${operatorToken}`).toString("base64")}`,
      `bearer ${operatorToken}`,
    ];
    const paths = [
      "/metrics",
      "/health?deep=1",
      "/v1/operator/monitor/overview",
      "/v1/operator/monitor/rules",
    ];
    const statuses: number[] = [];
    const report = await underSiege(
      runtime,
      neighbour,
      "operator token guesses and random paths",
      async () => {
        for (let round = 0; round < 20; round++) {
          // The round's guesses in two groups (at most sixteen requests in flight), then its random paths ten at a time.
          for (const pair of [guesses.slice(0, 4), guesses.slice(4)]) {
            await Promise.all(
              pair.flatMap((authorization) =>
                paths.map(async (p) => {
                  const res = await fetch(`${runtime.url}${p}`, {
                    headers: authorization ? { authorization } : {},
                  });
                  statuses.push(res.status);
                  await res.arrayBuffer();
                }),
              ),
            );
          }
          // Paths nobody routes, each different: they must not become series of their own.
          for (let batch = 0; batch < 25; batch += 10) {
            await Promise.all(
              Array.from({ length: Math.min(10, 25 - batch) }, async (_, j) => {
                const i = batch + j;
                const res = await call(`/v1/no-such-thing/${round}-${i}-${"x".repeat(i * 40)}`);
                await res.arrayBuffer();
              }),
            );
          }
        }
      },
    );
    expectUnharmed(runtime, report);
    expect(statuses).toHaveLength(20 * guesses.length * paths.length);
    expect(new Set(statuses)).toEqual(new Set([404]));

    const metrics = await fetch(`${runtime.url}/metrics`, {
      headers: { authorization: `Bearer ${operatorToken}` },
    });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain("no-such-thing");
    // Bounded: the families of one process, not one line per path it was sent.
    expect(text.split("\n").length).toBeLessThan(3000);
  });

  it("keeps serving a neighbour while its owner writes alert rules at the limits and previews them at once", async () => {
    const rule = (i: number) => ({
      name: `rule ${i} ${"r".repeat(100)}`,
      metric: "abstention-rate",
      condition: { type: "change", factor: 2 },
      windowMinutes: 1440,
      minSamples: 0,
      severity: "warning",
    });
    const created: number[] = [];
    const previews: number[] = [];
    const report = await underSiege(runtime, neighbour, "alert rules at their limits", async () => {
      for (let i = 0; i < 50; i++) {
        const res = await call("/v1/monitor/rules", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(rule(i)),
        });
        created.push(res.status);
        await res.arrayBuffer();
      }
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const res = await call("/v1/monitor/rules/preview", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(rule(i)),
          });
          previews.push(res.status);
          await res.arrayBuffer();
        }),
      );
    });
    expectUnharmed(runtime, report);
    // The six defaults count against the fifty: the 45th own rule is the last one taken.
    expect(created.filter((s) => s === 201)).toHaveLength(44);
    expect(new Set(created.slice(44))).toEqual(new Set([400]));
    expect(new Set(previews)).toEqual(new Set([200]));
  });

  it("keeps serving a neighbour while its owner floods the Sandbox: uploads at and past the limit, malformed files, eval runs at the limit", async () => {
    const post = async (pathname: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await call(pathname, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
    };
    const upload = async (datasetId: string, fileName: string, content: string | Buffer) => {
      const form = new FormData();
      form.append("file", new Blob([content]), fileName);
      const res = await call(`/v1/eval/datasets/${datasetId}/upload`, { method: "POST", body: form });
      const text = await res.text();
      return { status: res.status, body: text };
    };
    const agent = await post("/v1/agents", { name: "Sandbox target", knowledgeBaseIds: [kbId] });
    expect(agent.status).toBe(201);
    const agentId = agent.body.id as string;
    expect((await post(`/v1/agents/${agentId}/publish`, {})).status).toBe(200);
    const newDataset = async (name: string) => (await post("/v1/eval/datasets", { name })).body.id as string;
    // 2,000 items of about 2,400 characters: just under the 5 MiB upload limit and at the item limit.
    const big = await newDataset("At the limits");
    const question = (i: number) => `Question ${i}: ${"what does the policy say about this? ".repeat(65)}`;
    const atLimit = [
      "question,should_abstain",
      ...Array.from({ length: 2000 }, (_, i) => `"${question(i)}",true`),
    ];
    const small = await Promise.all(Array.from({ length: 6 }, (_, i) => newDataset(`Run ${i}`)));
    const smallCsv = [
      "question,should_abstain",
      ...Array.from({ length: 30 }, (_, i) => `What is the code name of project ${i}?,true`),
    ].join("\n");

    const statuses: Record<string, number[]> = {};
    const note = (what: string, status: number) => (statuses[what] ??= []).push(status);
    const runs: string[] = [];
    const report = await underSiege(
      runtime,
      neighbour,
      "the Sandbox flooded by its owner",
      async () => {
        note("at the limit", (await upload(big, "big.csv", atLimit.join("\n"))).status);
        note("past the size limit", (await upload(big, "huge.csv", "x".repeat(6 * 1024 * 1024))).status);
        note("unterminated quote", (await upload(big, "bad.csv", 'question\n"never closed,true\n')).status);
        note(
          "not UTF-8",
          (await upload(big, "latin1.csv", Buffer.from([0x71, 0x0a, 0xe9, 0xff, 0xfe]))).status,
        );
        note("not JSON lines", (await upload(big, "bad.jsonl", "{not json}\n")).status);
        for (const id of small) note("small", (await upload(id, "small.csv", smallCsv)).status);
        // Runs up to the workspace's limit of five at once; the sixth is refused; a replayed start is the same run.
        for (const [i, datasetId] of small.entries()) {
          const started = await post(
            "/v1/eval/runs",
            { datasetId, target: { agentId, version: 1 } },
            { "idempotency-key": `hostile-run-${i}` },
          );
          note("start", started.status);
          if (started.status === 202) runs.push(started.body.id as string);
        }
        const replayed = await post(
          "/v1/eval/runs",
          { datasetId: small[0], target: { agentId, version: 1 } },
          { "idempotency-key": "hostile-run-0" },
        );
        note("replayed start", replayed.status);
        expect(replayed.body.id).toBe(runs[0]);
      },
      // The runs go on in the background meanwhile: the neighbour is measured while they do.
      4000,
    );
    // Stop what is left before the next attack, and check nothing was half-written by the refusals.
    for (const id of runs) await post(`/v1/eval/runs/${id}/cancel`, {});
    expectUnharmed(runtime, report);
    expect(statuses).toEqual({
      "at the limit": [200],
      "past the size limit": [413],
      "unterminated quote": [400],
      "not UTF-8": [400],
      "not JSON lines": [400],
      small: [200, 200, 200, 200, 200, 200],
      start: [202, 202, 202, 202, 202, 429],
      "replayed start": [200],
    });
    const stored = await call(`/v1/eval/datasets/${big}`);
    expect(((await stored.json()) as { itemCount: number }).itemCount).toBe(2000);
  }, 120_000);

  it("keeps serving a neighbour while another tenant uploads a folder of 485 files", async () => {
    const files = Array.from(
      { length: 485 },
      (_, i) =>
        [
          `note-${i}.md`,
          `# Note ${i}\n\nDesk ${i} is on floor ${i % 7}; its lamp is replaced yearly.\n`,
        ] as const,
    );
    const statuses: number[] = [];
    const report = await underSiege(runtime, neighbour, "a 485-file folder upload", async () => {
      for (let i = 0; i < files.length; i += 100) {
        const form = new FormData();
        for (const [name, text] of files.slice(i, i + 100)) form.append("files", new Blob([text]), name);
        const res = await call(`/v1/knowledge-bases/${kbId}/documents`, { method: "POST", body: form });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    });
    expectUnharmed(runtime, report);
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
  });
});
