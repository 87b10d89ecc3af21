import { type Account, type Bank, type Customer } from "./bank.js";
import { isoDateTime } from "./clock.js";
import { formatAmount } from "./money.js";
import { problem } from "./problem.js";

// Customers and their accounts, as the API shows them. A credential acts for one customer: everything here is
// looked up within that customer's own accounts, and another customer's account is "not found", not "forbidden",
// so ids cannot be probed.

export interface CustomerView {
  id: string;
  name: string;
  email: string;
  customerSince: string;
}

export interface AccountView {
  id: string;
  iban: string;
  name: string;
  type: Account["type"];
  currency: Account["currency"];
  status: "active";
  openedOn: string;
}

export interface BalanceView {
  accountId: string;
  currency: Account["currency"];
  booked: string;
  available: string;
  asOf: string;
}

export function getCustomer(bank: Bank, customerId: string): CustomerView {
  const customer = bank.customers.get(customerId);
  if (!customer) throw problem("not-found", "The customer this credential acts for no longer exists.");
  return customerView(customer);
}

export function listAccounts(bank: Bank, customerId: string): AccountView[] {
  return [...bank.accounts.values()].filter((account) => account.customerId === customerId).map(accountView);
}

export function getAccount(bank: Bank, customerId: string, accountId: string): AccountView {
  return accountView(ownedAccount(bank, customerId, accountId));
}

export function getBalance(bank: Bank, customerId: string, accountId: string): BalanceView {
  const account = ownedAccount(bank, customerId, accountId);
  // Transfers settle at once and there is no overdraft, so what is booked is what can be spent.
  return {
    accountId: account.id,
    currency: account.currency,
    booked: formatAmount(account.balance),
    available: formatAmount(account.balance),
    asOf: isoDateTime(bank.clock()),
  };
}

/** The customer's account, or a 404 problem. */
export function ownedAccount(bank: Bank, customerId: string, accountId: string): Account {
  const account = bank.accounts.get(accountId);
  if (!account || account.customerId !== customerId) {
    throw problem(
      "not-found",
      `No account ${accountId} belongs to this customer; listAccounts lists the customer's accounts.`,
    );
  }
  return account;
}

function customerView(customer: Customer): CustomerView {
  return {
    id: customer.id,
    name: customer.name,
    email: customer.email,
    customerSince: customer.customerSince,
  };
}

function accountView(account: Account): AccountView {
  return {
    id: account.id,
    iban: account.iban,
    name: account.name,
    type: account.type,
    currency: account.currency,
    status: "active",
    openedOn: account.openedOn,
  };
}
