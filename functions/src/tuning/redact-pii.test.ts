/**
 * Redaction for training files: no email address or phone number of a seeded corpus survives (checked by a
 * detector written here, independently of the redactor's rules), ordinary numbers do, bypass attempts fail, and
 * hostile input cannot make it slow.
 *
 * Which figures are in-sample: the seeded corpus's formats and the ordinary phrases were written together with the
 * rules, so passing them shows the rules do what they say, not how they do on text nobody anticipated. The
 * "held-out" list below was written before running the redactor on it and is reported as it first came out.
 */
import { describe, expect, it } from "vitest";
import { redactForTraining } from "./redact-pii.js";
import { corpus, ordinaryPhrases } from "./testing/pii-corpus.js";
import { leaks, readable } from "./testing/pii-detector.js";

describe("redactForTraining on a seeded corpus", () => {
  const lines = corpus(20260506, 25);

  it("covers every format many times", () => {
    const formats = new Set(lines.map((l) => l.format));
    expect(formats.size).toBeGreaterThanOrEqual(50);
    expect(lines.length).toBe(formats.size * 25);
  });

  it("leaves no email address or phone number: the detector finds nothing, no secret survives", () => {
    const failures: string[] = [];
    for (const line of lines) {
      const out = redactForTraining(line.text).text;
      const seen = readable(out).toLowerCase();
      const outDigits = seen.replace(/\D/g, "");
      const problems = [
        ...leaks(out),
        ...line.secrets.filter((s) => seen.includes(s.toLowerCase())).map((s) => `secret ${s}`),
        ...line.digits.filter((d) => outDigits.includes(d)).map((d) => `digits ${d}`),
      ];
      if (problems.length > 0)
        failures.push(
          `${line.format}: ${JSON.stringify(line.text)} -> ${JSON.stringify(out)}: ${problems.join("; ")}`,
        );
    }
    expect(failures).toEqual([]);
  });

  it("counts what it replaced, by kind", () => {
    const email = lines.find((l) => l.format === "email #0") as (typeof lines)[number];
    const phone = lines.find((l) => l.format === "phone #1") as (typeof lines)[number];
    expect(redactForTraining(email.text).counts).toEqual({ email: 1 });
    expect(redactForTraining(phone.text).counts).toEqual({ phone: 1 });
    expect(redactForTraining(`${email.text} ${phone.text}`).counts).toEqual({ email: 1, phone: 1 });
  });

  it("the detector itself sees every seeded line as leaking before redaction (it can fail)", () => {
    const missed = lines.filter((l) => {
      const seen = readable(l.text).toLowerCase();
      return (
        leaks(l.text).length === 0 &&
        !l.secrets.some((s) => seen.includes(s.toLowerCase())) &&
        l.digits.length === 0
      );
    });
    expect(missed).toEqual([]);
    const digitsSeen = lines.filter(
      (l) =>
        l.digits.length > 0 &&
        readable(l.text)
          .replace(/\D/g, "")
          .includes(l.digits[0] as string),
    );
    expect(digitsSeen.length).toBe(lines.filter((l) => l.digits.length > 0).length);
  });
});

describe("redactForTraining on ordinary text", () => {
  it.each(ordinaryPhrases)("leaves %j as it is", (phrase) => {
    const text = `Note: ${phrase}, as agreed.`;
    expect(redactForTraining(text)).toEqual({ text, counts: {} });
  });

  it("returns text without personal data untouched, look-alike characters and all", () => {
    const text = "Ｆｕｌｌｗｉｄｔｈ text, a soft\u00ADhyphen, ٣ apples and ﬁne ligatures.";
    expect(redactForTraining(text).text).toBe(text);
  });

  it("keeps what the platform's redactor also replaces: cards, IBANs, keys", () => {
    const out = redactForTraining(
      "Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, key sk-abcdefghijklmnopqrstuvwxyz123456",
    );
    expect(out.text).toBe("Card [card], IBAN [iban], key [secret]");
  });
});

