/** Text-based formats: decoding bytes, HTML to heading-structured text, Markdown normalisation. */

/** UTF-8 (with or without BOM) or UTF-16 with a BOM; bytes that are not valid UTF-8 are read as Windows-1252. */
export function decodeText(bytes: Uint8Array): string {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder("utf-16le").decode(bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff)
    text = new TextDecoder("utf-16be").decode(bytes.subarray(2));
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      // Spreadsheets and old editors on Windows save "ANSI"; decoding it as UTF-8 would garble every accent.
      text = new TextDecoder("windows-1252").decode(bytes);
    }
  }
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

/** True for UTF-16 text marked by its byte order mark (its NUL bytes are not a sign of binary content). */
const hasUtf16Bom = (bytes: Uint8Array): boolean =>
  (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);

/** Rejects what is not text: NUL bytes or many control characters in the first 8 KB. */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (hasUtf16Bom(bytes)) return true;
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control / Math.max(1, sample.length) < 0.02;
}

const entities: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  laquo: "«",
  raquo: "»",
  bull: "•",
  middot: "·",
  copy: "©",
  reg: "®",
  trade: "™",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  deg: "°",
  times: "×",
  divide: "÷",
  plusmn: "±",
  minus: "−",
  le: "≤",
  ge: "≥",
  ne: "≠",
  infin: "∞",
  sect: "§",
  para: "¶",
  micro: "µ",
  frac12: "½",
  frac14: "¼",
  frac34: "¾",
  sup2: "²",
  sup3: "³",
  prime: "′",
  rarr: "→",
  larr: "←",
  harr: "↔",
  uarr: "↑",
  darr: "↓",
  ensp: " ",
  emsp: " ",
  thinsp: " ",
  zwnj: "",
  zwj: "",
  shy: "",
};

/** Names whose case changes the character (`&rArr;` ⇒ and `&rarr;` →); looked up before the others. */
const caseSensitiveEntities: Record<string, string> = {
  rArr: "⇒",
  lArr: "⇐",
  hArr: "⇔",
  uArr: "⇑",
  dArr: "⇓",
  Prime: "″",
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === "#") {
      const n = code[1]?.toLowerCase() === "x" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : whole;
    }
    return caseSensitiveEntities[code] ?? entities[code.toLowerCase()] ?? whole;
  });
}

// Inline tags vanish without a space: Word output often bolds part of a word (`<strong>Em</strong>ployee`).
const inlineTags =
  /<\/?(a|abbr|b|bdi|bdo|cite|code|data|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var|wbr)\b[^>]*>/gi;

const voidElements = new Set(
  "area base br col embed hr img input link meta param source track wbr".split(" "),
);

/** `hidden` (but not `hidden="until-found"`, which the browser reveals to find-in-page). */
const hiddenAttribute =
  /(?:^|\s)hidden(?:\s*=\s*(?:"(?!until-found)[^"]*"|'(?!until-found)[^']*'|(?!until-found)[^\s"'>]+))?(?=\s|\/|$)/i;
const styleAttribute = /(?:^|\s)style\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
/** Inline styles that make text invisible: no box, hidden, zero size or opacity, or far off-screen. */
const invisibleStyle =
  /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0+(?:\.0+)?(?:px|em|rem|pt|%)?\s*(?:!important)?\s*(?:;|$)|opacity\s*:\s*0+(?:\.0+)?\s*(?:!important)?\s*(?:;|$)|(?:left|top|text-indent)\s*:\s*-\d{4,})/i;

function isHiddenElement(attributes: string): boolean {
  if (hiddenAttribute.test(attributes)) return true;
  const style = styleAttribute.exec(attributes);
  return style !== null && invisibleStyle.test((style[1] ?? style[2] ?? "").trim());
}

/**
 * Removes elements a reader never sees (the `hidden` attribute, inline `display:none`,
 * `visibility:hidden`, zero font size or opacity, off-screen): text planted there for a model to read,
 * such as a prompt injection, must not reach the index. One pass over the tags; an element that is never
 * closed keeps its text. Trade-off: content a script would reveal (an accordion hidden inline) is lost too.
 */
