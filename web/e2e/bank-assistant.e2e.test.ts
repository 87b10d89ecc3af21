/**
 * The "Banking assistant" built in the studio from nothing but the Banking API example's OpenAPI document, end
 * to end in Chromium: an admin adds the bank's OAuth client credential under Tools, imports the document from
 * the URL the bank serves it at, switches on the reads and createTransfer, publishes the tool set; builds the
 * agent, pins the tool set's version 1 and publishes it. In the playground the agent answers a balance question
 * from the bank's tools, cited, with each call in the trace; asks to confirm a transfer of 25 euros with the exact
 * request (nothing moves at the bank until Confirm), then reports it done, and the bank's balance is exactly 25.00
 * lower; 5000 euros is refused by the workspace's limit without a confirmation, and nothing moves.
 *
 * The suite's shared platform answers with the built-in extractive model, which never calls a tool: this file
 * starts its own, whose OpenAI-compatible model is a fake server playing a tool-calling model deterministically
 * from each request (`bankModel`). The bank runs in this process, on 127.0.0.1 (the platform's egress guard is
 * told to allow loopback, as an operator would for an API on the same machine).
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import {
  startFakeOpenAIServer,
  type FakeChatRequest,
  type FakeOpenAIServer,
  type FakeReply,
} from "../../functions/src/platform/testing/fake-openai-server.js";
import {
  assertNoBlockingViolations,
  checkScreen,
  collectPageErrors,
  launchChromium,
  newContext,
  signInWithForm,
  type ScreenCheck,
} from "./support/browser";
import { startPlatform, type RunningPlatform } from "./support/platform";
import { e2eIt, flowSteps, runnable } from "./support/suite";

/** The example is its own workspace, outside the studio's sources: loaded at run time (vitest reads its TypeScript). */
interface RunningBank {
  readonly baseUrl: string;
  close(): Promise<void>;
}
const bankSources = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../examples/banking-api/src",
);
const example = (file: string) => pathToFileURL(path.join(bankSources, file)).href;

const toolSetName = "Demo bank";
const agentName = "Banking assistant";
const credentialName = "Demo bank (Maria's OAuth client)";
const payeeName = "Jonas Weber";
/** The workspace's own bound on createTransfer's amount, under the bank's 1,000.00. */
const workspaceLimit = 100;

// ----- the model: a tool-calling model played from each request ------------------------------------------

