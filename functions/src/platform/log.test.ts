import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { log, setLogSink, withLogContext, type Severity } from "./log.js";

interface Captured {
  readonly line: string;
  readonly severity: Severity;
  readonly entry: Record<string, unknown>;
}

let captured: Captured[] = [];
let restore: ReturnType<typeof setLogSink> | undefined;

beforeEach(() => {
  captured = [];
  restore = setLogSink((line, severity) => {
    captured.push({ line, severity, entry: JSON.parse(line) as Record<string, unknown> });
  });
});

afterEach(() => {
  if (restore) setLogSink(restore);
});

const only = (): Captured => {
  expect(captured).toHaveLength(1);
  return captured[0] as Captured;
};

describe("log redaction", () => {
  it("redacts personal data in the message and in nested fields", () => {
    log.info("Signup from jane.doe@example.com", {
      phone: "+44 20 7946 0958",
      payment: { card: "4111 1111 1111 1111", last4: "1111" },
      recipients: ["ops@acme.io", "billing team"],
      attempts: 3,
    });

    const { line, entry } = only();
    expect(entry).toMatchObject({
      severity: "INFO",
      message: "Signup from [email]",
      phone: "[phone]",
      payment: { card: "[card]", last4: "1111" },
      recipients: ["[email]", "billing team"],
      attempts: 3,
    });
    for (const raw of ["jane.doe@example.com", "7946 0958", "4111 1111 1111 1111", "ops@acme.io"]) {
      expect(line).not.toContain(raw);
    }
  });

  it("redacts error messages and stacks", () => {
    const err = new Error("Charge failed for card 4111-1111-1111-1111 (customer ops@acme.io)");
    log.error("Payment failed", { err });

    const { severity, line, entry } = only();
    expect(severity).toBe("ERROR");
    const error = entry.err as { name: string; message: string; stack: string };
    expect(error.name).toBe("Error");
    expect(error.message).toBe("Charge failed for card [card] (customer [email])");
    expect(error.stack).toContain("Charge failed for card [card] (customer [email])");
    expect(line).not.toContain("4111-1111-1111-1111");
    expect(line).not.toContain("ops@acme.io");
  });

  it("redacts secrets and context fields, keeping the request id and time intact", () => {
    withLogContext({ requestId: "req_8Hk2Lm9Qz", caller: "admin@acme.io" }, () => {
      log.warn("Rejected key alk_Zx8vQ2mN4pL6rT0yW3bK", { header: "Bearer sk-abcdefghijklmnopqrstuvwx" });
    });

    const { entry } = only();
    expect(entry).toMatchObject({
      severity: "WARNING",
      message: "Rejected key [secret]",
      header: "Bearer [secret]",
      requestId: "req_8Hk2Lm9Qz",
      caller: "[email]",
    });
    expect(entry.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("leaves ordinary log lines as they were", () => {
    log.info("Indexed 12 chunks of handbook-v1.2.3.pdf on 2026-11-25 in 850ms", {
      docId: "a1B2c3D4e5F6g7H8i9J0",
      section: "4.2.1",
      amount: "$1,200.50",
    });

    expect(only().entry).toMatchObject({
      message: "Indexed 12 chunks of handbook-v1.2.3.pdf on 2026-11-25 in 850ms",
      docId: "a1B2c3D4e5F6g7H8i9J0",
      section: "4.2.1",
      amount: "$1,200.50",
    });
  });

  it("does not change the fields object it was given", () => {
    const fields = { user: { email: "jane@example.com" } };
    log.info("Lookup", fields);

    expect(only().entry.user).toEqual({ email: "[email]" });
    expect(fields).toEqual({ user: { email: "jane@example.com" } });
  });
});
