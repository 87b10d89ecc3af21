import { type Bank, type Transaction } from "./bank.js";
import { DAY_MS, isoDate, isoDateTime, parseIsoDate } from "./clock.js";
import { CURRENCY, formatAmount, parseAmount, type Cents, type Currency } from "./money.js";
import { ownedAccount } from "./accounts.js";
import { validationProblem, type FieldError } from "./problem.js";

// An account's transactions: booked, newest first, read a page at a time. The cursor is a position (the last
// item's time and id), not an offset, so a page never repeats or skips items when new ones are booked.

export const TRANSACTION_QUERY = [
  "limit",
  "cursor",
  "from",
  "to",
  "minAmount",
  "maxAmount",
  "direction",
  "q",
];
export const PAGE_LIMIT = { min: 1, max: 100, default: 25 };
export const SEARCH_MAX_LENGTH = 100;

export type Direction = "credit" | "debit";

export interface TransactionQuery {
  limit: number;
  after?: Position;
  /** Midnight UTC of the first day included. */
  from?: number;
  /** Midnight UTC after the last day included. */
  until?: number;
  minAmount?: Cents;
  maxAmount?: Cents;
  direction?: Direction;
  search?: string;
}

interface Position {
  bookedAt: number;
  id: string;
}

export interface TransactionView {
  id: string;
  accountId: string;
  bookedAt: string;
  valueDate: string;
  amount: string;
  currency: Currency;
  direction: Direction;
  counterparty: { name: string; iban: string | null };
  description: string;
  category: Transaction["category"];
  balanceAfter: string;
  transferId: string | null;
}

export interface TransactionPage {
  data: TransactionView[];
  nextCursor: string | null;
}

/** Reads the query string; every invalid parameter is reported at once. */
export function parseTransactionQuery(params: URLSearchParams): TransactionQuery {
  const errors: FieldError[] = [];
  const invalid = (parameter: string, detail: string) => errors.push({ parameter, detail });
  const query: TransactionQuery = { limit: PAGE_LIMIT.default };

  const limit = params.get("limit");
  if (limit !== null) {
    const value = /^\d{1,3}$/.test(limit) ? Number(limit) : NaN;
    if (value >= PAGE_LIMIT.min && value <= PAGE_LIMIT.max) query.limit = value;
    else invalid("limit", `limit must be a whole number from ${PAGE_LIMIT.min} to ${PAGE_LIMIT.max}.`);
  }
  const cursor = params.get("cursor");
  if (cursor !== null) {
    const position = decodeCursor(cursor);
    if (position) query.after = position;
    else
      invalid("cursor", "cursor is not one this API returned; pass nextCursor from the previous page as is.");
  }
  for (const name of ["from", "to"] as const) {
    const text = params.get(name);
    if (text === null) continue;
    const day = parseIsoDate(text);
    if (day === undefined) invalid(name, `${name} must be a calendar date, YYYY-MM-DD (e.g. 2025-03-01).`);
    else if (name === "from") query.from = day;
    else query.until = day + DAY_MS;
  }
  if (query.from !== undefined && query.until !== undefined && query.from >= query.until) {
    invalid("from", "from must be on or before to.");
  }
  for (const name of ["minAmount", "maxAmount"] as const) {
    const text = params.get(name);
    if (text === null) continue;
    const cents = parseAmount(text);
    if (cents === undefined) invalid(name, `${name} must be an amount with two decimals, e.g. "50.00".`);
    else query[name] = cents;
  }
  if (query.minAmount !== undefined && query.maxAmount !== undefined && query.minAmount > query.maxAmount) {
    invalid("minAmount", "minAmount must not be more than maxAmount.");
  }
  const direction = params.get("direction");
  if (direction !== null) {
    if (direction === "credit" || direction === "debit") query.direction = direction;
    else invalid("direction", 'direction must be "credit" (money in) or "debit" (money out).');
  }
  const search = params.get("q");
  if (search !== null) {
    const folded = fold(search.trim());
    if (folded.length === 0 || folded.length > SEARCH_MAX_LENGTH) {
      invalid("q", `q must be 1 to ${SEARCH_MAX_LENGTH} characters of text to look for.`);
    } else query.search = folded;
  }
  if (errors.length > 0) throw validationProblem(errors);
  return query;
}

