import { createHash } from "node:crypto";
import { type Bank, type Transfer } from "./bank.js";
import { DAY_MS, isoDateTime, startOfUtcDay } from "./clock.js";
import { readFields } from "./input.js";
import { CURRENCY, describeAmount, formatAmount, parseAmount, type Cents, type Currency } from "./money.js";
import { payeeView, type PayeeView } from "./payees.js";
import { problem, validationProblem } from "./problem.js";
import { bookTransaction } from "./transactions.js";

// Transfers from a customer's account to one of their payees. They settle at once. A retry is safe: the
// Idempotency-Key header names the attempt, and the same key with the same request answers the transfer it
// made, instead of sending the money twice.

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const IDEMPOTENCY_KEY_PATTERN = "^[\\x21-\\x7E]{1,255}$";
export const IDEMPOTENCY_WINDOW_MS = DAY_MS;
export const REFERENCE_MAX_LENGTH = 140; // the SEPA limit for unstructured remittance information

export interface TransferRequest {
  fromAccountId: string;
  payeeId: string;
  amount: Cents;
  currency: Currency;
  reference: string;
}

export interface TransferView {
  id: string;
  status: "completed";
  fromAccountId: string;
  payee: PayeeView;
  amount: string;
  currency: Currency;
  reference: string;
  createdAt: string;
  transactionId: string;
}

export interface TransferOutcome {
  transfer: TransferView;
  /** True when the Idempotency-Key had already made this transfer: nothing new was sent. */
  replayed: boolean;
}

export function parseIdempotencyKey(header: string | string[] | undefined): string {
  const key = typeof header === "string" ? header.trim() : undefined;
  if (key !== undefined && new RegExp(IDEMPOTENCY_KEY_PATTERN).test(key)) return key;
  throw validationProblem([
    {
      header: IDEMPOTENCY_HEADER,
      detail:
        key === undefined || key === ""
          ? `The ${IDEMPOTENCY_HEADER} header is required: a unique value per transfer (a UUID), reused only to retry it.`
          : `The ${IDEMPOTENCY_HEADER} header must be 1 to 255 visible ASCII characters.`,
    },
  ]);
}

export function parseTransferRequest(body: unknown): TransferRequest {
  const fields = readFields(body, ["fromAccountId", "payeeId", "amount", "currency", "reference"]);
  const fromAccountId = fields.text("fromAccountId", "the id of the customer's account the money leaves");
  const payeeId = fields.text("payeeId", "the id of the payee who receives the money");
  let amount: Cents | undefined;
  const raw = (body as Record<string, unknown>)["amount"];
  if (typeof raw === "number") {
    fields.invalid(
      "amount",
      `amount must be a string with two decimals, e.g. "${raw.toFixed(2)}", not a number.`,
    );
  } else {
    const text = fields.text("amount", 'the amount in euros as a string with two decimals, e.g. "25.00"');
    if (text !== undefined) {
      amount = parseAmount(text);
      if (amount === undefined) {
        fields.invalid("amount", 'amount must be a string with exactly two decimals, e.g. "25.00".');
      } else if (amount === 0) fields.invalid("amount", "amount must be more than 0.00.");
    }
  }
  const currency = fields.text("currency", `the currency, "${CURRENCY}"`);
  if (currency !== undefined && currency !== CURRENCY) {
    fields.invalid("currency", `currency must be "${CURRENCY}": accounts here hold euros only.`);
  }
  const reference = fields.optionalText("reference") ?? "";
  if (reference.length > REFERENCE_MAX_LENGTH) {
    fields.invalid("reference", `reference must be at most ${REFERENCE_MAX_LENGTH} characters.`);
  }
  if (/\p{Cc}/u.test(reference)) fields.invalid("reference", "reference must not hold control characters.");
  if (fields.errors.length > 0 || !fromAccountId || !payeeId || !amount || currency !== CURRENCY) {
    throw validationProblem(fields.errors);
  }
  return { fromAccountId, payeeId, amount, currency, reference };
}

