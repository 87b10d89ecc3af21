/**
 * A seeded corpus of sentences carrying email addresses and phone numbers in many formats, with what each one
 * hides, for the redaction tests: the same seed gives the same corpus. Every address's local part and domain
 * label, and every number's digits, are random, so finding them in redacted text means they survived.
 *
 * Formats covered (the list the README states): emails plain, with plus tags, dots, dashes and underscores,
 * upper case, subdomains, long and two-level country TLDs, Unicode local parts and domains, punycode domains,
 * IP literals, in angle brackets, as `mailto:` links, spaced around the @, "[at]/[dot]", "(at)/(dot)",
 * "at ... dot ...", fullwidth ＠, HTML `&#64;`, `%40`, a zero-width space inside, reversed. Phones as E.164, +CC with
 * spaces, dots, dashes, brackets and "(0)", 00-prefixed (grouped and not), national with a trunk 0 (grouped,
 * bracketed, slashed, French pairs, unseparated), North American (brackets, dashes, dots, a leading 1,
 * unseparated), `tel:` and `wa.me/` links, with extensions, fullwidth and Arabic-Indic digits, a zero-width
 * space inside, one digit at a time, and short local numbers after a phone word.
 */

/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededLine {
  readonly text: string;
  /** The format's name, for failure messages. */
  readonly format: string;
  /** Strings that must not appear in the redacted text (case-insensitive): local parts, domain labels. */
  readonly secrets: readonly string[];
  /** Digit strings that must not appear in the redacted text's digits (separators removed). */
  readonly digits: readonly string[];
}

const letters = "abcdefghijklmnopqrstuvwxyz";