describe("bypass attempts", () => {
  const attempts: [string, string][] = [
    ["zero-width joiner in the local part", "write to ja\u200dne.qwerty@example.com"],
    ["word joiner in the domain", "jane.qwerty@exa\u2060mple.com"],
    ["right-to-left override", "jane.qwerty\u202e@example.com"],
    ["soft hyphen", "jane.qwe\u00adrty@example.com"],
    ["fullwidth at and dot", "jane.qwerty＠example．com"],
    ["small commercial at", "jane.qwerty﹫example.com"],
    ["decimal character reference", "jane.qwerty&#64;example.com"],
    ["hex character reference", "jane.qwerty&#x40;example.com"],
    ["named character reference", "jane.qwerty&commat;example&period;com"],
    ["percent-encoded", "jane.qwerty%40example.com"],
    ["brackets", "jane.qwerty [at] example [dot] com"],
    ["braces", "jane.qwerty{at}example{dot}com"],
    ["angle brackets", "jane.qwerty <at> example <dot> com"],
    ["words in capitals", "jane.qwerty AT example DOT com"],
    ["spaces around the at", "jane.qwerty @ example.com"],
    ["line break after the at", "jane.qwerty@\nexample.com"],
    ["reversed", "moc.elpmaxe@ytrewq.enaj"],
    ["IP literal", "jane.qwerty@[203.0.113.7]"],
    ["mailto link", "<a href='mailto:jane.qwerty@example.com'>mail</a>"],
    [
      "digits split by zero-width spaces",
      "call 4\u200b1\u200b5\u200b5\u200b5\u200b5\u200b0\u200b1\u200b3\u200b2",
    ],
    ["digits one by one", "call 4 1 5 5 5 5 0 1 3 2"],
    ["fullwidth digits", "call ４１５-５５５-０１３２"],
    ["Arabic-Indic digits", "call ٤١٥٥٥٥٠١٣٢"],
    ["Devanagari digits", "call ४१५५५५०१३२"],
    ["mixed separators", "call 415 555-0132"],
    ["dots and slashes", "call 0171/555.01.32"],
    ["tel link", "<a href='tel:+14155550132'>call</a>"],
    ["sms link", "sms:+447700900123"],
    ["WhatsApp link", "https://api.whatsapp.com/send?phone=447700900123"],
    ["international prefix 00 unseparated", "ring 00447700900123"],
    ["trunk in brackets", "+44 (0) 7700 900123"],
    ["extension", "+1 415 555 0132 x204"],
    ["number right after a word", "Tel:+4930123456789"],
    ["number after a colon", "Phone:07700900123"],
  ];
  it.each(attempts)("%s", (_name, text) => {
    const out = redactForTraining(text).text;
    expect(leaks(out), out).toEqual([]);
    expect(readable(out).toLowerCase()).not.toMatch(/qwerty|5550132|900123|0123456789|555\.?01/);
  });

  it("says plainly what it does not cover: numbers written in words", () => {
    const text = "call four one five, five five five, zero one three two";
    expect(redactForTraining(text).text).toBe(text);
  });
});

describe("a held-out list (written before running the redactor on it)", () => {
  // Formats from places the seeded corpus does not imitate, checked by the independent detector. On the first
  // run 18 of the 19 passed: "030 / 12 34 56-78" (a German grouping, spaces around a slash and a dash mixed in)
  // survived. The rule for trunk-0 numbers with mixed separators was added for it, so that case is in-sample now.
  // The same first run also found, in the seeded corpus, "+49 8250758778" (a country code, then the national
  // number unseparated) surviving; the + and 00 rules now take groups of up to 12 digits.
  const heldOut = [
    "Ligue para (11) 98765-4321 amanhã",
    "Rufen Sie uns an: 030 / 12 34 56-78",
    "Notruf? Nein, Zentrale: +49 89 636-48018",
    "Appelez le 01.23.45.67.89 avant midi",
    "Llámame al 612 34 56 78",
    "Chiamami al 347 123 4567",
    "Bel me op 06-12345678",
    "電話: 03-1234-5678",
    "Контакт: +7 495 123-45-67",
    "tel. +48 22 123 45 67",
    "Hotline 0800 123 4567 (gebührenfrei)",
    "UK: 07700 900 077 or 0207 946 0001",
    "Dial 1 (800) 555-0199 now",
    "Ring +61 (0)2 9876 5432",
    "e-mail: Erika.Mustermann@beispiel-firma.de",
    "mail → first.last+billing@sub.domain.co.jp",
    "my address is hello at mysite dot io",
    "Contact <SALES@ACME-CORP.COM> today",
    "δοκιμή@παράδειγμα.δοκιμή is a test address",
  ];
  it.each(heldOut)("%s", (text) => {
    const out = redactForTraining(text).text;
    expect(leaks(out), out).toEqual([]);
  });
});

describe("hostile input", () => {
  it.each([
    ["a megabyte of digits", "1".repeat(1_000_000)],
    ["digits and single spaces", "1 ".repeat(500_000)],
    ["digits and dashes", "12-".repeat(300_000)],
    ["at signs", "a@".repeat(500_000)],
    ["a long word before an at sign", `${"a".repeat(1_000_000)}@`],
    ["spelled-out ats", "x at y ".repeat(150_000)],
    ["brackets", "(0)".repeat(300_000)],
    ["phone words and digits", "call 1 ".repeat(150_000)],
  ])("%s takes linear time", (_name, text) => {
    const started = performance.now();
    redactForTraining(text);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
