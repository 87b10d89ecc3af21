import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BalanceView } from "./accounts.js";
import { type Account } from "./bank.js";
import { DAY_MS } from "./clock.js";
import { body, MARIA_KEY, postJson, startTestBank, type TestBank } from "./testing/harness.js";
import { type TransactionPage } from "./transactions.js";
import { type TransferView } from "./transfers.js";

let bank: TestBank;
let everyday: Account;
let jonasId: string;
beforeEach(async () => {
  bank = await startTestBank();
  everyday = bank.account("maria", "Everyday account");
  jonasId = payeeId("Jonas Weber");
});
afterEach(() => bank.close());

function payeeId(name: string): string {
  const payee = [...bank.demo.bank.payees.values()].find((candidate) => candidate.name === name);
  if (!payee) throw new Error(`no payee ${name}`);
  return payee.id;
}

function send(
  key: string | undefined,
  request: Record<string, unknown>,
  headers: Record<string, string> = MARIA_KEY,
) {
  return bank.call(
    "/v1/transfers",
    postJson(headers, request, key === undefined ? {} : { "Idempotency-Key": key }),
  );
}

const toJonas = (amount: string, reference = "Concert tickets") => ({
  fromAccountId: everyday.id,
  payeeId: jonasId,
  amount,
  currency: "EUR",
  reference,
});

const cents = (amount: string) => Number(amount.replace(".", ""));

async function balance(account: Account, headers: Record<string, string> = MARIA_KEY): Promise<string> {
  const response = await bank.call(`/v1/accounts/${account.id}/balance`, { headers });
  return (await body<BalanceView>(response)).available;
}

