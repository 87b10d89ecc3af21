/**
 * HTTP tool calls through the egress port, without the rest of a turn: what a huge answer costs in
 * memory, and how a cut answer reaches the model.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../platform/config.js";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import { agentConfigSchema } from "./schema.js";
import { executeToolCalls, maxToolResponseBytes, type ToolContext } from "./tools.js";

const mb = 1024 * 1024;
const hugeBytes = 400 * mb;

let deps: LocalDeps;
let dataDir: string;
let server: http.Server;
let base: string;
let sentBytes = 0;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-tools-"));
  deps = await openLocalDeps(
    loadConfig({
      ALCHEMIST_MODE: "local",
      ALCHEMIST_DATA_DIR: dataDir,
      ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true",
    }),
  );
  server = http.createServer((req, res) => {
    if (req.url === "/small") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return;
    }
    // 400 MB of JSON-ish text, written as fast as the reader takes it (backpressure), never all at once.
    const chunk = Buffer.alloc(64 * 1024, "x");
    res.writeHead(200, { "content-type": "text/plain", "content-length": String(hugeBytes) });
    let written = 0;
    const pump = () => {
      while (written < hugeBytes) {
        written += chunk.length;
        sentBytes += chunk.length;
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    res.on("close", () => res.removeAllListeners("drain"));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  deps.local.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function context(url: string): ToolContext {
  const config = agentConfigSchema.parse({
    name: "Reports",
    instructions: "Answer from the report.",
    knowledgeBaseIds: [],
    confidenceThreshold: 0.5,
    memoryWindow: 0,
    tools: [
      {
        kind: "http",
        name: "fetch_report",
        description: "Fetches the report",
        parameters: { type: "object", properties: {} },
        url,
        method: "GET",
        timeoutMs: 30_000,
      },
    ],
  });
  return { deps, tenantId: "acme", config, evidence: [], step: 0 };
}

const call = { id: "c1", name: "fetch_report", arguments: "{}" };

describe("HTTP tool answers", () => {
  it("reads a 400 MB answer only up to the cap: memory moves by a few MB and the connection is cut", async () => {
    // Warm up the code path (modules, the first socket) so the measure is of the answer alone.
    const warm = await executeToolCalls(context(`${base}/small`), [call]);
    expect(warm.runs[0]?.status).toBe("ok");
    const before = process.memoryUsage().rss;

    const { runs, evidence } = await executeToolCalls(context(`${base}/huge`), [call]);

    const grownMb = (process.memoryUsage().rss - before) / mb;
    expect(runs[0]?.status).toBe("ok");
    // What the model reads is a context-sized beginning, and says the answer was cut.
    expect(runs[0]?.output).toMatch(
      new RegExp(
        `^\\[T1\\] x+\\n\\[the tool's answer was longer than ${maxToolResponseBytes} bytes: only its beginning was read\\]$`,
      ),
    );
    expect(evidence[0]?.text.length).toBeLessThan(10_000);
    expect(sentBytes).toBeLessThan(hugeBytes / 4);
    console.info(
      `400 MB tool answer: RSS grew by ${grownMb.toFixed(1)} MB; the server wrote ${(sentBytes / mb).toFixed(1)} MB before the cut`,
    );
    expect(grownMb).toBeLessThan(16);
  });
});
