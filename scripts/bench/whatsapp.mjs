// Bench phase: the WhatsApp webhook as Meta calls it. Starts the compiled local runtime (as `npm start`) with
// WHATSAPP_GRAPH_URL pointing at a stand-in Graph API served here, connects a number to the demo agent, then
// posts signed deliveries (one text message each, a few at a time, as Meta's retries and bursts do) and
// measures the time from request to the webhook's 200: the webhook records and queues, the answer comes
// later. Also counts the replies the stand-in received once the runtime is idle. Prints one JSON line;
// asserts nothing.
import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { textDelivery } from "../whatsapp-simulator.mjs";
import { percentile, startRuntime, stopRuntime } from "./common.mjs";

const [dataDir, deliveriesArg, concurrencyArg] = process.argv.slice(2);
const deliveries = Number(deliveriesArg ?? 300);
const concurrency = Number(concurrencyArg ?? 4);
const apiKey = `bench-${randomBytes(16).toString("hex")}`;
const appSecret = randomBytes(24).toString("hex");
const phoneNumberId = "1098765432";

let replies = 0;
const graph = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const body = JSON.parse(raw || "{}");
    if (body.type === "text") replies++;
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify(
        body.status === "read" ? { success: true } : { messages: [{ id: `wamid.B${replies}` }] },
      ),
    );
  });
});
await new Promise((resolve) => graph.listen(0, "127.0.0.1", resolve));
const graphUrl = `http://127.0.0.1:${graph.address().port}`;

const { child, url } = await startRuntime(path.join(dataDir, "whatsapp-runtime"), {
  ALCHEMIST_API_KEY: apiKey,
  WHATSAPP_GRAPH_URL: graphUrl,
  RATE_LIMIT_PER_KEY: "0",
  RATE_LIMIT_PER_TENANT: "0",
});

async function must(method, pathname, json) {
  const response = await fetch(`${url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const body = await response.json();
  if (response.status >= 300)
    throw new Error(`${method} ${pathname}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

try {
  const { agents } = await must("GET", "/v1/agents");
  const agent = agents.find((a) => a.publishedVersion !== null);
  const connection = await must("POST", "/v1/whatsapp/connections", {
    phoneNumberId,
    wabaId: "2233445566",
    agentId: agent.id,
    accessToken: "bench-access-token",
    appSecret,
    verifyToken: "bench-verify-token",
  });
  const webhook = `${url}${connection.webhookPath}`;
  const questions = ["How many vacation days do I get?", "Can I work from home?", "How do I claim expenses?"];
  /** One signed delivery of message `i`; the time to its 200 and its status. */
  async function deliver(i) {
    const body = textDelivery({
      phoneNumberId,
      from: String(31600000000 + (i % 50)),
      text: questions[i % questions.length],
      id: `wamid.BENCH${i}`,
    });
    const started = performance.now();
    const response = await fetch(webhook, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`,
      },
      body,
    });
    await response.text();
    return { ms: performance.now() - started, status: response.status };
  }
  // A running number's first answer builds its knowledge base's search indexes; measure a warm one.
  await deliver(deliveries);
  while (replies < 1) await sleep(50);
  replies = 0;
  const latencies = [];
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < deliveries) {
        const { ms, status } = await deliver(next++);
        latencies.push(ms);
        if (status !== 200) failures++;
      }
    }),
  );
  // The answers come in the background: wait until every message has its reply (or a minute passes).
  const deadline = Date.now() + 60_000;
  while (replies < deliveries - failures && Date.now() < deadline) await sleep(100);
  const sorted = latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      deliveries,
      concurrency,
      failures,
      replies,
      ackMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) },
    }),
  );
} finally {
  await stopRuntime(child);
  graph.close();
}