export function createTransfer(
  bank: Bank,
  customerId: string,
  idempotencyKey: string,
  request: TransferRequest,
): TransferOutcome {
  const now = bank.clock();
  for (const [key, record] of bank.idempotency) if (now >= record.expiresAt) bank.idempotency.delete(key);
  const slot = `${customerId}\n${idempotencyKey}`;
  const fingerprint = requestFingerprint(request);
  const earlier = bank.idempotency.get(slot);
  if (earlier) {
    const transfer = bank.transfers.get(earlier.transferId);
    if (earlier.fingerprint === fingerprint && transfer) {
      return { transfer: transferView(bank, transfer), replayed: true };
    }
    throw problem(
      "idempotency-key-reused",
      `The ${IDEMPOTENCY_HEADER} ${JSON.stringify(idempotencyKey)} already made transfer ${earlier.transferId} ` +
        "with a different request. Use a new key for a new transfer.",
      { members: { transferId: earlier.transferId } },
    );
  }

  const account = bank.accounts.get(request.fromAccountId);
  if (!account || account.customerId !== customerId) {
    throw problem("unknown-account", `No account ${request.fromAccountId} belongs to this customer.`, {
      errors: [
        { pointer: "/fromAccountId", detail: "listAccounts lists the accounts money can leave from." },
      ],
    });
  }
  const payee = bank.payees.get(request.payeeId);
  if (!payee || payee.customerId !== customerId) {
    throw problem("unknown-payee", `No payee ${request.payeeId} belongs to this customer.`, {
      errors: [{ pointer: "/payeeId", detail: "listPayees lists the payees; createPayee adds one." }],
    });
  }
  if (payee.iban === account.iban) {
    throw validationProblem([
      { pointer: "/payeeId", detail: "The payee's IBAN is the account the money would leave from." },
    ]);
  }
  const { perTransfer, perDay } = bank.limits;
  if (request.amount > perTransfer) {
    throw problem(
      "transfer-limit-exceeded",
      `A single transfer may be at most ${describeAmount(perTransfer)}; this one is ${describeAmount(request.amount)}.`,
      { members: { limit: formatAmount(perTransfer), amount: formatAmount(request.amount) } },
    );
  }
  const today = startOfUtcDay(now);
  let sentToday = 0;
  for (const transfer of bank.transfers.values()) {
    if (transfer.customerId === customerId && transfer.createdAt >= today) sentToday += transfer.amount;
  }
  if (sentToday + request.amount > perDay) {
    const remaining = Math.max(0, perDay - sentToday);
    throw problem(
      "daily-limit-exceeded",
      `Transfers are limited to ${describeAmount(perDay)} per day (UTC). ${describeAmount(sentToday)} was ` +
        `already sent today, so at most ${describeAmount(remaining)} more can be sent before ` +
        `${isoDateTime(today + DAY_MS)}; this transfer is ${describeAmount(request.amount)}.`,
      {
        members: {
          limit: formatAmount(perDay),
          sentToday: formatAmount(sentToday),
          remainingToday: formatAmount(remaining),
        },
      },
    );
  }
  if (account.balance < request.amount) {
    throw problem(
      "insufficient-funds",
      `Account ${account.id} (${account.name}) has ${describeAmount(account.balance)} available; ` +
        `the transfer needs ${describeAmount(request.amount)}.`,
      { members: { available: formatAmount(account.balance), amount: formatAmount(request.amount) } },
    );
  }

  const transferId = bank.ids("trf");
  const customer = bank.customers.get(customerId);
  const debit = bookTransaction(bank, {
    accountId: account.id,
    amount: -request.amount,
    counterpartyName: payee.name,
    counterpartyIban: payee.iban,
    description: request.reference || `Transfer to ${payee.name}`,
    category: "transfer",
    transferId,
  });
  // A payee who banks here is credited at once, as an instant transfer would be.
  const receiving = [...bank.accounts.values()].find((candidate) => candidate.iban === payee.iban);
  if (receiving) {
    bookTransaction(bank, {
      accountId: receiving.id,
      amount: request.amount,
      counterpartyName: customer?.name ?? account.name,
      counterpartyIban: account.iban,
      description: request.reference || `Transfer from ${customer?.name ?? account.name}`,
      category: "transfer",
      transferId,
    });
  }
  const transfer: Transfer = {
    id: transferId,
    customerId,
    fromAccountId: account.id,
    payeeId: payee.id,
    amount: request.amount,
    currency: request.currency,
    reference: request.reference,
    createdAt: debit.bookedAt,
    transactionId: debit.id,
  };
  bank.transfers.set(transfer.id, transfer);
  // Only a transfer that happened holds its key: a refused request (over a limit, short of funds) may be retried
  // with the same key once the reason is gone.
  bank.idempotency.set(slot, { fingerprint, transferId, expiresAt: now + IDEMPOTENCY_WINDOW_MS });
  return { transfer: transferView(bank, transfer), replayed: false };
}

export function getTransfer(bank: Bank, customerId: string, transferId: string): TransferView {
  const transfer = bank.transfers.get(transferId);
  if (!transfer || transfer.customerId !== customerId) {
    throw problem("not-found", `No transfer ${transferId} was made by this customer.`);
  }
  return transferView(bank, transfer);
}

function transferView(bank: Bank, transfer: Transfer): TransferView {
  const payee = bank.payees.get(transfer.payeeId);
  if (!payee) throw new Error(`transfer ${transfer.id} names a missing payee`);
  return {
    id: transfer.id,
    status: "completed",
    fromAccountId: transfer.fromAccountId,
    payee: payeeView(payee),
    amount: formatAmount(transfer.amount),
    currency: transfer.currency,
    reference: transfer.reference,
    createdAt: isoDateTime(transfer.createdAt),
    transactionId: transfer.transactionId,
  };
}

// The request as the service understood it: {"amount":"10.00"} and {"amount":"10.00"} with other spacing or
// field order are the same request.
function requestFingerprint(request: TransferRequest): string {
  const canonical = JSON.stringify([
    request.fromAccountId,
    request.payeeId,
    request.amount,
    request.currency,
    request.reference,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
