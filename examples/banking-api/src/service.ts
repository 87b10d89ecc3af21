import { type AddressInfo } from "node:net";
import { type Server } from "node:http";
import { API_KEY_HEADER, TOKEN_PATH } from "./auth.js";
import { systemClock, type Clock } from "./clock.js";
import { DEMO_CREDENTIALS, seedDemoBank, type DemoBank } from "./seed.js";
import { createBankServer, type RequestLog } from "./server.js";

// Starting the demo service: seed the bank, listen on loopback, say where it is and how to get in.

export const DEFAULT_PORT = 8791;
const HOST = "127.0.0.1";

export interface RunningBank {
  baseUrl: string;
  demo: DemoBank;
  server: Server;
  /** What the service prints on start: where it listens and the demo credentials. */
  banner: string;
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  clock?: Clock;
  log?: (entry: RequestLog) => void;
}

/** Reads BANK_PORT: a port number, 0 for any free port; unset means 8791. */
export function portFromEnvironment(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_PORT;
  const port = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new Error(`BANK_PORT must be a port number (0-65535), not "${value}".`);
  return port;
}

export async function startBank(options: StartOptions = {}): Promise<RunningBank> {
  const demo = seedDemoBank(options.clock ?? systemClock);
  const server = createBankServer({ bank: demo.bank, authority: demo.authority, ...options });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${HOST}:${port}`;
  return {
    baseUrl,
    demo,
    server,
    banner: banner(baseUrl),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function banner(baseUrl: string): string {
  const { maria, luca, sofia } = DEMO_CREDENTIALS;
  return [
    `Demo Bank API listening on ${baseUrl}`,
    `OpenAPI document: ${baseUrl}/openapi.json`,
    "",
    "Demo credentials (in-memory data, reset on every start):",
    `  API key, Maria Schneider (accounts:read transfers:write):  ${API_KEY_HEADER}: ${maria.apiKey}`,
    `  API key, Luca Bianchi (accounts:read only):                ${API_KEY_HEADER}: ${luca.readOnlyApiKey}`,
    `  OAuth client, Maria Schneider:  client_id=${maria.clientId}  client_secret=${maria.clientSecret}`,
    `  OAuth client, Sofia Martins:    client_id=${sofia.clientId}  client_secret=${sofia.clientSecret}`,
    `  Token endpoint: POST ${baseUrl}${TOKEN_PATH} (grant_type=client_credentials)`,
    "",
    `Try: curl -H "${API_KEY_HEADER}: ${maria.apiKey}" ${baseUrl}/v1/accounts`,
  ].join("\n");
}
