import { type Bank, type Payee } from "./bank.js";
import { isoDateTime } from "./clock.js";
import { checkIban } from "./iban.js";
import { readFields } from "./input.js";
import { problem, validationProblem } from "./problem.js";

// Payees: the people and companies a customer may send money to. A transfer goes to a payee, never to a raw
// IBAN, so a new recipient is always a separate, visible step.

export const PAYEE_NAME_MAX_LENGTH = 70; // the SEPA limit for a creditor name

export interface NewPayee {
  name: string;
  iban: string;
}

export interface PayeeView {
  id: string;
  name: string;
  iban: string;
  createdAt: string;
}

export function parseNewPayee(body: unknown): NewPayee {
  const fields = readFields(body, ["name", "iban"]);
  const name = fields.text("name", "the payee's name as it appears on their bank account")?.trim();
  if (name !== undefined && (name.length === 0 || name.length > PAYEE_NAME_MAX_LENGTH)) {
    fields.invalid("name", `name must be 1 to ${PAYEE_NAME_MAX_LENGTH} characters.`);
  }
  if (name !== undefined && /\p{Cc}/u.test(name))
    fields.invalid("name", "name must not hold control characters.");
  const ibanText = fields.text("iban", 'the payee\'s IBAN, e.g. "DE89 3704 0044 0532 0130 00"');
  const iban = ibanText === undefined ? undefined : checkIban(ibanText);
  if (iban && !iban.valid) fields.invalid("iban", iban.reason);
  if (fields.errors.length > 0 || name === undefined || !iban?.valid) throw validationProblem(fields.errors);
  return { name, iban: iban.iban };
}

export function listPayees(bank: Bank, customerId: string): PayeeView[] {
  return [...bank.payees.values()].filter((payee) => payee.customerId === customerId).map(payeeView);
}

export function getPayee(bank: Bank, customerId: string, payeeId: string): PayeeView {
  const payee = bank.payees.get(payeeId);
  if (!payee || payee.customerId !== customerId) {
    throw problem("not-found", `No payee ${payeeId} belongs to this customer; listPayees lists them.`);
  }
  return payeeView(payee);
}

export function addPayee(bank: Bank, customerId: string, input: NewPayee): PayeeView {
  const existing = [...bank.payees.values()].find(
    (payee) => payee.customerId === customerId && payee.iban === input.iban,
  );
  if (existing) {
    throw problem(
      "payee-exists",
      `${existing.name} (${existing.id}) already has this IBAN; send to that payee.`,
      {
        members: { payeeId: existing.id },
      },
    );
  }
  const payee: Payee = { id: bank.ids("pay"), customerId, ...input, createdAt: bank.clock() };
  bank.payees.set(payee.id, payee);
  return payeeView(payee);
}

export function payeeView(payee: Payee): PayeeView {
  return { id: payee.id, name: payee.name, iban: payee.iban, createdAt: isoDateTime(payee.createdAt) };
}
