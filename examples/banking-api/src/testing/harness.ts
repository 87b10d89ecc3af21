import { type Account } from "../bank.js";
import { DEMO_CREDENTIALS } from "../seed.js";
import { startBank, type RunningBank } from "../service.js";

// A demo bank on an ephemeral port with a clock the test moves, and the calls a client would make.

/** A Friday morning, so "today" and "the last 90 days" are the same in every run. */
export const TEST_NOW = Date.parse("2025-03-14T10:30:00.000Z");

export const MARIA_KEY = { "X-API-Key": DEMO_CREDENTIALS.maria.apiKey };
export const LUCA_READ_ONLY_KEY = { "X-API-Key": DEMO_CREDENTIALS.luca.readOnlyApiKey };

export interface TestBank extends RunningBank {
  /** Moves the bank's clock forward. */
  advance(ms: number): void;
  now(): number;
  call(path: string, init?: RequestInit): Promise<Response>;
  /** One of a customer's accounts by its name ("Everyday account"). */
  account(customer: "maria" | "luca" | "sofia", name: string): Account;
  /** An OAuth token by client_secret_post. */
  token(client: "maria" | "sofia", scope?: string): Promise<string>;
}

export async function startTestBank(now = TEST_NOW): Promise<TestBank> {
  let time = now;
  const running = await startBank({ port: 0, clock: () => time });
  return {
    ...running,
    advance: (ms) => {
      time += ms;
    },
    now: () => time,
    call: (path, init) => fetch(running.baseUrl + path, init),
    account(customer, name) {
      const customerId = running.demo.customerIds[customer];
      const found = [...running.demo.bank.accounts.values()].find(
        (account) => account.customerId === customerId && account.name === name,
      );
      if (!found) throw new Error(`${customer} has no account named ${name}`);
      return found;
    },
    async token(client, scope) {
      const { clientId, clientSecret } = DEMO_CREDENTIALS[client];
      const form = new URLSearchParams({ grant_type: "client_credentials", client_id: clientId });
      form.set("client_secret", clientSecret);
      if (scope) form.set("scope", scope);
      const response = await fetch(`${running.baseUrl}/oauth/token`, { method: "POST", body: form });
      if (response.status !== 200) throw new Error(`token request failed: ${await response.text()}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
  };
}

/** The JSON body of a response, as the test expects it to be shaped. */
export async function body<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export function postJson(
  headers: Record<string, string>,
  value: unknown,
  extra: Record<string, string> = {},
) {
  return {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json", ...extra },
    body: JSON.stringify(value),
  } satisfies RequestInit;
}