describe("sending money", () => {
  it("debits the account by the exact amount and books a transaction naming the transfer", async () => {
    const before = await balance(everyday);
    const response = await send("key-1", toJonas("42.10"));
    expect(response.status).toBe(201);
    const transfer = await body<TransferView>(response);
    expect(transfer).toMatchObject({
      status: "completed",
      fromAccountId: everyday.id,
      amount: "42.10",
      currency: "EUR",
      reference: "Concert tickets",
      payee: { id: jonasId, name: "Jonas Weber", iban: "DE89370400440532013000" },
    });
    expect(response.headers.get("location")).toBe(`/v1/transfers/${transfer.id}`);
    expect(response.headers.get("idempotent-replayed")).toBeNull();
    expect(cents(await balance(everyday))).toBe(cents(before) - 42_10);

    const { data } = await body<TransactionPage>(
      await bank.call(`/v1/accounts/${everyday.id}/transactions?limit=1`, { headers: MARIA_KEY }),
    );
    expect(data[0]).toMatchObject({
      id: transfer.transactionId,
      amount: "-42.10",
      direction: "debit",
      transferId: transfer.id,
      description: "Concert tickets",
      counterparty: { name: "Jonas Weber", iban: "DE89370400440532013000" },
    });
    const fetched = await bank.call(`/v1/transfers/${transfer.id}`, { headers: MARIA_KEY });
    expect(await body(fetched)).toEqual(transfer);
  });

  it("credits a payee who banks here at once", async () => {
    const sofia = { Authorization: `Bearer ${await bank.token("sofia")}` };
    const lucaAccount = bank.account("luca", "Current account");
    const before = lucaAccount.balance;
    const response = await send(
      "rent-share-march",
      {
        fromAccountId: bank.account("sofia", "Current account").id,
        payeeId: payeeId("Luca Bianchi"),
        amount: "120.00",
        currency: "EUR",
      },
      sofia,
    );
    expect(response.status).toBe(201);
    expect(lucaAccount.balance).toBe(before + 120_00);
  });

  it("answers a retry with the same key and body with the same transfer, sending the money once", async () => {
    const before = await balance(everyday);
    const first = await body<TransferView>(await send("retry-me", toJonas("15.00")));
    // The same request with its fields in another order is still the same request.
    const { reference, currency, amount, payeeId, fromAccountId } = toJonas("15.00");
    const retry = await send("retry-me", { reference, currency, amount, payeeId, fromAccountId });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await body(retry)).toEqual(first);
    expect(cents(await balance(everyday))).toBe(cents(before) - 15_00);
    expect(bank.demo.bank.transfers.size).toBe(1);
  });

  it("refuses the same key with a different request (409), sending nothing more", async () => {
    const first = await body<TransferView>(await send("once", toJonas("15.00")));
    const response = await send("once", toJonas("16.00"));
    expect(response.status).toBe(409);
    expect(await body(response)).toMatchObject({
      type: "https://banking-api.example/problems/idempotency-key-reused",
      status: 409,
      transferId: first.id,
    });
    expect(bank.demo.bank.transfers.size).toBe(1);
  });

  it("keeps a key for a day", async () => {
    await send("daily-key", toJonas("10.00"));
    bank.advance(DAY_MS);
    const response = await send("daily-key", toJonas("11.00"));
    expect(response.status).toBe(201);
  });

  it("requires an Idempotency-Key header", async () => {
    const response = await send(undefined, toJonas("10.00"));
    expect(response.status).toBe(400);
    expect(await body(response)).toMatchObject({
      errors: [{ header: "Idempotency-Key", detail: expect.stringContaining("required") as unknown }],
    });
  });

  it("refuses an amount over the per-transfer limit, saying the limit", async () => {
    expect((await send("big-1", toJonas("1000.00"))).status).toBe(201);
    const response = await send("big-2", toJonas("1000.01"));
    expect(response.status).toBe(422);
    expect(await body(response)).toMatchObject({
      type: "https://banking-api.example/problems/transfer-limit-exceeded",
      status: 422,
      detail: "A single transfer may be at most 1,000.00 EUR; this one is 1,000.01 EUR.",
      limit: "1000.00",
      amount: "1000.01",
    });
  });

  it("refuses a transfer past the daily limit, saying how much is left today, and allows it tomorrow", async () => {
    expect((await send("d-1", toJonas("1000.00"))).status).toBe(201);
    expect((await send("d-2", toJonas("1000.00"))).status).toBe(201);
    const refused = await send("d-3", toJonas("600.00"));
    expect(refused.status).toBe(422);
    expect(await body(refused)).toMatchObject({
      type: "https://banking-api.example/problems/daily-limit-exceeded",
      detail:
        "Transfers are limited to 2,500.00 EUR per day (UTC). 2,000.00 EUR was already sent today, so at most " +
        "500.00 EUR more can be sent before 2025-03-15T00:00:00.000Z; this transfer is 600.00 EUR.",
      sentToday: "2000.00",
      remainingToday: "500.00",
    });
    expect((await send("d-4", toJonas("500.00"))).status).toBe(201);
    // A refused request did not use up its key: the same one goes through once the day has turned.
    bank.advance(14 * 60 * 60 * 1000);
    expect((await send("d-3", toJonas("600.00"))).status).toBe(201);
  });

  it("refuses a transfer the account cannot cover, leaving the balance as it was", async () => {
    const pot = bank.account("maria", "Holiday pot");
    const response = await send("pot", { ...toJonas("100.00"), fromAccountId: pot.id });
    expect(response.status).toBe(422);
    expect(await body(response)).toMatchObject({
      type: "https://banking-api.example/problems/insufficient-funds",
      detail: `Account ${pot.id} (Holiday pot) has 85.40 EUR available; the transfer needs 100.00 EUR.`,
      available: "85.40",
    });
    expect(await balance(pot)).toBe("85.40");
    expect((await send("pot-2", { ...toJonas("85.40"), fromAccountId: pot.id })).status).toBe(201);
    expect(await balance(pot)).toBe("0.00");
  });

  it("explains amounts sent as numbers or without two decimals, and other currencies", async () => {
    const response = await send("bad", { ...toJonas("1"), amount: 25.5, currency: "USD", memo: "x" });
    expect(response.status).toBe(400);
    const problem = await body<{ errors: { pointer: string; detail: string }[] }>(response);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        {
          pointer: "/amount",
          detail: 'amount must be a string with two decimals, e.g. "25.50", not a number.',
        },
        { pointer: "/currency", detail: 'currency must be "EUR": accounts here hold euros only.' },
        { pointer: "/memo", detail: expect.stringContaining("not a field") as unknown },
      ]),
    );
    for (const amount of ["25.5", "0.00", "-5.00", "1,000.00"]) {
      expect((await send(`bad-${amount}`, toJonas(amount))).status, amount).toBe(400);
    }
  });

  it("refuses an account or payee that is not the customer's", async () => {
    const lucas = bank.account("luca", "Current account");
    const account = await send("x-1", { ...toJonas("5.00"), fromAccountId: lucas.id });
    expect(account.status).toBe(422);
    expect((await body(account))["type"]).toBe("https://banking-api.example/problems/unknown-account");
    const payee = await send("x-2", { ...toJonas("5.00"), payeeId: payeeId("Giulia Bianchi") });
    expect(payee.status).toBe(422);
    expect(await body(payee)).toMatchObject({
      type: "https://banking-api.example/problems/unknown-payee",
      errors: [{ pointer: "/payeeId" }],
    });
  });

  it("shows a transfer only to the customer who made it", async () => {
    const transfer = await body<TransferView>(await send("mine", toJonas("5.00")));
    const sofia = { Authorization: `Bearer ${await bank.token("sofia")}` };
    expect((await bank.call(`/v1/transfers/${transfer.id}`, { headers: sofia })).status).toBe(404);
  });
});
