import { API_KEY_HEADER, SCOPES, TOKEN_LIFETIME_SECONDS, TOKEN_PATH, type Scope } from "./auth.js";
import { DEFAULT_LIMITS, TRANSACTION_CATEGORIES } from "./bank.js";
import { IBAN_PATTERN } from "./iban.js";
import { MAX_BODY_BYTES } from "./http.js";
import { AMOUNT_PATTERN, CURRENCY, describeAmount, SIGNED_AMOUNT_PATTERN } from "./money.js";
import { PAYEE_NAME_MAX_LENGTH } from "./payees.js";
import { problemType, type ProblemKind } from "./problem.js";
import { PAGE_LIMIT, SEARCH_MAX_LENGTH } from "./transactions.js";
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN, REFERENCE_MAX_LENGTH } from "./transfers.js";

// The OpenAPI 3.1 document: the source of truth for what the API promises. The server serves it at
// /openapi.json and `npm run openapi` writes the same document to openapi.json for importing as a file; a test
// fails when the two differ. Limits and patterns come from the code that enforces them. Descriptions are
// written for a model choosing and calling tools: when to use an operation, what it needs first, what it
// cannot do.

type Json = Record<string, unknown>;

// Ids from the seeded demo bank (Maria Schneider's), so the examples work against `npm run example:bank`.
export const EXAMPLE_IDS = {
  customer: "cus_e38e3d4688151732",
  account: "acc_98bbd941526bf5bc",
  holidayPot: "acc_ffa603bf3fccecf0",
  payee: "pay_fe9d73d8c08735f6",
  transaction: "txn_bca6f03d9ed03316",
  // Transfers are made at run time with random ids: this one only shows the shape.
  transfer: "trf_5c0f4e1a8b7d9e23",
};

const ref = (kind: "schemas" | "parameters" | "responses" | "headers", name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

const perTransfer = describeAmount(DEFAULT_LIMITS.perTransfer);
const perDay = describeAmount(DEFAULT_LIMITS.perDay);

interface OperationSpec {
  operationId: string;
  tag: string;
  summary: string;
  description: string;
  scope: Scope;
  parameters?: Json[];
  requestBody?: Json;
  responses: Json;
  /** Error responses by status, each a name under components/responses. */
  errors: Record<string, string>;
}

function operation(spec: OperationSpec): Json {
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description,
    security: [{ oauth2: [spec.scope] }, { apiKey: [spec.scope] }],
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.requestBody ? { requestBody: spec.requestBody } : {}),
    responses: {
      ...spec.responses,
      ...Object.fromEntries(
        Object.entries(spec.errors).map(([status, name]) => [status, ref("responses", name)]),
      ),
    },
  };
}

const ok = (description: string, schema: string, example?: unknown): Json => ({
  description,
  content: { "application/json": { schema: ref("schemas", schema), ...(example ? { example } : {}) } },
});

// Any operation refuses an unknown query parameter (400) and checks the credential (401) and its scope (403).
const COMMON_ERRORS = { "400": "BadRequest", "401": "Unauthorized", "403": "Forbidden" };

function problemResponse(
  description: string,
  schema: string,
  examples: Partial<Record<ProblemKind, Json>>,
): Json {
  return {
    description,
    content: {
      "application/problem+json": {
        schema: ref("schemas", schema),
        examples: Object.fromEntries(
          Object.entries(examples).map(([kind, example]) => [
            kind,
            { summary: kind, value: { type: problemType(kind as ProblemKind), ...example } },
          ]),
        ),
      },
    },
  };
}

let cached: Json | undefined;

export function openApiDocument(): Json {
  cached ??= buildDocument();
  return cached;
}

