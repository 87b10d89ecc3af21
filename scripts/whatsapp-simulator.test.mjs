// The WhatsApp simulator speaks Meta's webhook format: a signature the platform's check accepts and a body of
// the shape it reads (functions/src/channels/whatsapp/webhook.ts; its tests post the same shape).
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signature, textDelivery } from "./whatsapp-simulator.mjs";

describe("the WhatsApp simulator", () => {
  it("signs the exact bytes with HMAC-SHA256 of the app secret, as X-Hub-Signature-256", () => {
    const body = '{"a":1}';
    expect(signature("secret", body)).toBe(
      `sha256=${createHmac("sha256", "secret").update(body).digest("hex")}`,
    );
    expect(signature("secret", body)).not.toBe(signature("secret", '{"a": 1}'));
  });

  it("posts one text message from the sender to the connected number", () => {
    const body = JSON.parse(
      textDelivery({
        phoneNumberId: "1098765432",
        from: "31600000000",
        text: "Hello",
        id: "wamid.X",
        now: 1_700_000_000_000,
      }),
    );
    expect(body.object).toBe("whatsapp_business_account");
    const value = body.entry[0].changes[0].value;
    expect(body.entry[0].changes[0].field).toBe("messages");
    expect(value.metadata.phone_number_id).toBe("1098765432");
    expect(value.messages[0]).toEqual({
      from: "31600000000",
      id: "wamid.X",
      timestamp: "1700000000",
      type: "text",
      text: { body: "Hello" },
    });
  });
});
