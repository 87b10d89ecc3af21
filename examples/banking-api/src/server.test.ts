import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "./http.js";
import { body, MARIA_KEY, postJson, startTestBank, type TestBank } from "./testing/harness.js";

let bank: TestBank;
beforeAll(async () => {
  bank = await startTestBank();
});
afterAll(() => bank.close());

/** Every error is RFC 9457 problem+json whose status matches the response's. */
async function expectProblem(response: Response, status: number, type: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = await body(response);
  expect(problem).toMatchObject({ type, status, title: expect.any(String) as unknown });
  expect(typeof problem["detail"]).toBe("string");
  expect(typeof problem["instance"]).toBe("string");
  return problem;
}

describe("HTTP behaviour", () => {
  it("an unknown route is a 404 problem, before any credential is asked for", async () => {
    const problem = await expectProblem(await bank.call("/v1/accountz"), 404, "about:blank");
    expect(problem).toMatchObject({ title: "Not Found", instance: "/v1/accountz" });
    await expectProblem(await bank.call("/v1/accounts/"), 404, "about:blank");
    // A path that looks like an authority is still a path.
    await expectProblem(await bank.call("//evil.example/v1/accounts"), 404, "about:blank");
  });

  it("a known route with the wrong method is a 405 with Allow", async () => {
    const response = await bank.call("/v1/accounts", { method: "DELETE", headers: MARIA_KEY });
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    await expectProblem(response, 405, "about:blank");
    const payees = await bank.call("/v1/payees", { method: "PUT" });
    expect(payees.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
    expect(payees.status).toBe(405);
  });

  it("answers OPTIONS with the allowed methods and HEAD like GET without a body", async () => {
    const options = await bank.call("/v1/transfers", { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("POST, OPTIONS");
    const head = await bank.call("/v1/accounts", { method: "HEAD", headers: MARIA_KEY });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("malformed JSON is a 400 problem", async () => {
    const response = await bank.call("/v1/payees", {
      method: "POST",
      headers: { ...MARIA_KEY, "Content-Type": "application/json" },
      body: '{"name": "Anna",',
    });
    const problem = await expectProblem(response, 400, "https://banking-api.example/problems/malformed-json");
    expect(problem["detail"]).toMatch(/^The body could not be parsed as JSON: /);
  });

  it("a JSON body that is not an object is a 400 validation problem", async () => {
    const response = await bank.call("/v1/payees", postJson(MARIA_KEY, ["Anna", "DE02120300000000202051"]));
    await expectProblem(response, 400, "https://banking-api.example/problems/validation-error");
  });

  it("a body in another media type is a 415", async () => {
    const response = await bank.call("/v1/payees", {
      method: "POST",
      headers: { ...MARIA_KEY, "Content-Type": "text/plain" },
      body: "name=Anna",
    });
    expect(response.headers.get("accept-post")).toBe("application/json");
    await expectProblem(response, 415, "about:blank");
  });

  it("a body over 64 KB is a 413, whether declared or streamed", async () => {
    const large = JSON.stringify({
      name: "A",
      iban: "DE02120300000000202051",
      pad: "x".repeat(MAX_BODY_BYTES),
    });
    const declared = await bank.call("/v1/payees", {
      method: "POST",
      headers: { ...MARIA_KEY, "Content-Type": "application/json" },
      body: large,
    });
    await expectProblem(declared, 413, "about:blank");

    const streamed = await new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
      const call = request(`${bank.baseUrl}/v1/payees`, {
        method: "POST",
        headers: { ...MARIA_KEY, "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
      });
      call.on("response", (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, type: response.headers["content-type"] ?? "", text }),
        );
      });
      call.on("error", reject);
      for (let sent = 0; sent < large.length; sent += 8192) call.write(large.slice(sent, sent + 8192));
      call.end();
    });
    expect(streamed.status).toBe(413);
    expect(streamed.type).toBe("application/problem+json");
    expect(JSON.parse(streamed.text)).toMatchObject({ status: 413, title: "Content Too Large" });
  });

  it("a body of exactly 64 KB is read", async () => {
    const base = JSON.stringify({ name: "A", iban: "DE02120300000000202051", pad: "" });
    const exact = base.replace('"pad":""', `"pad":"${"x".repeat(MAX_BODY_BYTES - base.length)}"`);
    expect(Buffer.byteLength(exact)).toBe(MAX_BODY_BYTES);
    const response = await bank.call("/v1/payees", {
      method: "POST",
      headers: { ...MARIA_KEY, "Content-Type": "application/json" },
      body: exact,
    });
    // Read and judged: `pad` is not a field.
    await expectProblem(response, 400, "https://banking-api.example/problems/validation-error");
  });

  it("answers JSON that no cache may keep", async () => {
    const response = await bank.call("/v1/accounts", { headers: MARIA_KEY });
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("a repeated query parameter is refused rather than one of them picked", async () => {
    const account = bank.account("maria", "Everyday account");
    const response = await bank.call(`/v1/accounts/${account.id}/transactions?limit=5&limit=50`, {
      headers: MARIA_KEY,
    });
    await expectProblem(response, 400, "https://banking-api.example/problems/validation-error");
  });
});
