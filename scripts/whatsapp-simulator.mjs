#!/usr/bin/env node
// `npm run whatsapp:simulate`: try the WhatsApp channel with no Meta account. It plays both of Meta's parts
// against a running platform: it serves a stand-in Graph API (start the platform with WHATSAPP_GRAPH_URL
// pointing at it) that prints every reply the platform sends, and it signs and posts webhook deliveries like
// Meta does, one per line you type.
//
//   WHATSAPP_GRAPH_URL=http://127.0.0.1:8790 npm start          # one terminal
//   npm run whatsapp:simulate -- --platform http://127.0.0.1:8787 --connection <id> \
//     --app-secret <the app secret you connected with> --phone-number-id <its phone number id>
//
// Options: --graph-port (8790), --from (the sender's number, 31600000000). Type "reset" to start over.
import { createHmac } from "node:crypto";
import http from "node:http";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

/** A webhook delivery of one text message, as Meta's Cloud API sends it. */
export function textDelivery({ phoneNumberId, from, text, id, now = Date.now() }) {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "simulated-waba",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: phoneNumberId, phone_number_id: phoneNumberId },
              contacts: [{ wa_id: from, profile: { name: "Simulator" } }],
              messages: [
                { from, id, timestamp: String(Math.floor(now / 1000)), type: "text", text: { body: text } },
              ],
            },
          },
        ],
      },
    ],
  });
}

/** Meta's signature header: HMAC-SHA256 of the exact bytes, with the app secret. */
export const signature = (appSecret, body) =>
  `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`;

function parseArgs(argv) {
  const options = { platform: "http://127.0.0.1:8787", graphPort: 8790, from: "31600000000" };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, "").replace(/-(\w)/g, (_m, c) => c.toUpperCase());
    options[name] = argv[i + 1];
  }
  for (const required of ["connection", "appSecret", "phoneNumberId"]) {
    if (!options[required]) {
      console.error(
        `missing --${required.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} (see the top of this file)`,
      );
      process.exit(2);
    }
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  let sent = 0;
  const graph = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = JSON.parse(raw || "{}");
      if (body.status === "read") console.log("  (read, typing…)");
      else if (body.type === "text") console.log(`\nagent → ${body.to}:\n${body.text?.body}\n`);
      else if (body.type === "template")
        console.log(`\nagent → ${body.to}: template ${body.template?.name}\n`);
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify(
          body.status === "read" ? { success: true } : { messages: [{ id: `wamid.SIM${++sent}` }] },
        ),
      );
    });
  });
  await new Promise((resolve) => graph.listen(Number(options.graphPort), "127.0.0.1", resolve));
  console.log(
    `Graph API stand-in on http://127.0.0.1:${options.graphPort} (the platform needs WHATSAPP_GRAPH_URL set to it)`,
  );
  console.log(`Type a message as ${options.from}; Ctrl-D ends.`);
  const url = `${options.platform}/webhooks/whatsapp/${options.connection}`;
  const lines = readline.createInterface({ input: process.stdin, prompt: "you> " });
  lines.prompt();
  let n = 0;
  for await (const line of lines) {
    if (line.trim()) {
      const body = textDelivery({
        phoneNumberId: options.phoneNumberId,
        from: options.from,
        text: line,
        id: `wamid.SIMIN${Date.now()}.${++n}`,
      });
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": signature(options.appSecret, body),
        },
        body,
      });
      console.log(`  webhook: ${res.status} ${await res.text()}`);
    }
    lines.prompt();
  }
  graph.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
