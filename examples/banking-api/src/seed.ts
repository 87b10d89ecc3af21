import {
  createAuthority,
  type ApiKeyGrant,
  type Authority,
  type ClientRegistration,
  type Scope,
} from "./auth.js";
import { createBank, type Account, type Bank, type Transaction, type TransactionCategory } from "./bank.js";
import { DAY_MS, startOfUtcDay, type Clock } from "./clock.js";
import { makeIban } from "./iban.js";
import { seededIds } from "./ids.js";
import { CURRENCY, type Cents } from "./money.js";

// The demo bank: three customers, their accounts, about sixty transactions each over the last 90 days, and a
// few payees. Everything comes from a fixed random seed, so ids, names and amounts are the same on every start;
// dates are relative to the clock, so the history always ends yesterday.

export const DEMO_CREDENTIALS = {
  maria: {
    apiKey: "bank_demo_maria_4f7c2a9e1d6b83a0",
    clientId: "demo-agent",
    clientSecret: "demo-agent-secret-2b9f6e1c7a4d5830",
  },
  luca: { readOnlyApiKey: "bank_demo_luca_readonly_8e3b5d0c9f21" },
  sofia: { clientId: "sofia-agent", clientSecret: "sofia-agent-secret-61d0a7c4e9b2" },
} as const;

const BANK_CODE = "44556677"; // this demo bank's sort code, inside every account's IBAN

export interface DemoBank {
  bank: Bank;
  authority: Authority;
  customerIds: { maria: string; luca: string; sofia: string };
}

