/**
 * A place in a document, as the studio links to it: the document page's address (a version, the passage's
 * offsets into that version's text, the heading above it, its page), and finding that place in the text,
 * and a quote in a passage, to mark them.
 */

export interface DocumentPlace {
  readonly kbId: string;
  readonly docId: string;
  /** The version the offsets count in; without it, the version search uses. */
  readonly version?: number | undefined;
  readonly startOffset?: number | undefined;
  readonly endOffset?: number | undefined;
  /** The innermost heading above the passage: where to go when the offsets do not fit the text. */
  readonly heading?: string | undefined;
  /** PDF: the page to open the original at. */
  readonly page?: number | undefined;
}

/** The document page at `place`: `/knowledge/{kbId}/documents/{docId}?version=2&start=120&end=480&…`. */
export function documentPlaceUrl(place: DocumentPlace): string {
  const params = new URLSearchParams();
  if (place.version !== undefined) params.set("version", String(place.version));
  if (place.startOffset !== undefined && place.endOffset !== undefined) {
    params.set("start", String(place.startOffset));
    params.set("end", String(place.endOffset));
  }
  if (place.heading) params.set("heading", place.heading);
  if (place.page !== undefined) params.set("page", String(place.page));
  const query = params.toString();
  return `/knowledge/${encodeURIComponent(place.kbId)}/documents/${encodeURIComponent(place.docId)}${query ? `?${query}` : ""}`;
}

const whole = (value: string | null): number | undefined => {
  if (value === null || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
};

/** The place an address names; what is missing or malformed is left out. */
export function documentPlaceOf(kbId: string, docId: string, params: URLSearchParams): DocumentPlace {
  const version = whole(params.get("version"));
  const page = whole(params.get("page"));
  const start = whole(params.get("start"));
  const end = whole(params.get("end"));
  const heading = params.get("heading")?.trim();
  return {
    kbId,
    docId,
    ...(version !== undefined && version > 0 ? { version } : {}),
    ...(start !== undefined && end !== undefined && start < end
      ? { startOffset: start, endOffset: end }
      : {}),
    ...(heading ? { heading } : {}),
    ...(page !== undefined && page > 0 ? { page } : {}),
  };
}

/** A Markdown-style heading line, as the platform's extracted text writes headings (`## Vacation`). */
const headingLine = /^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/;

/**
 * Where `place` is in `text`: the passage's offsets when they fit the text, else the line of its heading,
 * else nothing (the document starts at the top).
 */
export function placeInText(
  text: string,
  place: Pick<DocumentPlace, "startOffset" | "endOffset" | "heading">,
): { readonly start: number; readonly end: number } | undefined {
  const { startOffset: start, endOffset: end, heading } = place;
  if (start !== undefined && end !== undefined && start < end && end <= text.length) return { start, end };
  if (!heading) return undefined;
  const wanted = heading.trim().toLowerCase();
  let offset = 0;
  for (const line of text.split("\n")) {
    const match = headingLine.exec(line);
    if (match && (match[1] ?? "").trim().toLowerCase() === wanted)
      return { start: offset, end: offset + line.length };
    offset += line.length + 1;
  }
  return undefined;
}

/** Text as a regular expression that matches it literally. */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The spans of `text` the quotes cover, in order and not overlapping: each quote found as it is, or with its
 * white space laid out differently (a quote is a sentence of the passage, the passage may wrap it).
 */
export function quoteSpans(
  text: string,
  quotes: readonly string[],
): { readonly start: number; readonly end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (const quote of quotes) {
    const trimmed = quote.trim();
    if (!trimmed) continue;
    let start = text.indexOf(trimmed);
    let end = start + trimmed.length;
    if (start < 0) {
      const loose = new RegExp(trimmed.split(/\s+/).map(escape).join("\\s+"));
      const match = loose.exec(text);
      if (!match) continue;
      start = match.index;
      end = start + match[0].length;
    }
    spans.push({ start, end });
  }
  spans.sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}