function buildDocument(): Json {
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    info: {
      title: "Demo Bank API",
      version: "1.0.0",
      summary: "A retail bank customer's accounts, balances, transactions, payees and transfers.",
      description: [
        "Acts for one bank customer: the one the credential belongs to. Read their accounts, balances and",
        "transaction history; manage the payees they can pay; send transfers in euros.",
        "",
        '**Money** is a string with exactly two decimals in EUR (`"1234.50"`), never a number. Transaction',
        "amounts are signed: negative when money leaves the account.",
        "",
        `**Transfers** settle immediately and cannot be undone. Each is limited to ${perTransfer}, a customer`,
        `may send at most ${perDay} per UTC day, and an account cannot go below zero. Every transfer needs an`,
        `\`${IDEMPOTENCY_HEADER}\` header, so a retry never pays twice.`,
        "",
        `**Authentication**: an OAuth 2.0 bearer token (client credentials at \`POST ${TOKEN_PATH}\`, valid for`,
        `${TOKEN_LIFETIME_SECONDS} seconds) or an \`${API_KEY_HEADER}\` header. Scopes: \`accounts:read\` to read,`,
        "`transfers:write` to add payees and send money.",
        "",
        "**Errors** are `application/problem+json` (RFC 9457): `type` names the problem, `detail` says what to do,",
        "and `errors` lists each invalid field (`pointer` into the JSON body, or the query `parameter` or `header`).",
      ].join("\n"),
    },
    servers: [
      {
        url: "http://127.0.0.1:{port}",
        description: "The example service on this machine (`npm run example:bank`).",
        variables: { port: { default: "8791", description: "The BANK_PORT the service was started with." } },
      },
    ],
    tags: [
      { name: "customers", description: "The bank customer the credential acts for." },
      { name: "accounts", description: "The customer's current and savings accounts and their balances." },
      {
        name: "transactions",
        description: "Booked account transactions: search, filter and page through them.",
      },
      { name: "payees", description: "The people and companies the customer can send money to." },
      { name: "transfers", description: "Sending money from the customer's accounts to their payees." },
    ],
    paths: {
      "/v1/customers/me": {
        get: operation({
          operationId: "getCurrentCustomer",
          tag: "customers",
          summary: "Get the customer this credential acts for",
          description:
            "Returns the profile (id, name, email, customer since) of the bank customer the credential belongs to. " +
            "Every other operation acts for this same customer and only sees their data. Use it to know whose " +
            "accounts you are looking at or to address the customer by name.",
          scope: "accounts:read",
          responses: { "200": ok("The customer.", "Customer") },
          errors: COMMON_ERRORS,
        }),
      },
      "/v1/accounts": {
        get: operation({
          operationId: "listAccounts",
          tag: "accounts",
          summary: "List the customer's bank accounts",
          description:
            "Returns every account the customer holds (current and savings accounts), each with its accountId, " +
            "IBAN, name and type. Call this first to find the accountId that the balance, transaction and " +
            "transfer operations need; match the account the customer means by its name or IBAN. Balances are " +
            "not included: call getAccountBalance for that.",
          scope: "accounts:read",
          responses: { "200": ok("The customer's accounts.", "AccountList") },
          errors: COMMON_ERRORS,
        }),
      },
      "/v1/accounts/{accountId}": {
        get: operation({
          operationId: "getAccount",
          tag: "accounts",
          summary: "Get one of the customer's accounts",
          description:
            "Returns one account's details (IBAN, name, type, currency, opening date) by its accountId. " +
            "Answers 404 when the id is not one of the customer's accounts; listAccounts lists the valid ids.",
          scope: "accounts:read",
          parameters: [ref("parameters", "AccountId")],
          responses: { "200": ok("The account.", "Account") },
          errors: { ...COMMON_ERRORS, "404": "NotFound" },
        }),
      },
      "/v1/accounts/{accountId}/balance": {
        get: operation({
          operationId: "getAccountBalance",
          tag: "accounts",
          summary: "Get an account's current balance",
          description:
            "Returns how much money an account holds now: the booked balance and the available balance (what " +
            "can be spent or transferred), as EUR amounts with two decimals, and the time they were read. Use " +
            "it to answer questions like 'how much money do I have' or to check funds before a transfer.",
          scope: "accounts:read",
          parameters: [ref("parameters", "AccountId")],
          responses: { "200": ok("The balance.", "Balance") },
          errors: { ...COMMON_ERRORS, "404": "NotFound" },
        }),
      },
      "/v1/accounts/{accountId}/transactions": {
        get: operation({
          operationId: "listAccountTransactions",
          tag: "transactions",
          summary: "Search an account's transactions, newest first",
          description:
            "Returns a page of an account's booked transactions, newest first, with the counterparty, " +
            "description, category, signed amount (negative = money out) and the balance after each. " +
            "Narrow the search with any combination of: `from` and `to` (calendar dates, both inclusive, UTC); " +
            "`minAmount` and `maxAmount` (compare the size of the amount whichever way the money went, so " +
            'minAmount=100.00 finds payments and income of 100.00 EUR or more); `direction` ("debit" for ' +
            'money out, "credit" for money in); `q` (text in the counterparty name or description, ignoring ' +
            "case and accents, e.g. q=rewe or q=rent). When `nextCursor` is not null there are more " +
            "transactions: call again with cursor=nextCursor and the same filters. The history covers about " +
            "the last 90 days.",
          scope: "accounts:read",
          parameters: [
            ref("parameters", "AccountId"),
            ref("parameters", "From"),
            ref("parameters", "To"),
            ref("parameters", "MinAmount"),
            ref("parameters", "MaxAmount"),
            ref("parameters", "Direction"),
            ref("parameters", "Search"),
            ref("parameters", "Limit"),
            ref("parameters", "Cursor"),
          ],
          responses: { "200": ok("A page of transactions.", "TransactionPage") },
          errors: { ...COMMON_ERRORS, "404": "NotFound" },
        }),
      },
      "/v1/payees": {
        get: operation({
          operationId: "listPayees",
          tag: "payees",
          summary: "List the customer's saved payees",
          description:
            "Returns the people and companies the customer has saved as payees, each with a payeeId, name " +
            "and IBAN. Money can only be sent to a saved payee: use this to find the payeeId of the person or " +
            "company the customer names. If they are not in the list, add them with createPayee.",
          scope: "accounts:read",
          responses: { "200": ok("The customer's payees.", "PayeeList") },
          errors: COMMON_ERRORS,
        }),
        post: operation({
          operationId: "createPayee",
          tag: "payees",
          summary: "Save a new payee (a person or company to send money to)",
          description:
            "Saves a payee from their name and IBAN, so that transfers can be sent to them. The IBAN is " +
            "checked (country, length and check digits) and may be given with spaces. Confirm the name and " +
            "IBAN with the customer before calling. Answers 409 when a payee with this IBAN already exists; " +
            "the problem's payeeId names it, use that one. Needs the transfers:write scope.",
          scope: "transfers:write",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: ref("schemas", "NewPayee"),
                example: { name: "Anna Keller", iban: "DE02 1203 0000 0000 2020 51" },
              },
            },
          },
          responses: {
            "201": {
              ...ok("The payee was saved.", "Payee"),
              headers: { Location: ref("headers", "Location") },
            },
          },
          errors: {
            ...COMMON_ERRORS,
            "409": "PayeeExists",
            "413": "ContentTooLarge",
            "415": "UnsupportedMediaType",
          },
        }),
      },
      "/v1/payees/{payeeId}": {
        get: operation({
          operationId: "getPayee",
          tag: "payees",
          summary: "Get one saved payee",
          description: "Returns one of the customer's payees (name and IBAN) by its payeeId.",
          scope: "accounts:read",
          parameters: [ref("parameters", "PayeeId")],
          responses: { "200": ok("The payee.", "Payee") },
          errors: { ...COMMON_ERRORS, "404": "NotFound" },
        }),
      },
      "/v1/transfers": {
        post: operation({
          operationId: "createTransfer",
          tag: "transfers",
          summary: "Send money from one of the customer's accounts to a saved payee",
          description:
            "Sends money immediately; a transfer cannot be undone, so confirm the amount, the payee and the " +
            "account with the customer first. Needs an accountId (listAccounts), a payeeId (listPayees or " +
            'createPayee), and the amount as a string with two decimals in EUR (e.g. "25.00"). ' +
            `Rules: at most ${perTransfer} per transfer, at most ${perDay} per customer per UTC day, and the ` +
            "account must hold the amount (no overdraft); a refusal is a 422 problem whose detail names the " +
            "rule and what is still possible. " +
            `Send a new unique ${IDEMPOTENCY_HEADER} (e.g. a UUID) for every new transfer, and reuse it only ` +
            "to retry the same transfer after a timeout or network error: the retry answers the original " +
            "transfer (with Idempotent-Replayed: true) instead of paying twice. The same key with a different " +
            "request is a 409. Needs the transfers:write scope.",
          scope: "transfers:write",
          parameters: [ref("parameters", "IdempotencyKey")],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: ref("schemas", "TransferRequest"),
                example: {
                  fromAccountId: EXAMPLE_IDS.account,
                  payeeId: EXAMPLE_IDS.payee,
                  amount: "25.00",
                  currency: CURRENCY,
                  reference: "Pizza on Friday",
                },
              },
            },
          },
          responses: {
            "201": {
              ...ok("The transfer was made (or, on a retry with the same key, had been made).", "Transfer"),
              headers: {
                Location: ref("headers", "Location"),
                "Idempotent-Replayed": ref("headers", "IdempotentReplayed"),
              },
            },
          },
          errors: {
            ...COMMON_ERRORS,
            "409": "IdempotencyConflict",
            "413": "ContentTooLarge",
            "415": "UnsupportedMediaType",
            "422": "TransferRefused",
          },
        }),
      },
      "/v1/transfers/{transferId}": {
        get: operation({
          operationId: "getTransfer",
          tag: "transfers",
          summary: "Get a transfer the customer made",
          description:
            "Returns a transfer's details and status by its transferId (from createTransfer's answer or a " +
            "transaction's transferId): source account, payee, amount, reference and the transaction it booked.",
          scope: "accounts:read",
          parameters: [ref("parameters", "TransferId")],
          responses: { "200": ok("The transfer.", "Transfer") },
          errors: { ...COMMON_ERRORS, "404": "NotFound" },
        }),
      },
    },
    components: {
      securitySchemes: {
        oauth2: {
          type: "oauth2",
          description:
            `OAuth 2.0 client credentials. POST ${TOKEN_PATH} with grant_type=client_credentials ` +
            "(application/x-www-form-urlencoded), the client authenticated by HTTP Basic (client_secret_basic) " +
            "or by client_id and client_secret form fields (client_secret_post), and optionally a " +
            `space-separated scope. Tokens last ${TOKEN_LIFETIME_SECONDS} seconds; an expired token is a 401 ` +
            "with a WWW-Authenticate challenge, after which a new token is needed.",
          flows: { clientCredentials: { tokenUrl: TOKEN_PATH, scopes: SCOPES } },
        },
        apiKey: {
          type: "apiKey",
          in: "header",
          name: API_KEY_HEADER,
          description: "An API key bound to one customer and a fixed set of scopes.",
        },
      },
      parameters: {
        AccountId: {
          name: "accountId",
          in: "path",
          required: true,
          description: "The account's id, from listAccounts.",
          schema: ref("schemas", "AccountId"),
        },
        PayeeId: {
          name: "payeeId",
          in: "path",
          required: true,
          description: "The payee's id, from listPayees.",
          schema: ref("schemas", "PayeeId"),
        },
        TransferId: {
          name: "transferId",
          in: "path",
          required: true,
          description: "The transfer's id, from createTransfer or a transaction's transferId.",
          schema: ref("schemas", "TransferId"),
        },
        From: {
          name: "from",
          in: "query",
          description: "Only transactions booked on or after this date (UTC), YYYY-MM-DD.",
          schema: { type: "string", format: "date", examples: ["2025-02-01"] },
        },
        To: {
          name: "to",
          in: "query",
          description: "Only transactions booked on or before this date (UTC), YYYY-MM-DD.",
          schema: { type: "string", format: "date", examples: ["2025-02-28"] },
        },
        MinAmount: {
          name: "minAmount",
          in: "query",
          description: "Only transactions whose amount, ignoring its sign, is at least this much (EUR).",
          schema: ref("schemas", "Amount"),
        },
        MaxAmount: {
          name: "maxAmount",
          in: "query",
          description: "Only transactions whose amount, ignoring its sign, is at most this much (EUR).",
          schema: ref("schemas", "Amount"),
        },
        Direction: {
          name: "direction",
          in: "query",
          description: 'Only money out ("debit") or only money in ("credit").',
          schema: ref("schemas", "Direction"),
        },
        Search: {
          name: "q",
          in: "query",
          description:
            "Text to find in the counterparty's name or the description, ignoring case and accents " +
            '(e.g. "rewe", "salary", "muller" finds "Müller").',
          schema: { type: "string", minLength: 1, maxLength: SEARCH_MAX_LENGTH },
        },
        Limit: {
          name: "limit",
          in: "query",
          description: "How many transactions a page holds at most.",
          schema: {
            type: "integer",
            minimum: PAGE_LIMIT.min,
            maximum: PAGE_LIMIT.max,
            default: PAGE_LIMIT.default,
          },
        },
        Cursor: {
          name: "cursor",
          in: "query",
          description:
            "The nextCursor of the previous page, as is, to read the next page. Omit for the first page.",
          schema: { type: "string" },
        },
        IdempotencyKey: {
          name: IDEMPOTENCY_HEADER,
          in: "header",
          required: true,
          description:
            "A unique value for this transfer (a UUID is best). Reuse it only to retry the same transfer: " +
            "the service then answers the transfer already made instead of paying twice. Keys are " +
            "remembered for 24 hours; a refused request (4xx) does not use up its key.",
          schema: { type: "string", pattern: IDEMPOTENCY_KEY_PATTERN },
          example: "5f0c1c3e-8a53-4c4e-9d4b-2f7f0a1e6b90",
        },
      },
      headers: {
        Location: {
          description: "The path of the resource created.",
          required: true,
          schema: { type: "string" },
        },
        IdempotentReplayed: {
          description: `"true" when the ${IDEMPOTENCY_HEADER} had already made this transfer: nothing new was sent.`,
          schema: { type: "string", enum: ["true"] },
        },
        WWWAuthenticate: {
          description: 'The challenge, e.g. `Bearer realm="banking-api", error="invalid_token"` (RFC 6750).',
          required: true,
          schema: { type: "string" },
        },
      },
      responses: {
        BadRequest: problemResponse(
          "The request is not valid: a field, query parameter or header is missing or malformed, or the body " +
            "is not JSON. `errors` lists each invalid field.",
          "ValidationProblem",
          {
            "validation-error": {
              title: "The request is not valid.",
              status: 400,
              detail: 'amount must be a string with exactly two decimals, e.g. "25.00".',
              instance: "/v1/transfers",
              errors: [
                {
                  pointer: "/amount",
                  detail: 'amount must be a string with exactly two decimals, e.g. "25.00".',
                },
              ],
            },
            "malformed-json": {
              title: "The request body is not valid JSON.",
              status: 400,
              detail: "The body could not be parsed as JSON: Unexpected end of JSON input.",
              instance: "/v1/transfers",
            },
          },
        ),
        Unauthorized: {
          ...problemResponse("No credential, or one that is not valid or has expired.", "Problem", {
            unauthenticated: {
              title: "Authentication is required.",
              status: 401,
              detail: `The access token expired at 2025-03-14T10:35:00.000Z; request a new one from POST ${TOKEN_PATH}.`,
              instance: "/v1/accounts",
            },
          }),
          headers: { "WWW-Authenticate": ref("headers", "WWWAuthenticate") },
        },
        Forbidden: problemResponse(
          "The credential is valid but lacks the scope this operation needs.",
          "ScopeProblem",
          {
            "insufficient-scope": {
              title: "The credential lacks a required scope.",
              status: 403,
              detail: "This operation needs the transfers:write scope; the credential has accounts:read.",
              instance: "/v1/transfers",
              requiredScope: "transfers:write",
            },
          },
        ),
        NotFound: problemResponse("No such resource belongs to this customer.", "Problem", {
          "not-found": {
            title: "Not Found",
            status: 404,
            detail: `No account acc_0000000000000000 belongs to this customer; listAccounts lists the customer's accounts.`,
            instance: "/v1/accounts/acc_0000000000000000",
          },
        }),
        PayeeExists: problemResponse("A payee with this IBAN already exists.", "ConflictProblem", {
          "payee-exists": {
            title: "A payee with this IBAN already exists.",
            status: 409,
            detail: `Jonas Weber (${EXAMPLE_IDS.payee}) already has this IBAN; send to that payee.`,
            instance: "/v1/payees",
            payeeId: EXAMPLE_IDS.payee,
          },
        }),
        IdempotencyConflict: problemResponse(
          `The ${IDEMPOTENCY_HEADER} was already used for a different transfer request.`,
          "ConflictProblem",
          {
            "idempotency-key-reused": {
              title: "The Idempotency-Key was already used for another request.",
              status: 409,
              detail:
                `The ${IDEMPOTENCY_HEADER} "5f0c1c3e-8a53-4c4e-9d4b-2f7f0a1e6b90" already made transfer ` +
                `${EXAMPLE_IDS.transfer} with a different request. Use a new key for a new transfer.`,
              instance: "/v1/transfers",
              transferId: EXAMPLE_IDS.transfer,
            },
          },
        ),
        TransferRefused: problemResponse(
          "The transfer was refused and nothing was sent: over the per-transfer or daily limit, not enough " +
            "money in the account, or an account or payee that is not the customer's. `detail` says which " +
            "and what is still possible.",
          "TransferRefusal",
          {
            "transfer-limit-exceeded": {
              title: "The amount is over the per-transfer limit.",
              status: 422,
              detail: `A single transfer may be at most ${perTransfer}; this one is 1,200.00 EUR.`,
              instance: "/v1/transfers",
              limit: "1000.00",
              amount: "1200.00",
            },
            "daily-limit-exceeded": {
              title: "The transfer would exceed the daily limit.",
              status: 422,
              detail:
                `Transfers are limited to ${perDay} per day (UTC). 2,000.00 EUR was already sent today, so at ` +
                "most 500.00 EUR more can be sent before 2025-03-15T00:00:00.000Z; this transfer is 600.00 EUR.",
              instance: "/v1/transfers",
              limit: "2500.00",
              sentToday: "2000.00",
              remainingToday: "500.00",
            },
            "insufficient-funds": {
              title: "The account has insufficient funds.",
              status: 422,
              detail: `Account ${EXAMPLE_IDS.holidayPot} (Holiday pot) has 85.40 EUR available; the transfer needs 100.00 EUR.`,
              instance: "/v1/transfers",
              available: "85.40",
              amount: "100.00",
            },
            "unknown-payee": {
              title: "The payee does not exist.",
              status: 422,
              detail: "No payee pay_0000000000000000 belongs to this customer.",
              instance: "/v1/transfers",
              errors: [{ pointer: "/payeeId", detail: "listPayees lists the payees; createPayee adds one." }],
            },
          },
        ),
        ContentTooLarge: problemResponse(`The body is over ${MAX_BODY_BYTES} bytes.`, "Problem", {
          "content-too-large": {
            title: "Content Too Large",
            status: 413,
            detail: `The body is over the limit of ${MAX_BODY_BYTES} bytes.`,
            instance: "/v1/payees",
          },
        }),
        UnsupportedMediaType: problemResponse("The body is not application/json.", "Problem", {
          "unsupported-media-type": {
            title: "Unsupported Media Type",
            status: 415,
            detail: "Send the body as application/json, not text/plain.",
            instance: "/v1/payees",
          },
        }),
      },
      schemas: {
        Amount: {
          type: "string",
          pattern: AMOUNT_PATTERN,
          description:
            "An amount of euros as a string with exactly two decimals, no sign, no thousands separator.",
          examples: ["25.00", "1234.56"],
        },
        SignedAmount: {
          type: "string",
          pattern: SIGNED_AMOUNT_PATTERN,
          description: "An amount of euros with two decimals; negative when money leaves the account.",
          examples: ["-42.10", "3480.00"],
        },
        Currency: {
          type: "string",
          enum: [CURRENCY],
          description: "ISO 4217 code; accounts hold euros only.",
        },
        Iban: {
          type: "string",
          pattern: IBAN_PATTERN,
          description: "An IBAN in its compact form: upper case, no spaces.",
          examples: ["DE89370400440532013000"],
        },
        Timestamp: { type: "string", format: "date-time", description: "An instant in UTC (RFC 3339)." },
        CustomerId: { type: "string", pattern: "^cus_[0-9a-f]{16}$", examples: [EXAMPLE_IDS.customer] },
        AccountId: { type: "string", pattern: "^acc_[0-9a-f]{16}$", examples: [EXAMPLE_IDS.account] },
        PayeeId: { type: "string", pattern: "^pay_[0-9a-f]{16}$", examples: [EXAMPLE_IDS.payee] },
        TransactionId: { type: "string", pattern: "^txn_[0-9a-f]{16}$", examples: [EXAMPLE_IDS.transaction] },
        TransferId: { type: "string", pattern: "^trf_[0-9a-f]{16}$", examples: [EXAMPLE_IDS.transfer] },
        Direction: {
          type: "string",
          enum: ["debit", "credit"],
          description: '"debit": money left the account; "credit": money came in.',
        },
        Customer: {
          type: "object",
          description: "A bank customer.",
          required: ["id", "name", "email", "customerSince"],
          properties: {
            id: ref("schemas", "CustomerId"),
            name: { type: "string", description: "The customer's full name.", examples: ["Maria Schneider"] },
            email: { type: "string", format: "email" },
            customerSince: {
              type: "string",
              format: "date",
              description: "When the customer joined the bank.",
            },
          },
        },
        Account: {
          type: "object",
          description: "A customer's bank account. Its balance is at getAccountBalance.",
          required: ["id", "iban", "name", "type", "currency", "status", "openedOn"],
          properties: {
            id: ref("schemas", "AccountId"),
            iban: ref("schemas", "Iban"),
            name: {
              type: "string",
              description: "The name the customer knows the account by.",
              examples: ["Everyday account", "Savings", "Holiday pot"],
            },
            type: {
              type: "string",
              enum: ["current", "savings"],
              description: '"current" for everyday spending, "savings" for putting money aside.',
            },
            currency: ref("schemas", "Currency"),
            status: { type: "string", enum: ["active"] },
            openedOn: { type: "string", format: "date" },
          },
        },
        AccountList: {
          type: "object",
          required: ["data"],
          properties: { data: { type: "array", items: ref("schemas", "Account") } },
        },
        Balance: {
          type: "object",
          description: "An account's balance at a moment.",
          required: ["accountId", "currency", "booked", "available", "asOf"],
          properties: {
            accountId: ref("schemas", "AccountId"),
            currency: ref("schemas", "Currency"),
            booked: {
              ...ref("schemas", "SignedAmount"),
              description: "The sum of every booked transaction: what a statement shows.",
            },
            available: {
              ...ref("schemas", "SignedAmount"),
              description: "What can be spent or transferred now (there is no overdraft).",
            },
            asOf: ref("schemas", "Timestamp"),
          },
        },
        Counterparty: {
          type: "object",
          description: "Who was on the other side of a transaction.",
          required: ["name", "iban"],
          properties: {
            name: { type: "string", examples: ["REWE Markt GmbH", "Hausverwaltung Krüger GmbH"] },
            iban: {
              type: ["string", "null"],
              description: "Their IBAN for transfers; null for card payments and cash.",
            },
          },
        },
        Transaction: {
          type: "object",
          description: "A booked movement of money on an account.",
          required: [
            "id",
            "accountId",
            "bookedAt",
            "valueDate",
            "amount",
            "currency",
            "direction",
            "counterparty",
            "description",
            "category",
            "balanceAfter",
            "transferId",
          ],
          properties: {
            id: ref("schemas", "TransactionId"),
            accountId: ref("schemas", "AccountId"),
            bookedAt: ref("schemas", "Timestamp"),
            valueDate: { type: "string", format: "date", description: "The UTC date the money moved." },
            amount: ref("schemas", "SignedAmount"),
            currency: ref("schemas", "Currency"),
            direction: ref("schemas", "Direction"),
            counterparty: ref("schemas", "Counterparty"),
            description: {
              type: "string",
              description: "The statement text: a card payment's shop, a transfer's reference.",
              examples: ["Card payment, REWE City", "Rent Belgradstr. 14, flat 3B"],
            },
            category: { type: "string", enum: [...TRANSACTION_CATEGORIES] },
            balanceAfter: {
              ...ref("schemas", "SignedAmount"),
              description: "The account's booked balance right after this transaction.",
            },
            transferId: {
              type: ["string", "null"],
              description: "The transfer that booked this transaction, if it was made through this API.",
            },
          },
        },
        TransactionPage: {
          type: "object",
          required: ["data", "nextCursor"],
          properties: {
            data: { type: "array", items: ref("schemas", "Transaction"), description: "Newest first." },
            nextCursor: {
              type: ["string", "null"],
              description:
                "Pass as `cursor` (with the same filters) for the next page; null on the last page.",
            },
          },
        },
        Payee: {
          type: "object",
          description: "A person or company the customer can send money to.",
          required: ["id", "name", "iban", "createdAt"],
          properties: {
            id: ref("schemas", "PayeeId"),
            name: { type: "string", examples: ["Jonas Weber"] },
            iban: ref("schemas", "Iban"),
            createdAt: ref("schemas", "Timestamp"),
          },
        },
        PayeeList: {
          type: "object",
          required: ["data"],
          properties: { data: { type: "array", items: ref("schemas", "Payee") } },
        },
        NewPayee: {
          type: "object",
          required: ["name", "iban"],
          additionalProperties: false,
          properties: {
            name: {
              type: "string",
              minLength: 1,
              maxLength: PAYEE_NAME_MAX_LENGTH,
              description: "The payee's name as it appears on their bank account.",
            },
            iban: {
              type: "string",
              minLength: 15,
              maxLength: 42,
              description: "The payee's IBAN; spaces and lower case are accepted and removed.",
              examples: ["DE02 1203 0000 0000 2020 51"],
            },
          },
        },
        TransferRequest: {
          type: "object",
          required: ["fromAccountId", "payeeId", "amount", "currency"],
          additionalProperties: false,
          properties: {
            fromAccountId: {
              ...ref("schemas", "AccountId"),
              description: "The customer's account the money leaves (listAccounts).",
            },
            payeeId: { ...ref("schemas", "PayeeId"), description: "The payee who receives it (listPayees)." },
            amount: {
              ...ref("schemas", "Amount"),
              description: `How much to send, more than 0.00 and at most ${perTransfer}.`,
            },
            currency: ref("schemas", "Currency"),
            reference: {
              type: "string",
              maxLength: REFERENCE_MAX_LENGTH,
              description: "The text the payee sees on their statement, e.g. an invoice number.",
            },
          },
        },
        Transfer: {
          type: "object",
          description: "Money sent from a customer's account to a payee.",
          required: [
            "id",
            "status",
            "fromAccountId",
            "payee",
            "amount",
            "currency",
            "reference",
            "createdAt",
            "transactionId",
          ],
          properties: {
            id: ref("schemas", "TransferId"),
            status: {
              type: "string",
              enum: ["completed"],
              description: "Transfers settle at once: a transfer that exists is completed.",
            },
            fromAccountId: ref("schemas", "AccountId"),
            payee: ref("schemas", "Payee"),
            amount: ref("schemas", "Amount"),
            currency: ref("schemas", "Currency"),
            reference: { type: "string" },
            createdAt: ref("schemas", "Timestamp"),
            transactionId: {
              ...ref("schemas", "TransactionId"),
              description: "The debit booked on the source account.",
            },
          },
        },
        Problem: {
          type: "object",
          description: "An error, as RFC 9457 problem details.",
          required: ["type", "title", "status", "detail", "instance"],
          properties: {
            type: {
              type: "string",
              format: "uri-reference",
              description:
                `What kind of problem: a URI under ${problemType("validation-error").replace(/[^/]*$/, "")} ` +
                'for this API\'s own problems, "about:blank" for plain HTTP ones (then title is the status phrase).',
            },
            title: { type: "string", description: "A short, fixed summary of the problem type." },
            status: { type: "integer", minimum: 400, maximum: 599 },
            detail: { type: "string", description: "What went wrong this time, and what to do about it." },
            instance: { type: "string", format: "uri-reference", description: "The request path." },
          },
        },
        FieldError: {
          type: "object",
          description: "One invalid field: in the JSON body (pointer), the query (parameter) or a header.",
          required: ["detail"],
          properties: {
            detail: { type: "string" },
            pointer: {
              type: "string",
              description: 'A JSON Pointer into the body (RFC 6901), e.g. "/amount".',
            },
            parameter: { type: "string", description: "The name of a query parameter." },
            header: { type: "string", description: "The name of a request header." },
          },
        },
        ValidationProblem: {
          allOf: [
            ref("schemas", "Problem"),
            {
              type: "object",
              properties: { errors: { type: "array", items: ref("schemas", "FieldError") } },
            },
          ],
        },
        ScopeProblem: {
          allOf: [
            ref("schemas", "Problem"),
            {
              type: "object",
              properties: { requiredScope: { type: "string", enum: Object.keys(SCOPES) } },
            },
          ],
        },
        ConflictProblem: {
          allOf: [
            ref("schemas", "Problem"),
            {
              type: "object",
              properties: {
                payeeId: {
                  ...ref("schemas", "PayeeId"),
                  description: "The payee that already has this IBAN.",
                },
                transferId: {
                  ...ref("schemas", "TransferId"),
                  description: "The transfer the key already made.",
                },
              },
            },
          ],
        },
        TransferRefusal: {
          allOf: [
            ref("schemas", "Problem"),
            {
              type: "object",
              properties: {
                limit: { ...ref("schemas", "Amount"), description: "The limit that applies." },
                amount: { ...ref("schemas", "Amount"), description: "The amount asked for." },
                sentToday: { ...ref("schemas", "Amount"), description: "Already sent today (UTC)." },
                remainingToday: {
                  ...ref("schemas", "Amount"),
                  description: "How much more can be sent today (UTC).",
                },
                available: {
                  ...ref("schemas", "SignedAmount"),
                  description: "The account's available balance.",
                },
                errors: { type: "array", items: ref("schemas", "FieldError") },
              },
            },
          ],
        },
      },
    },
  };
}
