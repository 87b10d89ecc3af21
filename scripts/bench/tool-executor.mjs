#!/usr/bin/env node
// Bench phase: Tool Forge's executor, the platform's own time per HTTP tool call with the remote call left out.
// A local HTTP server answers at once with a bank's transactions (about 2 KB of JSON); the same calls are made
//   - plainly: node:http, a fresh connection each (as the egress adapter opens one per request), the body read;
//   - as a tool: `callTool` (functions/lib/tools/executor.js) with a read tool placing a path and two query
//     arguments and selecting `/data` of the answer, through the real egress guard (node-egress.js, loopback
//     allowed as in local development), no credential.
// Calls alternate one plain, one tool, so both see the same machine. Overhead at each percentile is the tool's
// latency minus the plain call's; beside it, the executor's own time measured inside each call (its time
// outside `egress.request`), and what the guard adds around the same HTTP exchange. The goal: ≤ 2 ms p50.
// Needs the compiled functions (`npm run build -w functions`). Prints readable lines then one JSON line;
// asserts nothing.
//
//   node scripts/bench/tool-executor.mjs [dataDir] [calls]
import http from "node:http";
import os from "node:os";
import { lib, percentile } from "./common.mjs";

const calls = Number(process.argv[3] ?? process.env.BENCH_TOOL_CALLS ?? 3000);
const warmup = 300;
const goalP50Ms = 2;

const { callTool } = await import(lib("tools/executor.js"));
const { toolDefinitionSchema } = await import(lib("tools/schema.js"));
const { nodeEgress } = await import(lib("platform/egress/node-egress.js"));
const { checkArguments } = await import(lib("platform/json-schema.js"));

const answer = Buffer.from(
  JSON.stringify({
    data: Array.from({ length: 12 }, (_, i) => ({
      id: `tx-${1000 + i}`,
      bookedAt: `2026-11-${String(10 + i).padStart(2, "0")}T09:30:00Z`,
      amount: { value: (-42.5 - i * 3.25).toFixed(2), currency: "EUR" },
      counterparty: "Northwind Grocers",
      status: "booked",
    })),
    links: { next: "/accounts/NW-0042/transactions?cursor=c2" },
  }),
);
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { "content-type": "application/json", "content-length": answer.length });
  res.end(answer);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}/v1`;

const tool = toolDefinitionSchema.parse({
  name: "list_transactions",
  description: "An account's booked transactions, newest first",
  parameters: {
    type: "object",
    properties: {
      accountId: { type: "string", pattern: "^[A-Z]{2}-[0-9]{4}$" },
      status: { type: "string", enum: ["booked", "pending"] },
      limit: { type: "integer", minimum: 1, maximum: 100 },
    },
    required: ["accountId"],
    additionalProperties: false,
  },
  sideEffect: "read",
  enabled: true,
  operation: {
    method: "GET",
    path: "/accounts/{accountId}/transactions",
    arguments: {
      accountId: { in: "path", name: "accountId" },
      status: { in: "query", name: "status" },
      limit: { in: "query", name: "limit" },
    },
    body: null,
  },
  select: "/data",
});
const args = { accountId: "NW-0042", status: "booked", limit: 12 };

const egress = nodeEgress({ policy: { allowedHosts: undefined, allowLoopback: true } });
/** Time spent inside `egress.request` by the call in flight (one at a time). */
let inRequestMs = 0;
const deps = {
  egress: {
    check: (url) => egress.check(url),
    async request(request) {
      const started = performance.now();
      try {
        return await egress.request(request);
      } finally {
        inRequestMs += performance.now() - started;
      }
    },
  },
};
const target = { tenantId: "bench", baseUrl, credentialId: null };

/** The same exchange with node:http alone: what the remote call costs without the platform. */
function plainRequest() {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl}/accounts/NW-0042/transactions?status=booked&limit=12`,
      {
        method: "GET",
        agent: false,
        headers: { accept: "application/json", "accept-encoding": "identity", connection: "close" },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve(new TextDecoder().decode(Buffer.concat(chunks))));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function toolCall() {
  inRequestMs = 0;
  const started = performance.now();
  const result = await callTool(deps, target, tool, args);
  const total = performance.now() - started;
  if (result.status !== 200) throw new Error(`the tool answered ${result.status}`);
  return { total, executor: total - inRequestMs, inRequest: inRequestMs };
}

async function timed(work) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

for (let i = 0; i < warmup; i++) {
  await plainRequest();
  await toolCall();
}
const plain = [];
const tools = [];
const executor = [];
const inRequest = [];
for (let i = 0; i < calls; i++) {
  // Alternate which goes first, so neither always follows the other's garbage.
  if (i % 2 === 0) plain.push(await timed(plainRequest));
  const t = await toolCall();
  tools.push(t.total);
  executor.push(t.executor);
  inRequest.push(t.inRequest);
  if (i % 2 === 1) plain.push(await timed(plainRequest));
}
const argumentChecks = [];
for (let i = 0; i < calls; i++) {
  const started = performance.now();
  const checked = checkArguments(tool.parameters, args);
  argumentChecks.push(performance.now() - started);
  if (!checked.ok) throw new Error(checked.problems);
}
await new Promise((resolve) => server.close(resolve));

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs) => {
  const s = sorted(xs);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
};
const plainP = pct(plain);
const toolP = pct(tools);
const overhead = {
  p50: toolP.p50 - plainP.p50,
  p95: toolP.p95 - plainP.p95,
  p99: toolP.p99 - plainP.p99,
};
const executorP = pct(executor);
const inRequestP = pct(inRequest);
const guard = { p50: inRequestP.p50 - plainP.p50 };
const checksP = pct(argumentChecks);

const ms = (x) => `${x.toFixed(3)} ms`;
const line = (p) => `p50 ${ms(p.p50)}, p95 ${ms(p.p95)}, p99 ${ms(p.p99)}`;
console.log(
  `Tool executor (Tool Forge), ${calls} calls each way after ${warmup} of warm-up, one at a time, ${os.cpus().length} cores:`,
);
console.log(`  plain node:http request (the remote call alone)   ${line(plainP)}`);
console.log(`  callTool, the same request as a tool             ${line(toolP)}`);
console.log(
  `  overhead (callTool − plain, per percentile)       ${line(overhead)}  (goal ≤ ${goalP50Ms} ms p50: ${(overhead.p50 / goalP50Ms).toFixed(2)}×)`,
);
console.log(
  `    the executor outside egress.request (each call) ${line(executorP)}  (request, auth, limits, mapping, masking)`,
);
console.log(
  `    the egress guard around the exchange            p50 ${ms(guard.p50)}  (egress.request p50 ${ms(inRequestP.p50)} − plain p50)`,
);
console.log(`  and before each call, the argument check (checkArguments): ${line(checksP)}`);
console.log(
  JSON.stringify({
    calls,
    answerBytes: answer.length,
    plain: plainP,
    tool: toolP,
    overhead,
    executor: executorP,
    egressRequest: inRequestP,
    guard,
    argumentCheck: checksP,
    goalP50Ms,
  }),
);
