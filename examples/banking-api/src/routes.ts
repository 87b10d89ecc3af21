import { getAccount, getBalance, getCustomer, listAccounts } from "./accounts.js";
import { issueToken, TOKEN_PATH, type Authority } from "./auth.js";
import { type Bank } from "./bank.js";
import { openApiDocument } from "./openapi.js";
import { addPayee, getPayee, listPayees, parseNewPayee } from "./payees.js";
import { pathParam, type Route } from "./router.js";
import { listTransactions, parseTransactionQuery, TRANSACTION_QUERY } from "./transactions.js";
import { createTransfer, getTransfer, parseIdempotencyKey, parseTransferRequest } from "./transfers.js";

// Every route the service answers. Handlers are thin: read the input, call one domain function, shape the reply.

export function bankRoutes(bank: Bank, authority: Authority): Route[] {
  return [
    {
      method: "GET",
      path: "/openapi.json",
      handle: () => ({ status: 200, body: openApiDocument(), headers: { "Cache-Control": "no-cache" } }),
    },
    {
      method: "POST",
      path: TOKEN_PATH,
      body: "form",
      handle: (request) => ({
        status: 200,
        body: issueToken(authority, request.form, request.headers.authorization),
        headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
      }),
    },
    {
      method: "GET",
      path: "/v1/customers/me",
      operationId: "getCurrentCustomer",
      scope: "accounts:read",
      handle: (_request, principal) => ok(getCustomer(bank, principal.customerId)),
    },
    {
      method: "GET",
      path: "/v1/accounts",
      operationId: "listAccounts",
      scope: "accounts:read",
      handle: (_request, principal) => ok({ data: listAccounts(bank, principal.customerId) }),
    },
    {
      method: "GET",
      path: "/v1/accounts/{accountId}",
      operationId: "getAccount",
      scope: "accounts:read",
      handle: (request, principal) =>
        ok(getAccount(bank, principal.customerId, pathParam(request, "accountId"))),
    },
    {
      method: "GET",
      path: "/v1/accounts/{accountId}/balance",
      operationId: "getAccountBalance",
      scope: "accounts:read",
      handle: (request, principal) =>
        ok(getBalance(bank, principal.customerId, pathParam(request, "accountId"))),
    },
    {
      method: "GET",
      path: "/v1/accounts/{accountId}/transactions",
      operationId: "listAccountTransactions",
      scope: "accounts:read",
      query: TRANSACTION_QUERY,
      handle: (request, principal) => {
        const query = parseTransactionQuery(request.query);
        return ok(listTransactions(bank, principal.customerId, pathParam(request, "accountId"), query));
      },
    },
    {
      method: "GET",
      path: "/v1/payees",
      operationId: "listPayees",
      scope: "accounts:read",
      handle: (_request, principal) => ok({ data: listPayees(bank, principal.customerId) }),
    },
    {
      method: "POST",
      path: "/v1/payees",
      operationId: "createPayee",
      scope: "transfers:write",
      body: "json",
      handle: (request, principal) => {
        const payee = addPayee(bank, principal.customerId, parseNewPayee(request.body));
        return { status: 201, body: payee, headers: { Location: `/v1/payees/${payee.id}` } };
      },
    },
    {
      method: "GET",
      path: "/v1/payees/{payeeId}",
      operationId: "getPayee",
      scope: "accounts:read",
      handle: (request, principal) => ok(getPayee(bank, principal.customerId, pathParam(request, "payeeId"))),
    },
    {
      method: "POST",
      path: "/v1/transfers",
      operationId: "createTransfer",
      scope: "transfers:write",
      body: "json",
      handle: (request, principal) => {
        const key = parseIdempotencyKey(request.headers["idempotency-key"]);
        const { transfer, replayed } = createTransfer(
          bank,
          principal.customerId,
          key,
          parseTransferRequest(request.body),
        );
        return {
          status: 201,
          body: transfer,
          headers: {
            Location: `/v1/transfers/${transfer.id}`,
            ...(replayed ? { "Idempotent-Replayed": "true" } : {}),
          },
        };
      },
    },
    {
      method: "GET",
      path: "/v1/transfers/{transferId}",
      operationId: "getTransfer",
      scope: "accounts:read",
      handle: (request, principal) =>
        ok(getTransfer(bank, principal.customerId, pathParam(request, "transferId"))),
    },
  ];
}

function ok(body: unknown) {
  return { status: 200, body };
}