export function dropHiddenElements(html: string): string {
  // Attribute values may hold ">" but not "<": each match stops at the next "<", so the scan stays linear.
  const tags = /<(\/?)([a-z][a-z0-9-]*)\b((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>/gi;
  let out = "";
  let copied = 0;
  let open: { name: string; depth: number; start: number } | null = null;
  for (const m of html.matchAll(tags)) {
    const at = m.index ?? 0;
    const [whole, closing, rawName, attributes = ""] = m;
    const name = (rawName ?? "").toLowerCase();
    const selfClosing = voidElements.has(name) || /\/\s*$/.test(attributes);
    if (open) {
      if (name !== open.name || selfClosing) continue;
      open.depth += closing ? -1 : 1;
      if (open.depth === 0) {
        copied = at + whole.length;
        open = null;
      }
      continue;
    }
    if (closing || !isHiddenElement(attributes)) continue;
    out += `${html.slice(copied, at)} `;
    copied = at + whole.length;
    if (!selfClosing) open = { name, depth: 1, start: at };
  }
  // Never closed: keep what follows it rather than guess where it ends.
  if (open) copied = open.start;
  return out + html.slice(copied);
}

/** A table cell's text: tags gone, whitespace collapsed (entities are decoded later, with the page). */
const cellText = (html: string): string =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

/**
 * Table rows as list items, each cell labelled with its column's header when there is one ("- Property:
 * ROUND_UP; Value: 0"), empty cells and rows left out; a table with headers and no row keeps its headers.
 */
function labelledRows(labels: readonly string[] | null, rows: readonly (readonly string[])[]): string[] {
  const items = rows
    .map((cells) =>
      cells
        .map((c, i) => (labels?.[i] && c ? `${labels[i]}: ${c}` : c))
        .filter((c) => c.length > 0)
        .join("; "),
    )
    .filter((row) => row.length > 0);
  if (items.length === 0 && labels) items.push(labels.join("; "));
  return items.map((row) => `- ${row}`);
}

/**
 * A table as lines a reader (and the chunker) can quote on their own: one list item per row, each cell
 * labelled with its column's header ("- Property: ROUND_UP; Value: 0; Description: …"), so a row cut from
 * its table still says what its numbers are, and a row is never run into the next one as one sentence.
 * Without a header row, cells are joined with "; ". A caption comes first.
 */
function tableText(inner: string): string {
  const caption = /<caption\b[^>]*>([\s\S]*?)<\/caption\s*>/i.exec(inner);
  const rows = inner
    .split(/<tr\b[^>]*>/i)
    .slice(1)
    .map((row) =>
      [...row.matchAll(/<(td|th)\b[^>]*>([\s\S]*?)(?=<(?:td|th)\b|<\/tr\s*>|$)/gi)].map((m) => ({
        header: (m[1] as string).toLowerCase() === "th",
        text: cellText((m[2] as string).replace(/<\/t[dh]\s*>/gi, "")),
      })),
    )
    .filter((cells) => cells.some((c) => c.text.length > 0));
  const first = rows[0];
  const headers = first && first.every((c) => c.header) ? first.map((c) => c.text) : null;
  const body = (headers ? rows.slice(1) : rows).map((cells) => cells.map((c) => c.text));
  return [...(caption ? [cellText(caption[1] as string)] : []), ...labelledRows(headers, body)].join("\n");
}

/**
 * HTML to heading-structured text: drops the head, scripts, styles, page chrome (nav, header, footer,
 * aside), comments and hidden elements; headings become `#` lines and list items `- ` lines. Attributes
 * (alt, title, data-*) never become text.
 */
export function htmlToText(html: string): string {
  // An unclosed comment hides the rest of the page in a browser; it does here too.
  let s = html.replace(/<!--[\s\S]*?(?:-->|$)/g, " ");
  s = s.replace(
    /<(head|script|style|noscript|template|svg|nav|header|footer|aside|form)\b[\s\S]*?<\/\1\s*>/gi,
    " ",
  );
  s = dropHiddenElements(s);
  // Preformatted text is code: fenced, so the chunker keeps its lines whole and never reads a `#` comment
  // or `#define` in it as a heading.
  s = s.replace(
    /<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi,
    (_m, inner: string) => `\n\n\`\`\`\n${inner}\n\`\`\`\n\n`,
  );
  s = s.replace(/<table\b[^>]*>([\s\S]*?)<\/table\s*>/gi, (whole, inner: string) =>
    /<table\b/i.test(inner) ? whole : `\n\n${tableText(inner)}\n\n`,
  );
  // A definition stays with its term: "maxPayload: The maximum allowed message size".
  s = s.replace(/<\/dt\s*>\s*<dd\b[^>]*>/gi, ": ");
  s = s.replace(inlineTags, "");
  s = s.replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_m, level: string, inner: string) => {
    const text = inner
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    return `\n\n${"#".repeat(Number(level))} ${text}\n\n`;
  });
  s = s.replace(/<li\b[^>]*>/gi, "\n- ");
  s = s.replace(/<(br)\s*\/?>/gi, "\n");
  s = s.replace(/<\/?(p|div|section|article|main|ul|ol|table|tr|blockquote|pre|dl|dt|dd)\b[^>]*>/gi, "\n\n");
  s = s.replace(/<\/?(td|th)\b[^>]*>/gi, " ");
  s = s.replace(/<[^>]+>/g, " ");
  s = decodeEntities(s);
  return s
    .split("\n")
    .map((line) => line.replace(/[ \t\f\v]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

const fence = /^\s{0,3}(```|~~~)/;

const pipeCells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.replace(/\\\|/g, "|").trim());
const pipeSeparator = /^\s{0,3}\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/**
 * A Markdown pipe table starting at line `at` (a header row, then its `---` separator), as list items with
 * labelled cells, the way HTML tables are read (see `tableText`); null when no table starts there.
 */
function pipeTable(lines: readonly string[], at: number): { lines: string[]; end: number } | null {
  const header = lines[at] as string;
  const separator = lines[at + 1];
  if (!header.includes("|") || separator === undefined || !pipeSeparator.test(separator)) return null;
  const labels = pipeCells(header);
  if (labels.length < 2 || labels.length !== pipeCells(separator).length) return null;
  const rows: string[][] = [];
  let end = at + 2;
  for (; end < lines.length && (lines[end] as string).includes("|") && (lines[end] as string).trim(); end++) {
    rows.push(pipeCells(lines[end] as string));
  }
  return { lines: labelledRows(labels, rows), end };
}

/**
 * Markdown as the chunker reads it: setext headings (a line underlined with === or ---) become `#` lines, and
 * pipe tables become one list item per row with labelled cells (see `pipeTable`). Front matter and fenced
 * code are left as they are.
 */
export function normalizeMarkdown(markdown: string): string {
  const lines = markdown.split("\n");
  const out: string[] = [];
  let i = 0;
  if (lines[0]?.trim() === "---") {
    const end = lines.findIndex((l, j) => j > 0 && /^(---|\.\.\.)\s*$/.test(l));
    if (end > 0) {
      out.push(...lines.slice(0, end + 1));
      i = end + 1;
    }
  }
  let inFence = false;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (fence.test(line)) inFence = !inFence;
    const table = inFence ? null : pipeTable(lines, i);
    if (table) {
      out.push(...table.lines);
      i = table.end - 1;
      continue;
    }
    const next = lines[i + 1];
    const prev = out[out.length - 1];
    const startsParagraph = prev === undefined || prev.trim() === "";
    if (
      !inFence &&
      next !== undefined &&
      startsParagraph &&
      line.trim() !== "" &&
      !/^\s{0,3}([-*+>#]|\d+[.)])\s/.test(line) &&
      /^\s{0,3}(=+|-+)\s*$/.test(next)
    ) {
      out.push(`${next.trim().startsWith("=") ? "#" : "##"} ${line.trim()}`);
      i++;
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

/** `2.1 Title`, `3.4. Title`, `1) Title`: a section number, then a short title that starts with a capital. */
const numberedTitle = /^\s{0,3}((?:\d{1,3})(?:\.\d{1,3}){0,5})[.)]?\s+(\p{Lu}.{0,80})$/u;
/** `DESCRIPTION`, `EXIT STATUS`: a manual page's section names. */
const capitalTitle = /^\s{0,3}(\p{Lu}[\p{Lu}\d]*(?:[ -][\p{Lu}\d]+){0,3})\s*$/u;

/**
 * Plain text's own headings become `#` lines the chunker reads: a numbered title standing alone on its line
 * (`2.1 Scope`, one `#` per level of the number) and a manual page's capitalised section names (`OPTIONS`).
 * Only lines with a blank line (or the start or end) on both sides count, titles never end in a sentence's
 * punctuation and are at most ten words, and fenced code is left alone.
 */
export function plainTextHeadings(text: string): string {
  const lines = text.split("\n");
  let inFence = false;
  return lines
    .map((line, i) => {
      if (fence.test(line)) inFence = !inFence;
      if (inFence) return line;
      const alone = (lines[i - 1] ?? "").trim() === "" && (lines[i + 1] ?? "").trim() === "";
      if (!alone || /^\s{0,3}#/.test(line)) return line;
      const numbered = numberedTitle.exec(line);
      if (numbered) {
        const title = (numbered[2] as string).trim();
        if (/[.,;:!?]$/.test(title) || title.split(/\s+/).length > 10) return line;
        const depth = (numbered[1] as string).split(".").length;
        return `${"#".repeat(Math.min(6, depth))} ${line.trim()}`;
      }
      const capital = capitalTitle.exec(line);
      if (capital && (capital[1] as string).replace(/[^\p{Lu}]/gu, "").length >= 3) return `# ${line.trim()}`;
      return line;
    })
    .join("\n");
}
