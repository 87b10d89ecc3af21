/**
 * The Banking API example in local mode, when the operator asks for it (`ALCHEMIST_DEMO_BANK=true`, or
 * `npm run start:bank-demo`): the example bank (examples/banking-api, built by `npm run build`) is started in this
 * process on 127.0.0.1 (`ALCHEMIST_DEMO_BANK_PORT`, 8791 by default: its address is stored in the tool set, so it
 * must not change between starts), and on the first start the demo workspace gets a "Banking assistant" built as a
 * person would build it, through the platform's own REST API with the owner key: an OAuth client-credentials
 * credential, the bank's OpenAPI document imported from its URL, the reads and the transfer tool enabled (the
 * transfer limited to 100.00 by the workspace, below the bank's own 1,000.00), published, and an agent pinning it.
 *
 * The bank listens on loopback, which the egress guard refuses unless `ALCHEMIST_EGRESS_ALLOW_LOOPBACK=true`: the
 * demo is refused with that reason rather than weakening the guard on its own. The built-in extractive model does
 * not call tools: the assistant needs a tool-calling model (OPENAI_API_KEY, or OPENAI_BASE_URL to a compatible
 * server) to use the bank in a conversation; the tool set's try panel works with any model.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { log } from "@alchemist/functions/platform/log";
import type { LocalDeps } from "./adapters/deps.js";

export const defaultDemoBankPort = 8791;

interface RunningBank {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** The demo customer the assistant acts for (the example's seed.ts `DEMO_CREDENTIALS.maria`). */
interface DemoCustomer {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface BankDemo {
  readonly bank: RunningBank;
  /** The assistant's agent id, once seeded. */
  readonly agentId: string;
}

/** Why the demo cannot start with this configuration, or undefined. */
export function bankDemoRefusal(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ALCHEMIST_EGRESS_ALLOW_LOOPBACK !== "true") {
    return (
      "ALCHEMIST_DEMO_BANK needs ALCHEMIST_EGRESS_ALLOW_LOOPBACK=true: the demo bank listens on 127.0.0.1, which " +
      "tools may not reach otherwise (npm run start:bank-demo sets both)"
    );
  }
  const port = env.ALCHEMIST_DEMO_BANK_PORT;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return "ALCHEMIST_DEMO_BANK_PORT must be a port number";
  return undefined;
}

async function api<T>(url: string, apiKey: string, method: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${method} ${new URL(url).pathname}: ${response.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Builds the assistant through the REST API, as a person would; returns the agent's id. */
async function seedAssistant(
  platformUrl: string,
  apiKey: string,
  bankUrl: string,
  customer: DemoCustomer,
): Promise<string> {
  const call = <T>(method: string, pathname: string, body?: unknown) =>
    api<T>(`${platformUrl}${pathname}`, apiKey, method, body);
  const credential = await call<{ id: string }>("POST", "/v1/tool-credentials", {
    name: "Demo bank (Maria, OAuth)",
    kind: "oauth2-client-credentials",
    secret: customer.clientSecret,
    oauth: {
      tokenUrl: `${bankUrl}/oauth/token`,
      clientId: customer.clientId,
      scopes: ["accounts:read", "transfers:write"],
    },
  });
  const set = await call<{ id: string; tools: { name: string; limits?: unknown[] }[] }>(
    "POST",
    "/v1/tool-sets/import",
    {
      url: `${bankUrl}/openapi.json`,
      name: "Demo bank",
      baseUrl: bankUrl,
      credentialId: credential.id,
      enable: "read",
    },
  );
  await call("PATCH", `/v1/tool-sets/${set.id}`, {
    tools: set.tools.map((t) =>
      t.name === "createTransfer" ? { ...t, limits: [{ argument: "/amount", max: 100 }] } : t,
    ),
    enabled: { createTransfer: true },
  });
  await call("POST", `/v1/tool-sets/${set.id}/publish`);
  const agent = await call<{ id: string }>("POST", "/v1/agents", {
    name: "Banking assistant",
    description:
      "Answers Maria's questions about her accounts from the demo bank, and prepares transfers she confirms.",
    instructions:
      "You help the customer with their bank accounts using the bank's tools. Answer balance and transaction " +
      "questions only from what the tools return, quoting amounts exactly. To send money, find the account and " +
      "the payee with the tools, then call createTransfer with a new Idempotency-Key: the customer is shown the " +
      "exact request and must confirm it before anything is sent.",
    knowledgeBaseIds: [],
    tools: [{ kind: "toolset", toolSetId: set.id, version: 1 }],
    confidenceThreshold: 0.3,
  });
  await call("POST", `/v1/agents/${agent.id}/publish`, {
    note: "Demo: built from the bank's OpenAPI document",
  });
  return agent.id;
}

/** The example's modules this needs. */
export interface BankExample {
  readonly service: { startBank(options: { port: number }): Promise<RunningBank> };
  readonly seed: { DEMO_CREDENTIALS: { maria: DemoCustomer } };
}

/** The built example (examples/banking-api/lib); a missing build is said plainly. */
async function builtExample(repoRoot: string): Promise<BankExample> {
  const lib = path.join(repoRoot, "examples", "banking-api", "lib");
  try {
    return {
      service: (await import(pathToFileURL(path.join(lib, "service.js")).href)) as BankExample["service"],
      seed: (await import(pathToFileURL(path.join(lib, "seed.js")).href)) as BankExample["seed"],
    };
  } catch (e) {
    throw new Error(
      `The Banking API example is not built (${(e as Error).message}): run npm run build, which builds it`,
    );
  }
}

/** Starts the example bank and, the first time, seeds the assistant. */
export async function startBankDemo(
  deps: LocalDeps,
  repoRoot: string,
  platformUrl: string,
  apiKey: string,
  env: NodeJS.ProcessEnv = process.env,
  example?: BankExample,
): Promise<BankDemo> {
  const { service, seed } = example ?? (await builtExample(repoRoot));
  const port = Number(env.ALCHEMIST_DEMO_BANK_PORT ?? defaultDemoBankPort);
  const bank = await service.startBank({ port });
  try {
    const marker = await deps.store.get<{ agentId: string; bankUrl: string }>("system/seed-bank");
    if (marker) {
      if (marker.data.bankUrl !== bank.baseUrl) {
        log.warn(
          "the demo bank's address changed since the assistant was built: its tool set still names the old one",
          {
            was: marker.data.bankUrl,
            now: bank.baseUrl,
          },
        );
      }
      return { bank, agentId: marker.data.agentId };
    }
    const agentId = await seedAssistant(platformUrl, apiKey, bank.baseUrl, seed.DEMO_CREDENTIALS.maria);
    await deps.store.set("system/seed-bank", {
      agentId,
      bankUrl: bank.baseUrl,
      seededAt: deps.clock.nowIso(),
    });
    return { bank, agentId };
  } catch (e) {
    await bank.close();
    throw e;
  }
}
