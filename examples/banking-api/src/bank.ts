import { type Clock } from "./clock.js";
import { randomIds, type IdGenerator } from "./ids.js";
import { type Cents, type Currency } from "./money.js";

// The bank's state, in memory: what a database would hold. Domain modules (accounts, transactions, payees,
// transfers) read and change it; nothing else does.

export interface Customer {
  id: string;
  name: string;
  email: string;
  /** The date the customer joined the bank, "2019-04-01". */
  customerSince: string;
}

export type AccountType = "current" | "savings";

export interface Account {
  id: string;
  customerId: string;
  iban: string;
  name: string;
  type: AccountType;
  currency: Currency;
  openedOn: string;
  /** The booked balance now: the opening balance plus every booked transaction. */
  balance: Cents;
}

export const TRANSACTION_CATEGORIES = [
  "salary",
  "rent",
  "utilities",
  "groceries",
  "dining",
  "transport",
  "shopping",
  "health",
  "subscriptions",
  "cash",
  "transfer",
  "refund",
] as const;
export type TransactionCategory = (typeof TRANSACTION_CATEGORIES)[number];

export interface Transaction {
  id: string;
  accountId: string;
  bookedAt: number;
  /** Signed: negative when money leaves the account. */
  amount: Cents;
  counterpartyName: string;
  counterpartyIban: string | null;
  description: string;
  category: TransactionCategory;
  balanceAfter: Cents;
  transferId: string | null;
}

export interface Payee {
  id: string;
  customerId: string;
  name: string;
  iban: string;
  createdAt: number;
}

export interface Transfer {
  id: string;
  customerId: string;
  fromAccountId: string;
  payeeId: string;
  amount: Cents;
  currency: Currency;
  reference: string;
  createdAt: number;
  transactionId: string;
}

/** What an Idempotency-Key stands for: the request it was first used with and the transfer that made. */
export interface IdempotencyRecord {
  fingerprint: string;
  transferId: string;
  expiresAt: number;
}

export interface TransferLimits {
  perTransfer: Cents;
  perDay: Cents;
}

export const DEFAULT_LIMITS: TransferLimits = { perTransfer: 1_000_00, perDay: 2_500_00 };

export interface Bank {
  clock: Clock;
  ids: IdGenerator;
  limits: TransferLimits;
  customers: Map<string, Customer>;
  accounts: Map<string, Account>;
  /** Per account, oldest first. */
  transactions: Map<string, Transaction[]>;
  payees: Map<string, Payee>;
  transfers: Map<string, Transfer>;
  /** Keyed by customer id and Idempotency-Key: keys are per customer, as one client cannot see another's. */
  idempotency: Map<string, IdempotencyRecord>;
}

export interface BankOptions {
  clock: Clock;
  ids?: IdGenerator;
  limits?: TransferLimits;
}

export function createBank(options: BankOptions): Bank {
  return {
    clock: options.clock,
    ids: options.ids ?? randomIds,
    limits: options.limits ?? DEFAULT_LIMITS,
    customers: new Map(),
    accounts: new Map(),
    transactions: new Map(),
    payees: new Map(),
    transfers: new Map(),
    idempotency: new Map(),
  };
}
