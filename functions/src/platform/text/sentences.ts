/**
 * Sentences of a passage: paragraphs, list items and headings split at sentence ends, abbreviations kept
 * whole; each line of a fenced code block is a sentence of its own.
 */

/** Words whose trailing period does not end a sentence. Initials and dotted forms (e.g., U.S.) are caught separately. */
const ABBREVIATIONS = new Set(
  (
    "mr mrs ms dr prof sr jr st mt vs approx dept est fig figs cf al inc ltd co corp no nos vol ed eds p pp " +
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun gen col lt sgt rev hon min max"
  ).split(" "),
);

const BULLET = /^\s*(?:[-*•‣◦▪–—]|\d{1,3}[.)]|[a-z][.)]|#{1,6})\s+/u;

/** A Markdown code fence (the parsers fence HTML <pre> blocks the same way). */
const FENCE = /^\s{0,3}(?:```|~~~)/;

/** Lines of a passage grouped into blocks: paragraphs (wrapped lines joined), list items, headings. */
function blocksOf(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    const block = current.join(" ").replace(/\s+/g, " ").trim();
    if (block) blocks.push(block);
    current = [];
  };
  const lines = text.split(/\r?\n/);
  let inCode = false;
  lines.forEach((line, i) => {
    // Code is kept line by line: a line of a listing is a statement of its own, and joining a listing
    // into one "sentence" would make a quote of it. The fence lines themselves say nothing.
    if (FENCE.test(line)) {
      flush();
      inCode = !inCode;
      return;
    }
    if (inCode) {
      flush();
      current.push(line);
      return flush();
    }
    if (line.trim() === "") return flush();
    const bullet = BULLET.exec(line);
    if (bullet) {
      flush();
      current.push(line.slice(bullet[0].length));
      if (bullet[0].includes("#")) return flush(); // a Markdown heading stands alone
    } else {
      current.push(line);
    }
    // A short line without closing punctuation, followed by a capitalised line, is a heading.
    const next = lines[i + 1]?.trim() ?? "";
    const words = line.trim().split(/\s+/).length;
    if (!/[.!?:;,]["'”’)\]]*$/.test(line.trim()) && words <= 10 && /^\p{Lu}/u.test(next)) flush();
  });
  flush();
  return blocks;
}

function endsSentence(block: string, punctAt: number, punct: string, nextChar: string): boolean {
  if (nextChar === "") return true;
  if (!/[\p{Lu}\p{N}"'“‘([]/u.test(nextChar)) return false;
  if (!punct.startsWith(".") || punct.length > 1) return true;
  const word = (/([\p{L}\p{N}.]+)$/u.exec(block.slice(0, punctAt))?.[1] ?? "").toLowerCase();
  if (/^\p{L}$/u.test(word)) return false; // an initial: "J. Smith"
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) return false; // e.g. / i.e. / U.S.
  if (word === "no" || word === "nos") return !/\p{N}/u.test(nextChar);
  return !ABBREVIATIONS.has(word);
}

/** Citation markers right after a sentence's end belong to that sentence: "… 20 days. [1][3] Next …". */
const TRAILING_MARKERS = /^(?:\s*\[[^\][\s]{1,32}\])+/u;

function splitBlock(block: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  // Terminal punctuation (with closing quotes/brackets) before a space or the end; CJK full stops; or a
  // citation marker that is followed by a capitalised word, as in a quoted answer "… 30 days [2] Meals …".
  const boundary = /([.!?…]+)(["'”’)\]]*)(?=\s|$)|[。！？]+|\[[^\][\s]{1,32}\](?=\s+[\p{Lu}\p{N}"“(]|\s*$)/gu;
  for (const m of block.matchAll(boundary)) {
    const at = m.index ?? 0;
    if (at < start) continue;
    let end = at + m[0].length;
    if (m[1] !== undefined) {
      const markers = TRAILING_MARKERS.exec(block.slice(end));
      if (markers) end += markers[0].length;
      const nextChar = block.slice(end).trimStart()[0] ?? "";
      if (!endsSentence(block, at, m[1], nextChar)) continue;
    }
    const sentence = block.slice(start, end).trim();
    if (sentence) sentences.push(sentence);
    start = end;
  }
  const rest = block.slice(start).trim();
  if (rest) sentences.push(rest);
  return sentences;
}

/**
 * The sentences of a passage, each a verbatim piece of it (whitespace collapsed): abbreviations such as
 * "e.g." and numbers such as "3.5" do not end a sentence; every list item is a sentence of its own.
 */
export function splitSentences(text: string): string[] {
  return blocksOf(text).flatMap(splitBlock);
}