export function corpus(seed: number, perFormat: number): SeededLine[] {
  const rand = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const word = (n: number): string => Array.from({ length: n }, () => pick([...letters])).join("");
  const digit = (from = 0): string => String(from + Math.floor(rand() * (10 - from)));
  const digitsN = (n: number): string => Array.from({ length: n }, () => digit()).join("");
  const lines: SeededLine[] = [];
  const add = (format: string, text: string, secrets: string[], digits: string[]): void => {
    lines.push({ format, text, secrets, digits });
  };

  const emailFormats: ((local: string, label: string) => { text: string; secrets?: string[] })[] = [
    (l, d) => ({ text: `${l}@${d}.com` }),
    (l, d) => ({ text: `${l}+newsletter@${d}.io` }),
    (l, d) => ({ text: `${l}.${word(5)}@mail.${d}.co.uk` }),
    (l, d) => ({ text: `${l}_x-y@${d}.museum` }),
    (l, d) => ({ text: `${l.toUpperCase()}@${d.toUpperCase()}.ORG` }),
    (l, d) => ({ text: `${l}${digitsN(3)}@eu.west.${d}.example` }),
    (l, d) => ({ text: `josé.${l}@${d}.de` }),
    (l, d) => ({ text: `${l}@${d}-münchen.de` }),
    (l, d) => ({ text: `${l}@例え${d}.jp` }),
    (l, d) => ({ text: `${l}@xn--${d}-3ya.de` }),
    (l) => ({ text: `${l}@[192.0.2.${Math.floor(rand() * 200) + 1}]` }),
    (l, d) => ({ text: `<${l}@${d}.net>` }),
    (l, d) => ({ text: `mailto:${l}@${d}.com?subject=hi` }),
    (l, d) => ({ text: `${l} @ ${d}.com` }),
    (l, d) => ({ text: `${l} [at] ${d} [dot] com` }),
    (l, d) => ({ text: `${l}(at)${d}(dot)org` }),
    (l, d) => ({ text: `${l} at ${d} dot com` }),
    (l, d) => ({ text: `${l} (at) ${d}.com` }),
    (l, d) => ({ text: `${l}＠${d}．com` }),
    (l, d) => ({ text: `${l}&#64;${d}.com` }),
    (l, d) => ({ text: `${l}%40${d}.com` }),
    (l, d) => ({ text: `${l.slice(0, 3)}\u200b${l.slice(3)}@${d}.com`, secrets: [l.slice(3), d] }),
    (l, d) => ({ text: `moc.${d}@${l}`, secrets: [l, d] }),
  ];
  const openers = ["Write to ", "Contact: ", "my email is ", "(", "Reach me at ", "Send it to "];
  const closers = [".", " please.", ")", ", thanks", "!", ""];
  emailFormats.forEach((format, i) => {
    for (let n = 0; n < perFormat; n++) {
      const local = `q${word(7)}`;
      const label = `z${word(6)}`;
      const made = format(local, label);
      add(
        `email #${i}`,
        `${pick(openers)}${made.text}${pick(closers)} Order 12345678 ships on 2026-05-06.`,
        made.secrets ?? [local, label],
        [],
      );
    }
  });

  const countryCodes = [
    "44",
    "33",
    "49",
    "34",
    "39",
    "31",
    "61",
    "81",
    "55",
    "91",
    "86",
    "7",
    "353",
    "358",
    "1",
  ];
  const fullwidth = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  const arabicIndic = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
  const phoneFormats: ((cc: string, n: string, nanp: string) => { text: string; digits: string })[] = [
    (cc, n) => ({ text: `+${cc}${n}`, digits: n }),
    (cc, n) => ({ text: `+${cc} ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, digits: n }),
    (cc, n) => ({ text: `+${cc}-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`, digits: n }),
    (cc, n) => ({ text: `+${cc}.${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`, digits: n }),
    (cc, n) => ({ text: `+${cc} (${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`, digits: n }),
    (cc, n) => ({ text: `+${cc} (0)${n.slice(0, 2)} ${n.slice(2, 6)} ${n.slice(6)}`, digits: n }),
    (cc, n) => ({ text: `00${cc} ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, digits: n }),
    (cc, n) => ({ text: `00${cc}${n}`, digits: n }),
    (_cc, n) => ({ text: `0${n.slice(0, 2)} ${n.slice(2, 6)} ${n.slice(6)}`, digits: n }),
    (_cc, n) => ({ text: `0${n}`, digits: n }),
    (_cc, n) => ({ text: `(0${n.slice(0, 2)}) ${n.slice(2)}`, digits: n }),
    (_cc, n) => ({ text: `0${n.slice(0, 3)}/${n.slice(3)}`, digits: n }),
    (_cc, n) => {
      const f = `0${n.slice(0, 9)}`;
      return { text: f.replace(/(\d\d)(?=\d)/g, "$1 "), digits: n.slice(0, 9) };
    },
    (_cc, _n, a) => ({ text: `(${a.slice(0, 3)}) ${a.slice(3, 6)}-${a.slice(6)}`, digits: a }),
    (_cc, _n, a) => ({ text: `${a.slice(0, 3)}-${a.slice(3, 6)}-${a.slice(6)}`, digits: a }),
    (_cc, _n, a) => ({ text: `${a.slice(0, 3)}.${a.slice(3, 6)}.${a.slice(6)}`, digits: a }),
    (_cc, _n, a) => ({ text: `1-${a.slice(0, 3)}-${a.slice(3, 6)}-${a.slice(6)}`, digits: a }),
    (_cc, _n, a) => ({ text: `${a}`, digits: a }),
    (_cc, _n, a) => ({ text: `1${a}`, digits: a }),
    (cc, n) => ({ text: `tel:+${cc}-${n.slice(0, 3)}-${n.slice(3)}`, digits: n }),
    (cc, n) => ({ text: `https://wa.me/${cc}${n}`, digits: n }),
    (cc, n) => ({ text: `+${cc} ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)} ext. 42`, digits: n }),
    (cc, n) => ({ text: fullwidth(`+${cc} ${n.slice(0, 4)} ${n.slice(4)}`), digits: n }),
    (_cc, n) => ({ text: arabicIndic(`0${n}`), digits: n }),
    (cc, n) => ({ text: `+${cc} ${n.slice(0, 4)}\u200b${n.slice(4)}`, digits: n }),
    (_cc, _n, a) => ({ text: a.split("").join(" "), digits: a }),
    (_cc, n) => ({ text: `call me on ${n.slice(3, 6)}-${n.slice(6)}`, digits: n.slice(3) }),
    (_cc, n) => ({ text: `my number is ${n.slice(0, 9)}`, digits: n.slice(0, 9) }),
    (_cc, n) => ({
      text: `WhatsApp: ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6, 9)}`,
      digits: n.slice(0, 9),
    }),
  ];
  phoneFormats.forEach((format, i) => {
    for (let n = 0; n < perFormat; n++) {
      const national = digit(1) + digitsN(9);
      const nanp = digit(2) + digitsN(2) + digit(2) + digitsN(6);
      const made = format(pick(countryCodes), national, nanp);
      add(
        `phone #${i}`,
        `${pick(["Call ", "Phone: ", "Tel. ", "reach me at ", "(", "Mobile "])}${made.text}${pick(closers)} We open at 10:30 on 06.05.2026.`,
        [],
        [made.digits.slice(-7)],
      );
    }
  });
  return lines;
}

/** Ordinary text the redactor must leave as it is: dates, times, amounts, versions, short numbers. */
export const ordinaryPhrases = [
  "on 2026-05-06",
  "06.05.2026",
  "05/06/2026",
  "at 10:30",
  "from 9:00 to 17:30",
  "costs 1 234 567 EUR",
  "€1,234.56",
  "1.234.567 units",
  "order 12345678",
  "ticket #48213",
  "version 2.14.3",
  "2019-2024",
  "25 vacation days",
  "section 4.2.1",
  "page 123",
  "ISO 27001",
  "3.14159",
  "room 12",
  "up to 5 days",
  "50% off",
  "look at example.com",
  "@support on the forum",
  "a 10-15 minute walk",
];