export function seedDemoBank(clock: Clock): DemoBank {
  const random = mulberry32(20250314);
  const ids = seededIds(random);
  const bank = createBank({ clock });
  const today = startOfUtcDay(clock());
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (min: Cents, max: Cents): Cents => min + Math.floor(random() * (max - min + 1));
  // A moment `daysAgo` days before today, in waking hours; never later than yesterday.
  const daysAgo = (days: number): number =>
    today - days * DAY_MS + between(6 * 3600, 21 * 3600) * 1000 + between(0, 999);

  const addCustomer = (name: string, email: string, customerSince: string) => {
    const id = ids("cus");
    bank.customers.set(id, { id, name, email, customerSince });
    return id;
  };
  let accountNumber = 1_400_237_100;
  const addAccount = (customerId: string, name: string, type: Account["type"], openedOn: string) => {
    accountNumber += 137;
    const account: Account = {
      id: ids("acc"),
      customerId,
      iban: makeIban("DE", BANK_CODE + String(accountNumber).padStart(10, "0")),
      name,
      type,
      currency: CURRENCY,
      openedOn,
      balance: 0,
    };
    bank.accounts.set(account.id, account);
    return account;
  };
  const addPayee = (customerId: string, name: string, iban: string, daysBefore: number) => {
    const id = ids("pay");
    bank.payees.set(id, { id, customerId, name, iban, createdAt: today - daysBefore * DAY_MS });
  };

  type Entry = Omit<Transaction, "id" | "balanceAfter" | "transferId">;
  const entries: Entry[] = [];
  const book = (
    account: Account,
    bookedAt: number,
    amount: Cents,
    counterparty: Counterparty,
    description: string,
    category: TransactionCategory,
  ) => {
    const { name: counterpartyName, iban: counterpartyIban } = counterparty;
    entries.push({
      accountId: account.id,
      bookedAt,
      amount,
      counterpartyName,
      counterpartyIban,
      description,
      category,
    });
  };
  // Between a customer's own accounts: each side names the holder and the other account.
  const moveBetween = (from: Account, to: Account, days: number, amount: Cents, description: string) => {
    const holder = bank.customers.get(from.customerId)?.name ?? "";
    const at = daysAgo(days);
    book(from, at, -amount, { name: `${holder}, ${to.name}`, iban: to.iban }, description, "transfer");
    book(to, at, amount, { name: `${holder}, ${from.name}`, iban: from.iban }, description, "transfer");
  };

  // A current account's three months: pay in, rent and bills out, then everyday card spending.
  const everydayLife = (account: Account, life: Life) => {
    for (let month = 0; month < 3; month += 1) {
      const base = month * 30;
      const payday = monthName(today - (base + 4) * DAY_MS);
      book(account, daysAgo(base + 4), life.salary, life.employer, `Salary ${payday}`, "salary");
      book(account, daysAgo(base + 2), -life.rent, life.landlord, `Rent ${life.flat}`, "rent");
      const energy = "Electricity and gas, monthly instalment";
      book(account, daysAgo(base + 7), -between(7_800, 11_200), life.utility, energy, "utilities");
      book(account, daysAgo(base + 11), -3_995, TELEKOM, "Mobile plan MagentaMobil M", "subscriptions");
      book(account, daysAgo(base + 15), -1_099, SPOTIFY, "Spotify Premium", "subscriptions");
    }
    for (let count = 0; count < life.cardPayments; count += 1) {
      const shop = pick(SHOPS);
      const amount = shop.round
        ? between(shop.min / 5_000, shop.max / 5_000) * 5_000
        : between(shop.min, shop.max);
      const refund = shop.refundable === true && random() < 0.15;
      const at = daysAgo(between(1, 89));
      const counterparty = { name: shop.name, iban: null };
      if (refund) book(account, at, amount, counterparty, `Refund: ${shop.description}`, "refund");
      else book(account, at, -amount, counterparty, shop.description, shop.category);
    }
  };

  const maria = addCustomer("Maria Schneider", "maria.schneider@example.com", "2017-05-02");
  const mariaEveryday = addAccount(maria, "Everyday account", "current", "2017-05-02");
  const mariaSavings = addAccount(maria, "Savings", "savings", "2018-01-15");
  const mariaHoliday = addAccount(maria, "Holiday pot", "current", "2023-06-01");
  const landlord = { name: "Hausverwaltung Krüger GmbH", iban: makeIban("DE", "700500000004417823") };
  const utility = { name: "Stadtwerke München GmbH", iban: makeIban("DE", "701500000000904412") };
  mariaEveryday.balance = 2_150_00;
  mariaSavings.balance = 8_200_00;
  mariaHoliday.balance = 310_00;
  everydayLife(mariaEveryday, {
    employer: { name: "Brightline Software GmbH", iban: makeIban("DE", "760300800231450000") },
    salary: 3_480_00,
    landlord,
    rent: 1_240_00,
    flat: "Belgradstr. 14, flat 3B",
    utility,
    cardPayments: 38,
  });
  for (const month of [0, 1, 2]) {
    moveBetween(mariaEveryday, mariaSavings, month * 30 + 5, 300_00, "Standing order: savings");
  }
  moveBetween(mariaEveryday, mariaHoliday, 40, 150_00, "Holiday pot top-up");
  const flights = "Flights MUC-LIS-MUC, booking ref 7QXK2M";
  book(mariaHoliday, daysAgo(33), -374_60, { name: "Ryanair DAC", iban: null }, flights, "transport");
  addPayee(maria, landlord.name, landlord.iban, 400);
  addPayee(maria, "Jonas Weber", "DE89370400440532013000", 120);
  addPayee(maria, utility.name, utility.iban, 300);

  const luca = addCustomer("Luca Bianchi", "luca.bianchi@example.com", "2021-09-14");
  const lucaCurrent = addAccount(luca, "Current account", "current", "2021-09-14");
  lucaCurrent.balance = 1_240_00;
  everydayLife(lucaCurrent, {
    employer: { name: "Nordlicht Logistik AG", iban: makeIban("DE", "200505501288003412") },
    salary: 2_650_00,
    landlord: { name: "Wohnbau Mitte eG", iban: makeIban("DE", "100500000190117733") },
    rent: 890_00,
    flat: "Kastanienallee 7, 2nd floor left",
    utility: { name: "Vattenfall Europe Sales GmbH", iban: makeIban("DE", "200700000061208800") },
    cardPayments: 45,
  });
  addPayee(luca, "Giulia Bianchi", "IT60X0542811101000000123456", 200);

  const sofia = addCustomer("Sofia Martins", "sofia.martins@example.com", "2015-03-20");
  const sofiaCurrent = addAccount(sofia, "Current account", "current", "2015-03-20");
  const sofiaSavings = addAccount(sofia, "Rainy-day savings", "savings", "2016-11-02");
  sofiaCurrent.balance = 1_900_00;
  sofiaSavings.balance = 12_450_00;
  everydayLife(sofiaCurrent, {
    employer: { name: "Helio Klinikum Nord", iban: makeIban("DE", "300209005530111002") },
    salary: 4_100_00,
    landlord: { name: "Immobilien Vogt & Partner", iban: makeIban("DE", "300500000002290017") },
    rent: 1_450_00,
    flat: "Rheinallee 52",
    utility: { name: "Stadtwerke Düsseldorf AG", iban: makeIban("DE", "300501100010023344") },
    cardPayments: 40,
  });
  moveBetween(sofiaCurrent, sofiaSavings, 20, 500_00, "Monthly saving");
  addPayee(sofia, "Clínica Dental Sorriso", "PT50000201231234567890154", 90);
  addPayee(sofia, "Luca Bianchi", lucaCurrent.iban, 60);
  addPayee(luca, "Sofia Martins", sofiaCurrent.iban, 60);

  // Book in time order, so each entry's balance after it is the running balance.
  entries.sort((a, b) => a.bookedAt - b.bookedAt);
  for (const item of entries) {
    const account = bank.accounts.get(item.accountId);
    if (!account) continue;
    account.balance += item.amount;
    const list = bank.transactions.get(account.id) ?? [];
    list.push({ ...item, id: ids("txn"), balanceAfter: account.balance, transferId: null });
    bank.transactions.set(account.id, list);
  }

  const everything: Scope[] = ["accounts:read", "transfers:write"];
  const apiKeys: ApiKeyGrant[] = [
    { apiKey: DEMO_CREDENTIALS.maria.apiKey, customerId: maria, scopes: everything },
    { apiKey: DEMO_CREDENTIALS.luca.readOnlyApiKey, customerId: luca, scopes: ["accounts:read"] },
  ];
  const { clientId, clientSecret } = DEMO_CREDENTIALS.maria;
  const clients: ClientRegistration[] = [
    { clientId, clientSecret, customerId: maria, scopes: everything },
    { ...DEMO_CREDENTIALS.sofia, customerId: sofia, scopes: everything },
  ];

  return {
    bank,
    authority: createAuthority({ clock, apiKeys, clients }),
    customerIds: { maria, luca, sofia },
  };
}

