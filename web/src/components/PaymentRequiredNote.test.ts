import { describe, expect, it } from "vitest";
import { PlatformRequestError } from "../data/platform";
import { errorSentence, paymentRequiredReason } from "./PaymentRequiredNote";

function refusal(message: string, billing: unknown) {
  return new PlatformRequestError(
    "http",
    "/v1/conversations/cnv_1/messages",
    `POST … answered HTTP 402: ${message}`,
    402,
    {
      code: "payment-required",
      reason: message,
      details: { billing },
    },
  );
}

describe("a refusal for the plan or the credits, in the studio's words", () => {
  it("says the credits ran out and when they renew, without the platform's micros", () => {
    const error = refusal(
      "This workspace has no credits left (the Free plan includes 5,000,000 micros a month); they renew at 2026-12-01T00:00:00.000Z. An owner can top up or upgrade under Billing.",
      {
        limit: "credits",
        value: 5_000_000,
        used: 5_000_000,
        resetsAt: "2026-12-01T00:00:00.000Z",
        plan: "free",
      },
    );
    expect(paymentRequiredReason(error)).toBe(
      "This workspace has used all its credits; they renew on Dec 1, 2026, 00:00 UTC.",
    );
  });

  it("keeps the platform's sentence about a limit, with its reset written as a time", () => {
    const error = refusal(
      "This workspace has reached its limit of 500 conversations per day (Free plan); it resets at 2026-11-26T00:00:00.000Z.",
      {
        limit: "conversationsPerDay",
        value: 500,
        used: 500,
        resetsAt: "2026-11-26T00:00:00.000Z",
        plan: "free",
      },
    );
    expect(errorSentence(error)).toBe(
      "This workspace has reached its limit of 500 conversations per day (Free plan); it resets at Nov 26, 2026, 00:00 UTC.",
    );
  });

  it("leaves every other error as the platform said it", () => {
    const error = new PlatformRequestError("http", "/v1/agents", "POST /v1/agents answered HTTP 409", 409, {
      code: "already-exists",
      reason: "An agent with this name exists",
    });
    expect(paymentRequiredReason(error)).toBeUndefined();
    expect(errorSentence(error)).toBe("An agent with this name exists");
  });
});