export function listTransactions(
  bank: Bank,
  customerId: string,
  accountId: string,
  query: TransactionQuery,
): TransactionPage {
  const account = ownedAccount(bank, customerId, accountId);
  const all = bank.transactions.get(account.id) ?? [];
  const page: Transaction[] = [];
  let more = false;
  // Stored oldest first: walk backwards for newest first.
  for (let index = all.length - 1; index >= 0; index -= 1) {
    const transaction = all[index];
    if (!transaction || !matches(transaction, query)) continue;
    if (page.length === query.limit) {
      more = true;
      break;
    }
    page.push(transaction);
  }
  const last = page[page.length - 1];
  return {
    data: page.map(transactionView),
    nextCursor: more && last ? encodeCursor({ bookedAt: last.bookedAt, id: last.id }) : null,
  };
}

/** Books an entry on an account: its balance moves and the entry records the balance after it. */
export function bookTransaction(
  bank: Bank,
  entry: Omit<Transaction, "id" | "balanceAfter" | "bookedAt">,
): Transaction {
  const account = bank.accounts.get(entry.accountId);
  if (!account) throw new Error(`no account ${entry.accountId}`);
  const entries = bank.transactions.get(account.id) ?? [];
  const previous = entries[entries.length - 1];
  // Keeps the list ordered even if two bookings share a millisecond.
  const bookedAt = Math.max(bank.clock(), previous ? previous.bookedAt + 1 : 0);
  account.balance += entry.amount;
  const transaction: Transaction = { ...entry, id: bank.ids("txn"), bookedAt, balanceAfter: account.balance };
  entries.push(transaction);
  bank.transactions.set(account.id, entries);
  return transaction;
}

export function transactionView(transaction: Transaction): TransactionView {
  return {
    id: transaction.id,
    accountId: transaction.accountId,
    bookedAt: isoDateTime(transaction.bookedAt),
    valueDate: isoDate(transaction.bookedAt),
    amount: formatAmount(transaction.amount),
    currency: CURRENCY,
    direction: transaction.amount < 0 ? "debit" : "credit",
    counterparty: { name: transaction.counterpartyName, iban: transaction.counterpartyIban },
    description: transaction.description,
    category: transaction.category,
    balanceAfter: formatAmount(transaction.balanceAfter),
    transferId: transaction.transferId,
  };
}

function matches(transaction: Transaction, query: TransactionQuery): boolean {
  const { after } = query;
  if (after) {
    const older =
      transaction.bookedAt < after.bookedAt ||
      (transaction.bookedAt === after.bookedAt && transaction.id < after.id);
    if (!older) return false;
  }
  if (query.from !== undefined && transaction.bookedAt < query.from) return false;
  if (query.until !== undefined && transaction.bookedAt >= query.until) return false;
  // Amount filters compare the size of the movement, whichever way it went: "over 100 EUR" means either way.
  const size = Math.abs(transaction.amount);
  if (query.minAmount !== undefined && size < query.minAmount) return false;
  if (query.maxAmount !== undefined && size > query.maxAmount) return false;
  if (query.direction === "debit" && transaction.amount >= 0) return false;
  if (query.direction === "credit" && transaction.amount < 0) return false;
  if (query.search !== undefined) {
    const text = fold(`${transaction.counterpartyName} ${transaction.description}`);
    if (!text.includes(query.search)) return false;
  }
  return true;
}

// Case- and accent-insensitive: "muller" finds "Müller".
function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase();
}

function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.bookedAt, position.id])).toString("base64url");
}

function decodeCursor(cursor: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [bookedAt, id] = value as unknown[];
    if (typeof bookedAt !== "number" || !Number.isSafeInteger(bookedAt) || typeof id !== "string")
      return undefined;
    return { bookedAt, id };
  } catch {
    return undefined;
  }
}
