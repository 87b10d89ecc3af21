import { describe, expect, it } from "vitest";
import { PlatformRequestError } from "../platform";
import { firebaseRequestError } from "./errors";
import { firebaseError } from "./testing/fakeAuth";

describe("Firebase errors as the studio shows them", () => {
  it("says a network failure is one, so the screen offers to try again", () => {
    const error = firebaseRequestError(firebaseError("auth/network-request-failed"), "auth");
    expect(error).toBeInstanceOf(PlatformRequestError);
    expect(error.failure).toBe("network");
  });

  it("keeps a callable's own sentence and its field issues, with the status the REST API would answer", () => {
    const error = firebaseRequestError(
      firebaseError("functions/failed-precondition", "You already belong to tenant acme; ask its owner", {
        issues: [{ path: "tenantName", message: "Too long" }],
      }),
      "identity-createTenant",
    );
    expect(error).toMatchObject({
      failure: "http",
      status: 400,
      code: "failed-precondition",
      reason: "You already belong to tenant acme; ask its owner",
      issues: [{ path: "tenantName", message: "Too long" }],
    });
  });

  it("replaces Firestore's and Storage's bare denials with a sentence a person can act on", () => {
    for (const code of ["permission-denied", "storage/unauthorized"]) {
      expect(
        firebaseRequestError(firebaseError(code, "Missing or insufficient permissions."), "x"),
      ).toMatchObject({
        status: 403,
        code: "permission-denied",
        reason: "Your role in this workspace does not allow this.",
      });
    }
  });

  it("reads a callable's refusal for the plan or the credits as the REST API's 402, with its facts", () => {
    const billing = {
      limit: "credits",
      value: 5_000_000,
      used: 5_000_000,
      resetsAt: "2026-12-01T00:00:00.000Z",
    };
    const error = firebaseRequestError(
      firebaseError("functions/resource-exhausted", "This workspace has no credits left", { billing }),
      "agents-converse",
    );
    expect(error).toMatchObject({ status: 402, code: "payment-required", details: { billing } });
    // A rate limit stays a rate limit.
    expect(
      firebaseRequestError(firebaseError("functions/resource-exhausted", "Slow down"), "x"),
    ).toMatchObject({
      status: 429,
      code: "resource-exhausted",
    });
  });

  it("reports an error without a code (a bug, a parser's complaint) rather than hiding it", () => {
    expect(firebaseRequestError(new TypeError("reading 'name' of undefined"), "agents")).toMatchObject({
      failure: "invalid-response",
      message: "reading 'name' of undefined",
    });
  });
});
