/**
 * The Banking API example (examples/banking-api) for the suites that use it as Tool Forge's real API: its
 * document, the bank started on a free port, reading it as the demo customer, and the OAuth credential a
 * workspace makes for it. The example is its own workspace, outside this one's sources: it is loaded at run time
 * (vitest reads its TypeScript).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { TestPlatform } from "@alchemist/local/testing/platform";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const example = (file: string) => pathToFileURL(path.join(root, "examples/banking-api/src", file)).href;

/** The bank's OpenAPI 3.1 document, as published with it. */
export const bankSpec = readFileSync(path.join(root, "examples/banking-api/openapi.json"), "utf8");

export interface RunningBank {
  readonly baseUrl: string;
  close(): Promise<void>;
}

const { startBank } = (await import(example("service.ts"))) as {
  startBank(options: { port: number }): Promise<RunningBank>;
};

/** The demo customer the suites act for (the example's seed.ts). */
export const { DEMO_CREDENTIALS } = (await import(example("seed.ts"))) as {
  DEMO_CREDENTIALS: { maria: { apiKey: string; clientId: string; clientSecret: string } };
};

/** The bank on 127.0.0.1 and a free port (the platform must allow loopback to reach it). */
export const startTestBank = (): Promise<RunningBank> => startBank({ port: 0 });

/** A GET of the bank's API as the demo customer (with her API key), its JSON. */
export async function asCustomer<T>(bank: RunningBank, pathname: string): Promise<T> {
  const response = await fetch(`${bank.baseUrl}${pathname}`, {
    headers: { "x-api-key": DEMO_CREDENTIALS.maria.apiKey },
  });
  return (await response.json()) as T;
}

/** The workspace's OAuth client-credentials credential for the demo customer; its id. */
export async function createBankCredential(platform: TestPlatform, bank: RunningBank): Promise<string> {
  const res = await platform.fetch("/v1/tool-credentials", {
    method: "POST",
    json: {
      name: "Demo bank (OAuth)",
      kind: "oauth2-client-credentials",
      secret: DEMO_CREDENTIALS.maria.clientSecret,
      oauth: {
        tokenUrl: `${bank.baseUrl}/oauth/token`,
        clientId: DEMO_CREDENTIALS.maria.clientId,
        scopes: ["accounts:read", "transfers:write"],
      },
    },
  });
  if (res.status !== 201) throw new Error(`the bank's credential was refused: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