interface ToolResult {
  readonly name: string;
  /** The marker the platform put in front of the result (`T2`), or undefined for an error. */
  readonly ref: string | undefined;
  readonly value: unknown;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/** The last user message and the tool results that came after it: the turn the model is in. */
function currentTurn(request: FakeChatRequest): { question: string; results: ToolResult[] } {
  const messages = request.messages ?? [];
  const lastUser = messages.findLastIndex((m) => m.role === "user");
  const turn = messages.slice(lastUser + 1);
  const called = new Map(turn.flatMap((m) => (m.tool_calls ?? []).map((c) => [c.id, c.function.name])));
  const results = turn
    .filter((m) => m.role === "tool")
    .map((m): ToolResult => {
      const text = typeof m.content === "string" ? m.content : "";
      const marker = /^\[(T\d+)\] /.exec(text);
      return {
        name: called.get(m.tool_call_id ?? "") ?? "",
        ref: marker?.[1],
        value: parseJson(text.slice(marker?.[0].length ?? 0)),
      };
    });
  const question = messages[lastUser]?.content;
  return { question: typeof question === "string" ? question : "", results };
}

/** A list the bank answered (`{"data": [...]}`, or the array itself when the tool selects it). */
function listOf<T>(value: unknown): T[] {
  if (Array.isArray(value)) return value as T[];
  const data = (value as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? (data as T[]) : [];
}

let callCount = 0;
const callTools = (...calls: { name: string; args: Record<string, unknown> }[]): FakeReply => ({
  kind: "answer",
  toolCalls: calls.map((c) => ({
    id: `call_${c.name}_${++callCount}`,
    name: c.name,
    arguments: JSON.stringify(c.args),
  })),
});
const say = (content: string): FakeReply => ({ kind: "answer", content });

/**
 * The Banking assistant's model. "… balance …": listAccounts, getAccountBalance of the first account, then the
 * balance as the tool gave it, cited. "Send N euros to <payee>": listAccounts and listPayees, createTransfer, then
 * what the platform answered (waiting for the confirmation, done, or refused). Values are copied verbatim from
 * the tools' output: the platform drops sentences their cited evidence does not support.
 */
function bankModel(request: FakeChatRequest): FakeReply | undefined {
  const { question, results } = currentTurn(request);
  const result = (name: string) => results.findLast((r) => r.name === name);

  const transfer = result("createTransfer");
  if (transfer) {
    const value = transfer.value as {
      status?: string;
      error?: string;
      willSend?: { body?: string };
      answer?: { id: string; amount: string; currency: string; status: string; payee: { name: string } };
    };
    if (value.status === "done" && value.answer) {
      const sent = value.answer;
      return say(
        `Transfer ${sent.id} of ${sent.amount} ${sent.currency} to ${sent.payee.name} is ${sent.status} [${transfer.ref}].`,
      );
    }
    if (value.status === "awaiting_confirmation") {
      const body = parseJson(value.willSend?.body ?? "") as {
        payeeId?: string;
        amount?: string;
        currency?: string;
      };
      const payees = result("listPayees");
      const payee = listOf<{ id: string; name: string; iban: string }>(payees?.value).find(
        (p) => p.id === body.payeeId,
      );
      return say(
        `${payee?.name} is your payee with the IBAN ${payee?.iban} [${payees?.ref}]. ` +
          `The transfer of ${body.amount} ${body.currency} to them is NOT done yet: please confirm it [${transfer.ref}].`,
      );
    }
    return say(`I could not prepare that transfer: ${value.error ?? "the bank refused it"}.`);
  }

  const asked = /send (\d+) euros? to (.+?)[.!?]*$/i.exec(question);
  if (asked) {
    const accounts = result("listAccounts");
    const payees = result("listPayees");
    if (!accounts || !payees)
      return callTools({ name: "listAccounts", args: {} }, { name: "listPayees", args: {} });
    const from = listOf<{ id: string }>(accounts.value)[0];
    const payee = listOf<{ id: string; name: string }>(payees.value).find((p) => p.name === asked[2]);
    if (!from || !payee) return say("I could not find that payee among yours.");
    return callTools({
      name: "createTransfer",
      args: {
        "Idempotency-Key": `bank-assistant-e2e-${Date.now()}-${callCount}`,
        fromAccountId: from.id,
        payeeId: payee.id,
        amount: `${asked[1]}.00`,
        currency: "EUR",
        reference: "Sent by the Banking assistant",
      },
    });
  }

  if (/balance/i.test(question)) {
    const balance = result("getAccountBalance");
    if (balance) {
      const b = balance.value as { accountId: string; available: string; currency: string };
      return say(
        `The available balance of account ${b.accountId} is ${b.available} ${b.currency} [${balance.ref}].`,
      );
    }
    const accounts = result("listAccounts");
    const first = accounts && listOf<{ id: string }>(accounts.value)[0];
    if (first) return callTools({ name: "getAccountBalance", args: { accountId: first.id } });
    return callTools({ name: "listAccounts", args: {} });
  }
  return undefined;
}

// ----- the flow ----------------------------------------------------------------------------------------------

const step = flowSteps();
const checks = new Map<string, ScreenCheck>();

describe("the Banking assistant, built in the studio from the bank's OpenAPI document", () => {
  let bank: RunningBank;
  let credentials: { apiKey: string; clientId: string; clientSecret: string };
  let model: FakeOpenAIServer;
  let platform: RunningPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];
  let toolSetId = "";
  let accountId = "";

  beforeAll(async () => {
    if (!runnable) return;
    const { startBank } = (await import(example("service.ts"))) as {
      startBank(options: { port: number }): Promise<RunningBank>;
    };
    const { DEMO_CREDENTIALS } = (await import(example("seed.ts"))) as {
      DEMO_CREDENTIALS: { maria: { apiKey: string; clientId: string; clientSecret: string } };
    };
    credentials = DEMO_CREDENTIALS.maria;
    bank = await startBank({ port: 0 });
    model = await startFakeOpenAIServer({ chat: bankModel });
    platform = await startPlatform({
      OPENAI_API_KEY: model.apiKey,
      OPENAI_BASE_URL: model.baseURL,
      ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true",
    });
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
    accountId = (await bankGet<{ data: { id: string }[] }>("/v1/accounts")).data[0]?.id ?? "";
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await platform?.stop();
    await model?.close();
    await bank?.close();
  });

  /** The bank's own API, as Maria's API key reads it: what really happened, whatever the studio shows. */
  async function bankGet<T>(pathname: string): Promise<T> {
    const response = await fetch(`${bank.baseUrl}${pathname}`, {
      headers: { "x-api-key": credentials.apiKey },
    });
    if (!response.ok) throw new Error(`GET ${pathname}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
  const available = async () =>
    (await bankGet<{ available: string }>(`/v1/accounts/${encodeURIComponent(accountId)}/balance`)).available;

  /** A JSON call to this file's platform with its owner key, for checks made outside the browser. */
  async function platformApi<T>(method: string, pathname: string, body?: unknown): Promise<T> {
    const response = await fetch(`${platform.url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${platform.apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
  const status = () => page.getByRole("status");
  const log = () => page.getByRole("log", { name: "Conversation" });
  const nav = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });

  /** Picks an option of a select (MUI's menu), and waits for the menu to close, as a person would. */
  async function choose(select: Locator, option: string | RegExp): Promise<void> {
    await select.click();
    await page.getByRole("option", { name: option }).click();
    await page.getByRole("listbox").waitFor({ state: "hidden" });
  }

  /** Sends a message in the playground and waits until its answer is shown (the box is free again). */
  async function ask(text: string): Promise<void> {
    const answers = await log()
      .getByText(/^Answered by /)
      .count();
    await page.getByRole("textbox", { name: "Message" }).fill(text);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await log().getByText(text, { exact: true }).waitFor();
    await log()
      .getByText(/^Answered by /)
      .nth(answers)
      .waitFor();
    await page.getByRole("textbox", { name: "Message" }).and(page.locator(":enabled")).waitFor();
  }

  step("an admin adds the bank's OAuth client credential under Tools › Credentials", async () => {
    await page.goto(`${platform.url}/sign-in`);
    await signInWithForm(page, platform);
    await nav("Tools").click();
    await heading("Tools").waitFor();
    await page.getByText("No tool sets yet").waitFor();

    await page.getByRole("button", { name: "Add credential" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a credential" });
    await choose(dialog.getByRole("combobox", { name: "Kind" }), "OAuth 2.0 client credentials");
    await dialog.getByRole("textbox", { name: "Name" }).fill(credentialName);
    await dialog.getByRole("textbox", { name: "Token URL" }).fill(`${bank.baseUrl}/oauth/token`);
    await dialog.getByRole("textbox", { name: "Client id" }).fill(credentials.clientId);
    await dialog.getByRole("textbox", { name: "Scopes (optional)" }).fill("accounts:read transfers:write");
    await dialog.getByLabel("Client secret").fill(credentials.clientSecret);
    checks.set("credential", await checkScreen(page, "bank-01-credential-dialog"));
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await status()
      .getByText(`Credential ${credentialName} added. Its secret will not be shown again.`)
      .waitFor();
    const row = page
      .getByRole("table", { name: "Credentials" })
      .getByRole("row")
      .filter({ hasText: credentialName });
    await row.getByText("OAuth 2.0 client credentials").waitFor();
    await row.getByText(`${credentials.clientId} at ${bank.baseUrl}/oauth/token`).waitFor();
    // Write-only: the secret is nowhere on the page.
    expect(await page.content()).not.toContain(credentials.clientSecret);
  });

  step(
    "imports the bank's OpenAPI document from its URL, with that credential; the reads start on",
    async () => {
      await page.getByRole("button", { name: "Import OpenAPI" }).click();
      const dialog = page.getByRole("dialog", { name: "Import an OpenAPI document" });
      await dialog.getByRole("radio", { name: "Its URL" }).check();
      await dialog.getByRole("textbox", { name: "Document URL" }).fill(`${bank.baseUrl}/openapi.json`);
      await dialog.getByRole("textbox", { name: "Name (optional)" }).fill(toolSetName);
      await dialog.getByRole("textbox", { name: "Base URL (optional)" }).fill(bank.baseUrl);
      await choose(dialog.getByRole("combobox", { name: "Credential (optional)" }), credentialName);
      await dialog.getByRole("radio", { name: /^The reads/ }).check();
      checks.set("import", await checkScreen(page, "bank-02-import-dialog"));
      await dialog.getByRole("button", { name: "Import", exact: true }).click();

      await heading(toolSetName).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/tools\/[^/]+$/);
      toolSetId = decodeURIComponent(new URL(page.url()).pathname.split("/")[2] ?? "");
      await page.getByText(`at ${bank.baseUrl}/openapi.json.`, { exact: false }).waitFor();
      const tools = page.getByRole("table", { name: "Tools" });
      for (const read of ["listAccounts", "getAccountBalance", "listAccountTransactions", "listPayees"])
        await expect(tools.getByRole("switch", { name: `Enable ${read}` }).isChecked(), read).resolves.toBe(
          true,
        );
      await expect(tools.getByRole("switch", { name: "Enable createTransfer" }).isChecked()).resolves.toBe(
        false,
      );
    },
  );

  step("finds createTransfer by its tag, switches it on, and publishes version 1 with a limit", async () => {
    const tools = page.getByRole("table", { name: "Tools" });
    // The document's "transfers" tag: createTransfer and getTransfer.
    await choose(page.getByRole("combobox", { name: "Tag" }), "transfers (2)");
    await page.getByText(/^2 of \d+ tools shown, 1 of them enabled$/).waitFor();
    // The switch follows the draft as the platform answers it: switched once the change is saved.
    await tools.getByRole("switch", { name: "Enable createTransfer" }).click();
    await status().getByText("createTransfer enabled.").waitFor();
    await expect(tools.getByRole("switch", { name: "Enable createTransfer" }).isChecked()).resolves.toBe(
      true,
    );
    checks.set("tool-set", await checkScreen(page, "bank-03-tool-set"));

    // The studio cannot edit limits yet (README, Tool Forge: "Not built yet"): this one setting goes through
    // the API, on the draft, before the studio publishes it.
    const draft = await platformApi<{ tools: { name: string; enabled: boolean; limits: unknown[] }[] }>(
      "GET",
      `/v1/tool-sets/${encodeURIComponent(toolSetId)}`,
    );
    expect(draft.tools.find((t) => t.name === "createTransfer")?.enabled).toBe(true);
    await platformApi("PATCH", `/v1/tool-sets/${encodeURIComponent(toolSetId)}`, {
      tools: draft.tools.map((t) =>
        t.name === "createTransfer" ? { ...t, limits: [{ argument: "/amount", max: workspaceLimit }] } : t,
      ),
    });

    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await status()
      .getByText(/^Published version 1 with \d+ tools\.$/)
      .waitFor();
    const published = await platformApi<{ tools: { name: string; limits: unknown[] }[] }>(
      "GET",
      `/v1/tool-sets/${encodeURIComponent(toolSetId)}/versions/1`,
    );
    expect(published.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(["listAccounts", "getAccountBalance", "listPayees", "createTransfer"]),
    );
    expect(published.tools.find((t) => t.name === "createTransfer")?.limits).toEqual([
      expect.objectContaining({ argument: "/amount", max: workspaceLimit }),
    ]);
  });

  step(
    "builds the Banking assistant, pins the tool set's version 1 under Tools, and publishes it",
    async () => {
      await nav("Agents").click();
      await heading("Agents").waitFor();
      await page.getByRole("link", { name: "Create agent" }).click();
      await heading("New agent").waitFor();
      await page.getByRole("textbox", { name: "Name", exact: true }).fill(agentName);
      await page
        .getByRole("textbox", { name: "Description" })
        .fill("Answers questions about Maria's accounts and prepares transfers she confirms.");
      await page
        .getByRole("textbox", { name: "Instructions", exact: true })
        .fill(
          "You are the bank's assistant. Answer questions about the customer's accounts, balances and transactions " +
            "with the bank's tools, and cite the tool results. Prepare a transfer only when asked; it runs once the " +
            "customer confirms it.",
        );
      const tools = page.getByRole("region", { name: "Tools" });
      await choose(tools.getByRole("combobox", { name: "Add a tool set" }), `${toolSetName} (version 1)`);
      await tools.getByRole("button", { name: "Add", exact: true }).click();
      const pinned = tools.getByRole("list", { name: "Tool sets" }).getByRole("listitem");
      await pinned.getByRole("link", { name: toolSetName }).waitFor();
      await expect(pinned.getByRole("combobox", { name: "Version" }).textContent()).resolves.toBe(
        "Version 1",
      );
      checks.set("builder", await checkScreen(page, "bank-04-builder-tools"));

      await page.getByRole("button", { name: "Save draft" }).click();
      await heading(agentName).waitFor();
      await page.getByText("All changes saved.").waitFor();
      await page.getByRole("button", { name: "Publish…" }).click();
      const dialog = page.getByRole("dialog", { name: "Publish version 1" });
      await dialog
        .getByRole("textbox", { name: "Release note (optional)" })
        .fill("The bank's tools, version 1");
      await dialog.getByRole("button", { name: "Publish", exact: true }).click();
      await dialog.waitFor({ state: "hidden" });
      await status().getByText("Published version 1.").waitFor();
    },
  );

  step("answers a balance question from the bank's tools, cited, with each call in the trace", async () => {
    const balance = await available();
    await page.getByRole("link", { name: "Try it" }).click();
    await heading(`Playground · ${agentName}`).waitFor();

    await choose(page.getByRole("combobox", { name: "Version" }), "Version 1 (serving)");

    await ask("What is my balance?");
    const answer = `The available balance of account ${accountId} is ${balance} EUR.`;
    await log().getByText(answer).waitFor();
    const citation = log().getByRole("button", { name: /^\[T\d+\] Tool getAccountBalance$/ });
    await citation.waitFor();
    await citation.click();
    const quote = page.getByRole("dialog", { name: /Tool getAccountBalance/ });
    await quote.waitFor();
    expect(await quote.textContent()).toContain(balance);
    await quote.getByRole("button", { name: "Close" }).click();
    await quote.waitFor({ state: "hidden" });

    await log().getByRole("button", { name: "Trace" }).last().click();
    const calls = page.getByRole("table", { name: "Tool calls" });
    await calls.waitFor();
    await expect(calls.getByRole("rowheader").allTextContents()).resolves.toEqual([
      "listAccounts",
      "getAccountBalance",
    ]);
    await expect(
      calls.getByRole("row").filter({ hasText: "getAccountBalance" }).textContent(),
    ).resolves.toContain("ok");
    checks.set("playground-balance", await checkScreen(page, "bank-05-playground-balance-trace"));
    await page.getByRole("button", { name: "Close trace" }).click();
  });

  step(
    "asks to confirm a transfer of 25 euros with the exact request; nothing has moved at the bank",
    async () => {
      const before = await available();
      await ask(`Send 25 euros to ${payeeName}`);
      const card = log().getByRole("alert", { name: "Confirmation for createTransfer" });
      await card.getByText("Confirm createTransfer?").waitFor();
      const request = (await card.locator("pre").textContent()) ?? "";
      expect(request).toContain(`POST ${bank.baseUrl}/v1/transfers`);
      expect(request).toContain("authorization: Bearer ***");
      expect(request).toContain('"amount": "25.00"');
      expect(request).not.toContain(credentials.clientSecret);
      await log()
        .getByText("The transfer of 25.00 EUR to them is NOT done yet: please confirm it.")
        .waitFor();
      await card.getByRole("button", { name: "Confirm" }).waitFor();
      checks.set("playground-confirmation", await checkScreen(page, "bank-06-playground-confirmation"));
      expect(await available(), "nothing is sent before the person confirms").toBe(before);
    },
  );

  step(
    "Confirm sends it once: the answer says it is completed, and the balance is exactly 25.00 lower",
    async () => {
      const before = await available();
      const card = log().getByRole("alert", { name: "Confirmation for createTransfer" });
      await card.getByRole("button", { name: "Confirm" }).click();
      await log().getByText("Confirmed: createTransfer", { exact: true }).waitFor();
      const done = log().getByText(
        new RegExp(`^Transfer trf_\\S+ of 25\\.00 EUR to ${payeeName} is completed\\. \\[T1\\]$`),
      );
      await done.waitFor();
      await card.getByText("Confirmed", { exact: true }).waitFor();
      await expect(card.getByRole("button", { name: "Confirm" }).count()).resolves.toBe(0);
      await page.getByRole("textbox", { name: "Message" }).and(page.locator(":enabled")).waitFor();
      const after = await available();
      expect(Math.round(Number(before) * 100) - Math.round(Number(after) * 100)).toBe(2500);

      // The bank has that very transfer, to the payee asked for.
      const transferId = /Transfer (trf_\S+) of/.exec((await done.textContent()) ?? "")?.[1] ?? "";
      const sent = await bankGet<{ id: string; amount: string; payee: { name: string } }>(
        `/v1/transfers/${encodeURIComponent(transferId)}`,
      );
      expect(sent).toMatchObject({ id: transferId, amount: "25.00", payee: { name: payeeName } });
      await log().getByRole("button", { name: "[T1] Tool createTransfer" }).waitFor();
      checks.set("playground-confirmed", await checkScreen(page, "bank-07-playground-confirmed"));
    },
  );

  step(
    "refuses 5000 euros: above the workspace's limit, no confirmation is offered and nothing moves",
    async () => {
      const before = await available();
      const cards = log().getByRole("alert", { name: "Confirmation for createTransfer" });
      const offered = await cards.count();
      await ask(`Send 5000 euros to ${payeeName}`);
      await expect(cards.count(), "no new confirmation card").resolves.toBe(offered);
      await log().getByRole("button", { name: "Trace" }).last().click();
      const calls = page.getByRole("table", { name: "Tool calls" });
      await calls.waitFor();
      await expect(
        calls.getByRole("row").filter({ hasText: "createTransfer" }).textContent(),
      ).resolves.toContain("error");
      // Refused by the platform before anything was sent: the model reads the workspace's bound, not the bank's.
      const lastRequest = model.requestsTo("/v1/chat/completions").at(-1)?.body as FakeChatRequest;
      const refusal = lastRequest.messages?.filter((m) => m.role === "tool").at(-1)?.content;
      expect(refusal).toMatch(/amount is \\?"5000\.00\\?", above the limit of 100/);
      checks.set("playground-refused", await checkScreen(page, "bank-08-playground-refused"));
      expect(await available()).toBe(before);
    },
  );

  step("no uncaught errors in the page along the way", async () => {
    expect(pageErrors).toEqual([]);
  });

  describe("accessibility (axe): no serious or critical violations", () => {
    for (const screen of [
      "credential",
      "import",
      "tool-set",
      "builder",
      "playground-balance",
      "playground-confirmation",
      "playground-confirmed",
      "playground-refused",
    ]) {
      e2eIt(screen, async () => {
        const check = checks.get(screen);
        expect(check, `the flow did not reach the ${screen} screen`).toBeDefined();
        assertNoBlockingViolations(check!);
      });
    }
  });
});
