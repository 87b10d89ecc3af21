import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type PayeeView } from "./payees.js";
import { body, MARIA_KEY, postJson, startTestBank, type TestBank } from "./testing/harness.js";

let bank: TestBank;
beforeEach(async () => {
  bank = await startTestBank();
});
afterEach(() => bank.close());

describe("payees", () => {
  it("lists the customer's own payees only", async () => {
    const { data } = await body<{ data: PayeeView[] }>(await bank.call("/v1/payees", { headers: MARIA_KEY }));
    expect(data.map((payee) => payee.name).sort()).toEqual([
      "Hausverwaltung Krüger GmbH",
      "Jonas Weber",
      "Stadtwerke München GmbH",
    ]);
  });

  it("saves a payee with a valid IBAN, in compact form, and finds it at its Location", async () => {
    const response = await bank.call(
      "/v1/payees",
      postJson(MARIA_KEY, { name: "  Anna Keller ", iban: "de02 1203 0000 0000 2020 51" }),
    );
    expect(response.status).toBe(201);
    const payee = await body<PayeeView>(response);
    expect(payee).toMatchObject({ name: "Anna Keller", iban: "DE02120300000000202051" });
    expect(payee.createdAt).toBe("2025-03-14T10:30:00.000Z");
    const location = response.headers.get("location") ?? "";
    expect(location).toBe(`/v1/payees/${payee.id}`);
    expect(await body(await bank.call(location, { headers: MARIA_KEY }))).toEqual(payee);
  });

  it("refuses an IBAN whose check digits do not match, pointing at the field", async () => {
    const response = await bank.call(
      "/v1/payees",
      postJson(MARIA_KEY, { name: "Anna Keller", iban: "DE02120300000000202052" }),
    );
    expect(response.status).toBe(400);
    expect(await body(response)).toMatchObject({
      type: "https://banking-api.example/problems/validation-error",
      status: 400,
      errors: [
        {
          pointer: "/iban",
          detail: "The IBAN's check digits do not match: a character is probably mistyped.",
        },
      ],
    });
  });

  it("lists every problem with the body at once, including unknown fields", async () => {
    const response = await bank.call(
      "/v1/payees",
      postJson(MARIA_KEY, { name: "", ibn: "DE02120300000000202051" }),
    );
    expect(response.status).toBe(400);
    const problem = await body<{ errors: { pointer: string }[]; detail: string }>(response);
    expect(problem.errors.map((error) => error.pointer).sort()).toEqual(["/iban", "/ibn", "/name"]);
    expect(problem.detail).toBe("3 fields are not valid; see errors.");
  });

  it("refuses a second payee with the same IBAN, naming the existing one", async () => {
    const response = await bank.call(
      "/v1/payees",
      postJson(MARIA_KEY, { name: "Jonas W.", iban: "DE89 3704 0044 0532 0130 00" }),
    );
    expect(response.status).toBe(409);
    const jonas = [...bank.demo.bank.payees.values()].find((payee) => payee.name === "Jonas Weber");
    expect(await body(response)).toMatchObject({
      type: "https://banking-api.example/problems/payee-exists",
      payeeId: jonas?.id,
    });
  });
});
