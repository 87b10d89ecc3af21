import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "./clock.js";
import { body, MARIA_KEY, startTestBank, TEST_NOW, type TestBank } from "./testing/harness.js";
import { type TransactionPage, type TransactionView } from "./transactions.js";

let bank: TestBank;
let path: string;
beforeAll(async () => {
  bank = await startTestBank();
  path = `/v1/accounts/${bank.account("maria", "Everyday account").id}/transactions`;
});
afterAll(() => bank.close());

async function page(query: string): Promise<TransactionPage> {
  const response = await bank.call(`${path}?${query}`, { headers: MARIA_KEY });
  expect(response.status, await response.clone().text()).toBe(200);
  return body<TransactionPage>(response);
}

/** Every page of a query, following nextCursor. */
async function everything(query: string): Promise<TransactionView[]> {
  const all: TransactionView[] = [];
  let cursor: string | null = null;
  do {
    const next: TransactionPage = await page(cursor ? `${query}&cursor=${cursor}` : query);
    all.push(...next.data);
    cursor = next.nextCursor;
  } while (cursor);
  return all;
}

const size = (transaction: TransactionView) => Math.abs(Number(transaction.amount.replace(".", "")));

describe("listing an account's transactions", () => {
  it("holds about sixty seeded transactions over the 90 days before the clock", async () => {
    const all = await everything("limit=100");
    const booked = bank.demo.bank.transactions.get(bank.account("maria", "Everyday account").id) ?? [];
    expect(all).toHaveLength(booked.length);
    expect(all.length).toBeGreaterThanOrEqual(50);
    for (const transaction of all) {
      const at = Date.parse(transaction.bookedAt);
      expect(at).toBeLessThan(TEST_NOW);
      expect(at).toBeGreaterThanOrEqual(TEST_NOW - 90 * DAY_MS);
    }
  });

  it("pages newest first with a cursor, every transaction once, ending with a null cursor", async () => {
    const first = await page("");
    expect(first.data).toHaveLength(25);
    expect(first.nextCursor).toEqual(expect.any(String));
    const paged = await everything("limit=7");
    const whole = (await page("limit=100")).data;
    expect(paged.map((transaction) => transaction.id)).toEqual(whole.map((transaction) => transaction.id));
    const times = paged.map((transaction) => transaction.bookedAt);
    expect(times).toEqual([...times].sort().reverse());
  });

  it("shows the balance after each transaction, the newest matching the account's balance", async () => {
    const [newest, previous] = (await page("limit=2")).data;
    const balance = await body(
      await bank.call(`/v1/accounts/${bank.account("maria", "Everyday account").id}/balance`, {
        headers: MARIA_KEY,
      }),
    );
    expect(newest?.balanceAfter).toBe(balance["booked"]);
    const cents = (text = "") => Number(text.replace(".", ""));
    expect(cents(previous?.balanceAfter) + cents(newest?.amount)).toBe(cents(newest?.balanceAfter));
  });

  it("filters by booking date, both ends inclusive", async () => {
    const all = await everything("limit=100");
    const day = all[10]?.valueDate ?? "";
    const onDay = all.filter((transaction) => transaction.valueDate === day);
    expect(await everything(`from=${day}&to=${day}`)).toEqual(onDay);
    const since = await everything(`from=2025-03-01`);
    expect(since.length).toBeGreaterThan(0);
    expect(since).toEqual(all.filter((transaction) => transaction.valueDate >= "2025-03-01"));
  });

  it("filters by the size of the amount whichever way the money went", async () => {
    // Rent (1,240.00 out) and salary (3,480.00 in), nothing smaller.
    const found = await everything("minAmount=1000.00");
    expect(found.some((transaction) => transaction.direction === "debit")).toBe(true);
    expect(found.some((transaction) => transaction.direction === "credit")).toBe(true);
    const all = await everything("limit=100");
    expect(found).toEqual(all.filter((transaction) => size(transaction) >= 1000_00));
    const between = await everything("minAmount=20.00&maxAmount=50.00");
    expect(between.length).toBeGreaterThan(0);
    expect(between).toEqual(
      all.filter((transaction) => size(transaction) >= 20_00 && size(transaction) <= 50_00),
    );
  });

  it("filters by direction", async () => {
    const incoming = await everything("direction=credit");
    expect(incoming.length).toBeGreaterThan(0);
    expect(incoming.every((transaction) => !transaction.amount.startsWith("-"))).toBe(true);
  });

  it("searches the counterparty and description, ignoring case and accents", async () => {
    const rent = await everything("q=kruger");
    expect(rent).toHaveLength(3);
    expect(rent.every((transaction) => transaction.counterparty.name === "Hausverwaltung Krüger GmbH")).toBe(
      true,
    );
    const salary = await everything("q=SALARY&direction=credit");
    expect(salary.map((transaction) => transaction.description)).toEqual([
      "Salary March 2025",
      "Salary February 2025",
      "Salary January 2025",
    ]);
    expect((await page("q=no+such+shop")).data).toEqual([]);
  });

  it("keeps filters across pages", async () => {
    const groceries = await everything("q=card+payment&maxAmount=50.00&limit=3");
    expect(groceries.length).toBeGreaterThan(3);
    expect(groceries.every((transaction) => size(transaction) <= 50_00)).toBe(true);
    expect(new Set(groceries.map((transaction) => transaction.id)).size).toBe(groceries.length);
  });

  it("refuses invalid parameters, each named, in one answer", async () => {
    const response = await bank.call(
      `${path}?limit=0&from=2025-02-30&minAmount=10&direction=out&cursor=zzz`,
      {
        headers: MARIA_KEY,
      },
    );
    expect(response.status).toBe(400);
    const problem = await body<{ type: string; errors: { parameter: string }[] }>(response);
    expect(problem.type).toBe("https://banking-api.example/problems/validation-error");
    expect(problem.errors.map((error) => error.parameter)).toEqual([
      "limit",
      "cursor",
      "from",
      "minAmount",
      "direction",
    ]);
    for (const query of ["limit=101", "limit=ten", "from=2025-03-10&to=2025-03-01", "q="]) {
      expect((await bank.call(`${path}?${query}`, { headers: MARIA_KEY })).status, query).toBe(400);
    }
  });

  it("refuses a misspelt parameter instead of ignoring it", async () => {
    const response = await bank.call(`${path}?amountMin=10.00`, { headers: MARIA_KEY });
    expect(response.status).toBe(400);
    expect(await body(response)).toMatchObject({
      errors: [{ parameter: "amountMin", detail: expect.stringContaining("minAmount") as unknown }],
    });
  });

  it("does not show another customer's account", async () => {
    const lucas = bank.account("luca", "Current account");
    const response = await bank.call(`/v1/accounts/${lucas.id}/transactions`, { headers: MARIA_KEY });
    expect(response.status).toBe(404);
  });
});