interface Counterparty {
  name: string;
  iban: string | null;
}

interface Life {
  employer: Counterparty;
  salary: Cents;
  landlord: Counterparty;
  rent: Cents;
  flat: string;
  utility: Counterparty;
  cardPayments: number;
}

const TELEKOM: Counterparty = { name: "Telekom Deutschland GmbH", iban: null };
const SPOTIFY: Counterparty = { name: "Spotify AB", iban: null };

interface Shop {
  name: string;
  description: string;
  category: TransactionCategory;
  min: Cents;
  max: Cents;
  round?: true;
  refundable?: true;
}

const SHOPS: readonly Shop[] = [
  {
    name: "REWE Markt GmbH",
    description: "Card payment, REWE City",
    category: "groceries",
    min: 1_240,
    max: 9_480,
  },
  {
    name: "EDEKA Südbayern",
    description: "Card payment, EDEKA Center",
    category: "groceries",
    min: 860,
    max: 7_120,
  },
  {
    name: "Lidl Dienstleistung",
    description: "Card payment, Lidl",
    category: "groceries",
    min: 990,
    max: 5_830,
  },
  {
    name: "dm-drogerie markt",
    description: "Card payment, dm-drogerie markt",
    category: "health",
    min: 495,
    max: 3_460,
  },
  {
    name: "Apotheke am Markt",
    description: "Card payment, pharmacy",
    category: "health",
    min: 620,
    max: 4_150,
  },
  { name: "Café Frida", description: "Card payment, Café Frida", category: "dining", min: 350, max: 1_240 },
  {
    name: "Trattoria Da Michele",
    description: "Card payment, Trattoria Da Michele",
    category: "dining",
    min: 2_450,
    max: 8_600,
  },
  {
    name: "Deutsche Bahn Fernverkehr",
    description: "DB ticket, ICE",
    category: "transport",
    min: 1_990,
    max: 12_990,
  },
  {
    name: "Amazon EU S.à r.l.",
    description: "Online purchase, Amazon.de",
    category: "shopping",
    min: 899,
    max: 14_999,
    refundable: true,
  },
  {
    name: "Zalando SE",
    description: "Online purchase, Zalando",
    category: "shopping",
    min: 2_995,
    max: 11_990,
    refundable: true,
  },
  {
    name: "Geldautomat Sparkasse",
    description: "Cash withdrawal, ATM",
    category: "cash",
    min: 5_000,
    max: 20_000,
    round: true,
  },
];

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function monthName(ms: number): string {
  const date = new Date(ms);
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

// A small, well-known seeded generator: the same sequence on every machine and Node version.
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
